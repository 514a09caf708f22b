/**
 * The worker runtime with real Pyodide in Node: what only the real thing shows —
 * the worker boundary (streams coalesced in JavaScript, output order, input and
 * interrupt across it, comms over comlink), Pyodide itself (the real micropip,
 * its packages, the compiled standard library, JSPI) and boot failures. What
 * the shell does with a cell is tested once, on CPython, in py/tests.
 * Runs twice (plain Node and with JSPI) with the same expectations, except where JSPI is the point.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { executeContent, repoPaths, startRuntime } from '../src/node/client';
import { NOTES_MIME_TYPE, RuntimeEvent, RuntimeOptions } from '../src/protocol';
import type { LockFile } from '../src/worker/lockfile';
import { decodeSnapshot, encodeSnapshot, engineStackSwitching, snapshotFile, wheelsHash } from '../src/worker/snapshot';
import { header, JSPI, plain, REPO, results, SNAPSHOT, streamText, TestKernel } from './helpers/kernel';

let kernel: TestKernel;

beforeAll(async () => {
  kernel = await TestKernel.start();
});

afterAll(async () => {
  await kernel?.stop();
});

const types = (events: RuntimeEvent[]): string[] => events.map((e) => e.msgType);
const notesOf = (events: RuntimeEvent[]): unknown[][] =>
  events.flatMap((e) =>
    e.msgType === 'display_data' && NOTES_MIME_TYPE in e.content.data
      ? [e.content.data[NOTES_MIME_TYPE] as unknown[]]
      : [],
  );

describe('outputs', () => {
  test('print is batched into few stream messages, in order', async () => {
    const { reply, events } = await kernel.run(
      'import sys\nfor i in range(1000): print(i)\nprint("err", file=sys.stderr)\nprint("end")',
    );
    expect(reply.status).toBe('ok');
    expect(streamText(events)).toBe(`${Array.from({ length: 1000 }, (_, i) => `${i}\n`).join('')}end\n`);
    expect(streamText(events, 'stderr')).toBe('err\n');
    const names = events.flatMap((e) => (e.msgType === 'stream' ? [e.content.name] : []));
    expect(names.length).toBeLessThanOrEqual(5);
    // Batches may be cut by time, but stdout and stderr interleave as printed.
    expect(names.filter((name, i) => name !== names[i - 1])).toEqual(['stdout', 'stderr', 'stdout']);
  });

  test('output written straight to file descriptors 1 and 2 is shown too', async () => {
    const { events } = await kernel.run('import os\nos.write(1, b"to fd 1\\n")\nos.write(2, b"to fd 2\\n")');
    expect(streamText(events)).toBe('to fd 1\n');
    expect(streamText(events, 'stderr')).toBe('to fd 2\n');
  });
});

describe('errors', () => {
  test("a traceback shows the user's lines at their numbers and nothing internal", async () => {
    await kernel.run('def ratio(x):\n    # a comment\n    return 1 / x\n');
    const { reply, events } = await kernel.run('y = 2\n\nratio(0)');
    expect(reply.status).toBe('error');
    expect([reply.ename, reply.evalue]).toEqual(['ZeroDivisionError', 'division by zero']);
    const error = events.find((e) => e.msgType === 'error');
    const text = plain(error?.msgType === 'error' ? error.content.traceback : []);
    expect(text).toMatch(/-+> 3 ratio\(0\)/);
    expect(text).toMatch(/-+> 3\s+return 1 \/ x/);
    expect(text).not.toMatch(/sync_kernel|site-packages|\/lib\/python|_pyodide|interactiveshell/);
  });
});

describe('the codemod in the kernel', () => {
  test('a rewritten cell gets one notes display before its other outputs', async () => {
    const { reply, events } = await kernel.run('import time\nprint("before")\ntime.sleep(0.1)\nprint("after")');
    expect(reply.status).toBe('ok');
    expect(types(events)[0]).toBe('display_data');
    const notes = notesOf(events);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toEqual(expect.arrayContaining([expect.objectContaining({ line: 3, kind: 'rewrite' })]));
    const first = events[0];
    const summary = first.msgType === 'display_data' ? String(first.content.data['text/plain']) : '';
    expect(summary.split('\n')).toHaveLength(notes[0].length);
    expect(streamText(events)).toBe('before\nafter\n');
  });

  test('background tasks keep running during a rewritten time.sleep', async () => {
    await kernel.run(
      'import asyncio\nticks = []\nasync def tick():\n    while True:\n        ticks.append(1)\n        await asyncio.sleep(0.02)\nticker = asyncio.create_task(tick())',
    );
    const { events } = await kernel.run(
      'import time\nbefore = len(ticks)\ntime.sleep(0.5)\nprint(len(ticks) - before >= 10)',
    );
    expect(streamText(events)).toBe('True\n');
    await kernel.run('ticker.cancel()');
  });

  test('input() is answered through input_request, getpass() asks for a password', async () => {
    const requests: unknown[] = [];
    kernel.onEvent = (e) => e.msgType === 'input_request' && requests.push(e.content);
    kernel.answers = ['Ada', 'secret'];
    const { reply, events } = await kernel.run(
      'import getpass\nname = input("Name? ")\npw = getpass.getpass()\nprint("Hello", name, len(pw))',
    );
    kernel.onEvent = undefined;
    expect(reply.status).toBe('ok');
    expect(requests).toEqual([
      { prompt: 'Name? ', password: false },
      { prompt: 'Password: ', password: true },
    ]);
    expect(streamText(events)).toBe('Hello Ada 6\n');
  });

  test('interrupt stops a rewritten time.sleep at once and reports KeyboardInterrupt', async () => {
    const { reply, events, elapsed } = await kernel.runStoppedAtFirstOutput(
      'import time\nprint("start")\ntime.sleep(20)\nprint("never")',
    );
    expect(elapsed).toBeLessThan(15000);
    expect(reply.ename).toBe('KeyboardInterrupt');
    expect(plain(reply.traceback)).toMatch(/-+> 3 time\.sleep\(20\)/);
    expect(streamText(events)).toBe('start\n');
    expect((await kernel.run('print("next")')).reply.status).toBe('ok');
  });

  test('a Stop in time.sleep, rewritten or kept as written, can be caught as KeyboardInterrupt and the cell goes on', async () => {
    const sleeps = ['time.sleep(20)', 'list(map(lambda s: time.sleep(s), [20]))'];
    for (const sleep of sleeps) {
      let stopped = false;
      kernel.onEvent = (event) => {
        if (!stopped && event.msgType === 'stream' && String(event.content.text).includes('tick')) {
          stopped = true;
          void kernel.runtime.interrupt();
        }
      };
      const started = Date.now();
      const { reply, events } = await kernel.run(
        [
          'import time',
          'try:',
          '    print("tick", flush=True)',
          `    ${sleep}`,
          'except KeyboardInterrupt:',
          '    print("caught")',
          'time.sleep(0.05)',
          'print("after")',
        ].join('\n'),
      );
      kernel.onEvent = undefined;
      expect(Date.now() - started).toBeLessThan(15000);
      expect(reply.status).toBe('ok');
      expect(streamText(events)).toBe('tick\ncaught\nafter\n');
    }
  });
});

describe('code given to magics', () => {
  test('%timeit, x = %time and %%capture run the rewritten code, and the times include its waits', async () => {
    await kernel.run('import time\ndef nap(s):\n    time.sleep(s)\n    return 42');
    const timed = await kernel.run('%timeit -n 2 -r 3 nap(0.02)\nx = %time nap(0.01)\nprint(x)');
    expect(timed.reply.status).toBe('ok');
    const text = streamText(timed.events);
    const line = /^([\d.]+) (ms|s) ± [\d.]+ \S+ per loop \(mean ± std\. dev\. of 3 runs, 2 loops each\)$/m.exec(text);
    expect(line).not.toBeNull();
    const mean = Number(line![1]) * (line![2] === 's' ? 1000 : 1);
    expect(mean).toBeGreaterThanOrEqual(20); // each loop waited its 20 ms
    expect(text).toMatch(/^Wall time: [\d.]+ (ms|s)$/m);
    expect(text).toMatch(/^42$/m);
    const captured = await kernel.run("%%capture out\nprint('one')\nnap(0.01)\nprint('two', nap(0))");
    expect(captured.reply.status).toBe('ok');
    expect(streamText(captured.events)).toBe('');
    expect(streamText((await kernel.run('out.show()')).events)).toBe('one\ntwo 42\n');
  });
});

describe('%pip', () => {
  test("installs with micropip (served with the kernel's wheels) and the next line imports the package", async () => {
    const made = await kernel.run(readFileSync(join(REPO, 'test', 'fixtures', 'make_demo_wheel.py'), 'utf8'));
    expect(made.reply.status).toBe('ok');
    const { reply, events } = await kernel.run(
      '%pip install emfs:/tmp/dist/sync_demo-1.0-py3-none-any.whl\nimport sync_demo\nprint(sync_demo.GREETING)',
    );
    expect(reply.status).toBe('ok');
    expect(streamText(events)).toBe(
      'Successfully installed sync-demo-1.0\n' +
        'Note: you may need to restart the kernel to use updated packages.\n' +
        'hello from a wheel\n',
    );
    expect(streamText((await kernel.run('!pip list')).events)).toMatch(/^micropip +0\.11\.1$/m);
  });
});

describe('widgets', () => {
  test('a slider opens its comm; the front end moves it; observers run and print for that message', async () => {
    const { events } = await kernel.run(
      "from ipywidgets import IntSlider\nslider = IntSlider(value=3)\nslider.observe(lambda change: print('now', change['new']), 'value')\nslider",
    );
    const opened = events.flatMap((e) => (e.msgType === 'comm_open' ? [e.content] : []));
    const slider = opened.find((c) => (c.data.state as { _model_name?: string })._model_name === 'IntSliderModel');
    expect((slider as { target_name?: string } | undefined)?.target_name).toBe('jupyter.widget');
    const info = await kernel.runtime.call((r) =>
      r.commInfo({ target_name: 'jupyter.widget' }, header('comm_info_request')),
    );
    expect(info.status === 'ok' && Object.keys(info.comms)).toContain(slider?.comm_id);

    const move = header('comm_msg');
    const content = { comm_id: slider!.comm_id, data: { method: 'update', state: { value: 7 }, buffer_paths: [] } };
    await kernel.runtime.call((r) =>
      r.commMsg({ header: move, parent_header: {}, metadata: {}, content, buffers: [], channel: 'shell' } as never),
    );
    const caused = kernel.stamped.filter((s) => s.parentHeader?.msg_id === move.msg_id).map((s) => s.event);
    expect(streamText(caused)).toBe('now 7\n');
    expect(results((await kernel.run('slider.value')).events)).toEqual(['7']);
  });

  /**
   * Show a button (`setup`, whose last comm is the button), run `code`, and once the cell has printed
   * `started`, click the button; the cell's reply and events, and the events the click caused.
   */
  const clickWhileRunning = async (setup: string, code: string, started: string) => {
    const { events } = await kernel.run(setup);
    const button = events.flatMap((e) => (e.msgType === 'comm_open' ? [e.content.comm_id] : [])).at(-1)!;
    const click = header('comm_msg');
    const content = { comm_id: button, data: { method: 'custom', content: { event: 'click' } } };
    const running = kernel.run(code);
    await new Promise<void>((resolve) => {
      kernel.onEvent = (event) => event.msgType === 'stream' && event.content.text.includes(started) && resolve();
    });
    kernel.onEvent = undefined;
    await kernel.runtime.call((r) =>
      r.commMsg({ header: click, parent_header: {}, metadata: {}, content, buffers: [], channel: 'shell' } as never),
    );
    const { reply, events: cell } = await running;
    const caused = kernel.stamped.filter((s) => s.parentHeader?.msg_id === click.msg_id).map((s) => s.event);
    return { reply, cell, caused };
  };

  test('a click sent while a cell sleeps in a loop is seen at its next sleep; the callback prints for the click', async () => {
    const { reply, cell, caused } = await clickWhileRunning(
      "import time\nfrom ipywidgets import Button\nclicked = []\nb = Button(description='go')\n" +
        "b.on_click(lambda _: (clicked.append(1), print('clicked')))\nb",
      "print('waiting', flush=True)\nfor i in range(200):\n    if clicked:\n        print('seen click at', i)\n        break\n    time.sleep(0.05)",
      'waiting',
    );
    expect(reply.status).toBe('ok');
    const seen = /seen click at (\d+)/.exec(streamText(cell));
    expect(Number(seen?.[1])).toBeLessThan(200);
    expect(streamText(caused)).toBe('clicked\n');
    expect(streamText(cell)).not.toContain('clicked\n');
  });

  test('jupyter_ui_poll, served with the kernel, lets a click into a cell that polls without sleeping', async () => {
    const { reply, cell } = await clickWhileRunning(
      'from ipywidgets import Button\nfrom jupyter_ui_poll import ui_events\nui_done = False\n' +
        "def on_click(btn):\n    global ui_done\n    ui_done = True\n    btn.description = 'done'\n" +
        "btn = Button(description='Click Me')\nbtn.on_click(on_click)\nbtn",
      "print('polling', flush=True)\nwith ui_events() as poll:\n    for polls in range(1_000_000):\n" +
        '        if ui_done:\n            break\n        poll(10)\nprint(ui_done, btn.description)',
      'polling',
    );
    expect(reply.status).toBe('ok');
    expect(streamText(cell)).toBe('polling\nTrue done\n');
  });

  test('a comm the front end opens for a target nobody registered is closed, with nothing shown in a cell', async () => {
    const open = header('comm_open');
    const content = { comm_id: 'c-unknown', target_name: 'no.such.target', data: {} };
    await kernel.runtime.call((r) =>
      r.commOpen({ header: open, parent_header: {}, metadata: {}, content, buffers: [], channel: 'shell' } as never),
    );
    const caused = kernel.stamped.filter((s) => s.parentHeader?.msg_id === open.msg_id).map((s) => s.event);
    expect(types(caused)).toEqual(['comm_close']);
  });
});

describe('progress bars', () => {
  /** Run `code`, noting when each event came; the events and how long before the reply each came. */
  const timed = async (code: string) => {
    const arrivals: { event: RuntimeEvent; at: number }[] = [];
    kernel.onEvent = (event) => arrivals.push({ event, at: Date.now() });
    const { reply, events } = await kernel.run(code);
    const replied = Date.now();
    kernel.onEvent = undefined;
    return { reply, events, before: arrivals.map(({ event, at }) => ({ event, ahead: replied - at })) };
  };

  test('tqdm (served with the kernel) draws on stderr while the loop sleeps and ends at 5/5', async () => {
    const { reply, events, before } = await timed(
      'from tqdm import tqdm\nimport time\nfor i in tqdm(range(5)):\n    time.sleep(0.15)',
    );
    expect(reply.status).toBe('ok');
    const drawn = streamText(events, 'stderr').split('\r').filter(Boolean);
    expect(drawn.at(-1)).toMatch(/^100%\|█+\| 5\/5 \[/);
    // Live: a bar drawn while the loop still had most of its 0.75 s to go.
    const early = before.filter(({ event, ahead }) => event.msgType === 'stream' && ahead > 400);
    expect(early.length).toBeGreaterThan(0);
  });

  test('tqdm.auto picks the widget bar, which moves while the loop sleeps and ends full', async () => {
    const { reply, events, before } = await timed(
      'from tqdm.auto import tqdm\nimport time\nfor i in tqdm(range(5)):\n    time.sleep(0.15)',
    );
    expect(reply.status).toBe('ok');
    const opened = events.flatMap((e) => (e.msgType === 'comm_open' ? [e.content] : []));
    const bar = opened.find((c) => (c.data.state as { _model_name?: string })._model_name === 'FloatProgressModel');
    expect(bar).toBeDefined();
    const values = events.flatMap((e) =>
      e.msgType === 'comm_msg' && e.content.comm_id === bar!.comm_id
        ? [(e.content.data.state as { value?: number }).value]
        : [],
    );
    expect(values.filter((v) => v !== undefined).at(-1)).toBe(5);
    const moved = before.filter(
      ({ event, ahead }) => event.msgType === 'comm_msg' && event.content.comm_id === bar!.comm_id && ahead > 400,
    );
    expect(moved.length).toBeGreaterThan(0);
    expect(streamText(events, 'stderr')).not.toMatch(/TqdmWarning|IProgress not found/);
  });
});

describe('web requests', () => {
  const CSV = 'city,people\nOslo,709000\nLima,10000000\n';
  const TEXT = 'compressible '.repeat(200);
  // Every byte value, then enough to need more than one chunk on the way back.
  const BYTES = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7 + (i >> 8)) % 256);
  let server: Server;
  let base: string;
  let closed: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        if (path === '/data.csv') {
          response.writeHead(200, { 'Content-Type': 'text/csv' }).end(CSV);
        } else if (path === '/echo') {
          const echo = {
            method: request.method,
            body: Buffer.concat(chunks).toString(),
            custom: request.headers['x-custom'],
          };
          response.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify(echo));
        } else if (path === '/moved') {
          response.writeHead(302, { Location: '/data.csv' }).end();
        } else if (path === '/text') {
          response.writeHead(200, { 'Content-Encoding': 'gzip' }).end(gzipSync(TEXT));
        } else if (path === '/bytes') {
          response.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(BYTES);
        } else if (path === '/slow') {
          setTimeout(() => response.end('late'), 2000).unref();
        } else {
          response.writeHead(404, 'Not Found').end('nothing here');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A port that was free a moment ago: nobody answers there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/data.csv`;
    await new Promise((resolve) => probe.close(resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('urllib.request reads, posts, follows redirects and raises HTTPError, as on desktop', async () => {
    const { reply, events } = await kernel.run(
      [
        'import urllib.request, urllib.error, json',
        `base = "${base}"`,
        'with urllib.request.urlopen(base + "/data.csv") as r:',
        '    print(r.status, r.reason, r.getheader("Content-Type"), repr(r.read().decode()))',
        'sent = urllib.request.Request(base + "/echo", data=b"a=1", headers={"X-Custom": "yes"})',
        'print(json.loads(urllib.request.urlopen(sent).read()))',
        'print(urllib.request.urlopen(base + "/moved").geturl())',
        'try:',
        '    urllib.request.urlopen(base + "/missing")',
        'except urllib.error.HTTPError as e:',
        '    print(e.code, e.reason, e.read())',
        'path, _ = urllib.request.urlretrieve(base + "/text", "copy.txt")',
        'print(open(path).read() == "compressible " * 200)',
      ].join('\n'),
    );
    expect(reply.status).toBe('ok');
    expect(streamText(events)).toBe(
      [
        `200 OK text/csv ${JSON.stringify(CSV).replace(/"/g, "'")}`,
        "{'method': 'POST', 'body': 'a=1', 'custom': 'yes'}",
        `${base}/data.csv`,
        "404 Not Found b'nothing here'",
        'True',
        '',
      ].join('\n'),
    );
  });

  test('requests (served with the kernel) gets JSON and binary bodies whole, and posts', async () => {
    const { reply, events } = await kernel.run(
      [
        'import requests, hashlib',
        `base = "${base}"`,
        'r = requests.post(base + "/echo", json={"n": 1}, headers={"X-Custom": "yes"})',
        'print(r.status_code, r.json())',
        'print(hashlib.sha256(requests.get(base + "/bytes").content).hexdigest())',
        'print(requests.get(base + "/moved").text == requests.get(base + "/data.csv").text)',
        'print(requests.get(base + "/missing").status_code)',
      ].join('\n'),
    );
    expect(reply.status).toBe('ok');
    const digest = createHash('sha256').update(BYTES).digest('hex');
    expect(streamText(events)).toBe(
      `201 {'method': 'POST', 'body': '{"n": 1}', 'custom': 'yes'}\n${digest}\nTrue\n404\n`,
    );
  });

  test('no answer is a one-line error, and a slow one times out instead of hanging', async () => {
    const started = Date.now();
    const { reply, events } = await kernel.run(
      [
        'import requests, urllib.request',
        'try:',
        `    requests.get("${closed}")`,
        'except requests.ConnectionError as e:',
        '    print(type(e).__name__, e)',
        'try:',
        `    requests.get("${base}/slow", timeout=0.3)`,
        'except requests.Timeout as e:',
        '    print(type(e).__name__)',
        `urllib.request.urlopen("${closed}")`,
      ].join('\n'),
    );
    expect(Date.now() - started).toBeLessThan(1800); // the server answers /slow after 2 s
    const lines = streamText(events).split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^ConnectionError could not fetch ${closed} \\(.*ECONNREFUSED.*\\): no response\\.`),
    );
    expect(lines[1]).toBe('ReadTimeout');
    expect(reply.status).toBe('error');
    expect(reply).toMatchObject({ ename: 'URLError' });
    expect((reply as { evalue: string }).evalue).toContain(`could not fetch ${closed}`);
  });
});

describe('matplotlib', () => {
  test('is set to draw with matplotlib-inline, which is installed with the kernel', async () => {
    const { events } = await kernel.run(
      'import importlib.metadata, os\nprint(os.environ["MPLBACKEND"], importlib.metadata.version("matplotlib-inline"))',
    );
    expect(streamText(events)).toMatch(/^module:\/\/matplotlib_inline\.backend_inline \d+\.\d+\.\d+\n$/);
  });
});

describe('the standard library', () => {
  test('packages the start-up compiled are whole: none hides modules of the standard library', async () => {
    const { events } = await kernel.run(
      [
        'import importlib, sys, zipfile',
        'compiled = zipfile.ZipFile("/lib/sync-kernel-stdlib.zip").namelist()',
        'packages = {name.split("/")[0] for name in compiled if "/" in name}',
        'stdlib = next(path for path in sys.path if path.endswith(".zip") and "python3" in path)',
        'modules = [name[:-3].replace("/", ".").removesuffix(".__init__") for name in zipfile.ZipFile(stdlib).namelist()',
        '           if name.endswith(".py") and name.split("/")[0] in packages and "/test" not in name]',
        'missing = []',
        'for module in modules:',
        '    try:',
        '        importlib.import_module(module)',
        '    except ModuleNotFoundError as error:',
        '        if error.name == module:',
        '            missing.append(module)',
        'print(len(modules) > len(packages), missing)',
      ].join('\n'),
    );
    expect(streamText(events)).toBe('True []\n');
  });
});

describe('the event loop and the engine', () => {
  test('interrupt stops a time.sleep the codemod kept as written (in a lambda), with JSPI and without', async () => {
    const { reply, events, elapsed } = await kernel.runStoppedAtFirstOutput(
      'import time\nprint("start", flush=True)\nlist(map(lambda s: time.sleep(s), [20]))\nprint("never")',
    );
    if (reply.ename !== 'KeyboardInterrupt') console.log(reply.ename, reply.evalue, plain(reply.traceback));
    expect(elapsed).toBeLessThan(15000);
    expect(reply.ename).toBe('KeyboardInterrupt');
    // Stop may land in the print of line 2 or anywhere after it.
    expect(plain(reply.traceback)).toMatch(/-+> [23] /);
    expect(streamText(events)).toBe('start\n');
    const next = await kernel.run(
      't = time.monotonic()\nlist(map(time.sleep, [0.2]))\nprint(time.monotonic() - t >= 0.2)',
    );
    expect(streamText(next.events)).toBe('True\n');
  });

  test('interrupt stops a time.sleep in your own async def, which holds up the loop, at once', async () => {
    const { reply, events, elapsed } = await kernel.runStoppedAtFirstOutput(
      [
        'import asyncio, time',
        'async def blocker():',
        '    print("block start", flush=True)',
        '    time.sleep(20)',
        '    print("never")',
        'asyncio.run(blocker())',
      ].join('\n'),
    );
    expect(elapsed).toBeLessThan(10000);
    expect(reply.ename).toBe('KeyboardInterrupt');
    expect(streamText(events)).toBe('block start\n');
    const next = await kernel.run('print("next")');
    expect(streamText(next.events)).toBe('next\n');
  });

  test('interrupt stops an awaited cell and the next cell runs', async () => {
    const { reply } = await kernel.runStoppedAtFirstOutput('import asyncio\nprint("start")\nawait asyncio.sleep(30)');
    expect(reply.ename).toBe('KeyboardInterrupt');
    expect(plain(reply.traceback)).not.toMatch(/asyncio\/tasks\.py|sync_kernel/);
  });

  test('interrupt stops a loop that never awaits within 500 ms, at its line, and the next cell reads n', async () => {
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    kernel.onEvent = (e) => {
      if (e.msgType === 'stream' && e.content.text.includes('started\n')) {
        started();
      }
    };
    // "started" is printed from inside the loop, so wherever the interrupt lands, n has counted.
    const cell = kernel.run('n = 0\nwhile True:\n    n += 1\n    if n == 1000:\n        print("started", flush=True)');
    await running;
    const interrupted = Date.now();
    await kernel.runtime.interrupt();
    const { reply, events } = await cell;
    kernel.onEvent = undefined;
    expect(Date.now() - interrupted).toBeLessThan(500);
    expect(reply.ename).toBe('KeyboardInterrupt');
    // The lines shown around it are dedented together, so their indent depends on where it stopped.
    expect(plain(reply.traceback)).toMatch(/-+> [2-5] \s*(while True|n \+= 1|if n == 1000:|print)/);
    expect(plain(reply.traceback)).not.toMatch(/sync_kernel/);
    expect(types(events).filter((type) => type === 'error')).toHaveLength(1);
    const next = await kernel.run('print(n > 0)');
    expect(streamText(next.events)).toBe('True\n');
    // The buffer was taken: nothing is left to hit this cell.
    expect((await kernel.run('sum(range(3_000_000))')).reply.status).toBe('ok');
  });

  test("a background task's output goes to the cell running when it prints", async () => {
    await kernel.run(
      'import asyncio\ngo = asyncio.Event()\nasync def later():\n    await go.wait()\n    print("from the background")\nbackground = asyncio.create_task(later())',
    );
    const { events } = await kernel.run('go.set()\nawait background\nprint("done")');
    expect(streamText(events)).toBe('from the background\ndone\n');
  });

  test('user code cannot close or replace the kernel loop', async () => {
    await kernel.run(
      'import asyncio\nkernel_loop = asyncio.get_running_loop()\nasyncio.get_event_loop().close()\nasyncio.set_event_loop(asyncio.new_event_loop())',
    );
    const { reply, events } = await kernel.run(
      'import warnings\nwarnings.simplefilter("ignore", DeprecationWarning)\nawait asyncio.sleep(0.01)\nprint(asyncio.get_event_loop_policy().get_event_loop() is kernel_loop)',
    );
    expect(reply.status).toBe('ok');
    expect(streamText(events)).toBe('True\n');
  });

  test('cells run where stack switching works exactly when the engine has JSPI', async () => {
    const { events } = await kernel.run('from pyodide.ffi import can_run_sync\nprint(can_run_sync())');
    expect(streamText(events)).toBe(JSPI ? 'True\n' : 'False\n');
  });

  test('a time.sleep in your own async def holds up the other tasks, as on desktop, with JSPI and without', async () => {
    // Under JSPI Pyodide's own time.sleep switches stacks, which would let the ticker run meanwhile.
    const code = [
      'import asyncio, time',
      'async def blocker():',
      '    print("block start")',
      '    time.sleep(0.2)',
      '    print("block end")',
      'async def ticker():',
      '    for i in range(3):',
      '        print("tick", i)',
      '        await asyncio.sleep(0.05)',
      'async def main():',
      '    await asyncio.gather(ticker(), blocker())',
      'asyncio.run(main())',
    ].join('\n');
    const desktop = spawnSync(join(REPO, '.venv', 'bin', 'python'), ['-c', code], { encoding: 'utf8' });
    expect(desktop.status).toBe(0);
    const { reply, events } = await kernel.run(code);
    expect(reply.status).toBe('ok');
    expect(streamText(events)).toBe(desktop.stdout);
  });

  test('nest_asyncio, served with the kernel, is loaded when a cell imports it, and its apply() changes nothing', async () => {
    const { reply, events } = await kernel.run(
      'import nest_asyncio, asyncio\nnest_asyncio.apply()\nprint(nest_asyncio.__name__, asyncio.run(asyncio.sleep(0, "ran")))',
    );
    expect(reply.status).toBe('ok');
    expect(streamText(events)).toBe('nest_asyncio ran\n');
  });

  test('an asyncio.run the codemod kept as written runs to its end, with JSPI and without', async () => {
    // In a lambda handed to map nothing can await: the call stays, and must not fail as on a running loop.
    const { reply, events } = await kernel.run(
      [
        'import asyncio',
        'async def twice(n):',
        '    await asyncio.sleep(0.01)',
        '    return 2 * n',
        'print(list(map(lambda n: asyncio.run(twice(n)), [1, 2, 3])))',
      ].join('\n'),
    );
    expect(reply.status).toBe('ok');
    expect(streamText(events)).toBe('[2, 4, 6]\n');
    await kernel.run('%transform off');
    const raw = await kernel.run('print(asyncio.run(twice(5)))');
    await kernel.run('%transform on');
    expect(raw.reply.status).toBe('ok');
    expect(streamText(raw.events)).toBe('10\n');

    // Stop ends a long wait inside it, and the kernel's loop goes on.
    const stopped = await kernel.runStoppedAtFirstOutput(
      'print("start", flush=True)\nlist(map(lambda _: asyncio.run(asyncio.sleep(20)), [0]))',
    );
    expect(stopped.elapsed).toBeLessThan(15000);
    expect(stopped.reply.ename).toBe('KeyboardInterrupt');
    expect(plain(stopped.reply.traceback)).toMatch(/-+> [12] /);
    const after = await kernel.run('await asyncio.sleep(0.01)\nprint(list(map(lambda n: asyncio.run(twice(n)), [4])))');
    expect(streamText(after.events)).toBe('[8]\n');
  });

  test('an input() the codemod could not rewrite waits with JSPI and says why without it', async () => {
    await kernel.run('%transform off');
    kernel.answers = ['typed'];
    const { reply, events } = await kernel.run('print(input("x? "))');
    await kernel.run('%transform on');
    if (JSPI) {
      expect(streamText(events)).toBe('typed\n');
    } else {
      kernel.answers = [];
      expect(reply.ename).toBe('RuntimeError');
      expect(reply.evalue).toMatch(/could not be rewritten.*JSPI/);
    }
  });
});

describe('Stop without shared memory: the worker asks the page while it computes', () => {
  // A local HTTP server stands in for JupyterLite's service worker and the page behind it.
  let server: Server;
  let stops = 0;
  const questions: unknown[] = [];
  let stoppable: TestKernel;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const question = JSON.parse(body) as { data: { kernelId: string } };
        questions.push(question);
        response.end(JSON.stringify({ kernelId: question.data.kernelId, stops }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    stoppable = await TestKernel.start({
      sharedMemory: false,
      stopRequests: {
        url: `http://127.0.0.1:${port}/api/stdin/sync-kernel-stop`,
        browsingContextId: 'b',
        kernelId: 'k',
      },
    });
  });

  afterAll(async () => {
    await stoppable?.stop();
    server?.close();
  });

  test('Stop ends a loop that never awaits within 500 ms, at its line; n survives; no later cell is hit', async () => {
    const quick = await stoppable.run('print(sum(range(10)))');
    expect(streamText(quick.events)).toBe('45\n');
    expect(questions).toEqual([]); // a short cell never waits for the page
    // The first traceback of a kernel imports IPython's formatting; do that before timing a Stop.
    expect((await stoppable.run('1 / 0')).reply.ename).toBe('ZeroDivisionError');
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    stoppable.onEvent = (e) => e.msgType === 'stream' && e.content.text.includes('started\n') && started();
    const cell = stoppable.run(
      'n = 0\nwhile True:\n    n += 1\n    if n == 1000:\n        print("started", flush=True)',
    );
    await running;
    const pressed = Date.now();
    stops += 1; // what the page counts when Stop is pressed...
    void stoppable.runtime.call((r) => r.interrupt(stops)); // ...and the message it sends, which waits for an await
    const { reply } = await cell;
    stoppable.onEvent = undefined;
    expect(Date.now() - pressed).toBeLessThan(500);
    expect(reply.ename).toBe('KeyboardInterrupt');
    // The lines shown around it are dedented together, so their indent depends on where it stopped.
    expect(plain(reply.traceback)).toMatch(/-+> [2-5] \s*(while True|n \+= 1|if n == 1000:|print)/);
    expect(questions[0]).toEqual({ browsingContextId: 'b', data: { kernelId: 'k' } });
    expect(streamText((await stoppable.run('print(n > 0)')).events)).toBe('True\n');
    // The Stop was seen once: a later long cell runs to its end, though the page still says 1.
    expect((await stoppable.run('x = 0\nfor i in range(3_000_000):\n    x += i')).reply.status).toBe('ok');
  });
});

describe('threads run as tasks', () => {
  test('two threads run their first lines when started, and sleeping 0.3 s each, finish together', async () => {
    const { reply, events } = await kernel.run(
      [
        'import threading, time',
        'def work(name):',
        '    print(name, "starts")',
        '    time.sleep(0.3)',
        '    print(name, "ends")',
        'start = time.monotonic()',
        'workers = [threading.Thread(target=work, args=(n,)) for n in "ab"]',
        'for w in workers: w.start()',
        'print("both started")',
        'for w in workers: w.join()',
        'elapsed = time.monotonic() - start',
        'print([w.name for w in workers], threading.active_count())',
      ].join('\n'),
    );
    expect(reply.status).toBe('ok');
    expect(streamText(events)).toBe(
      "a starts\nb starts\nboth started\na ends\nb ends\n['Thread-1 (work)', 'Thread-2 (work)'] 1\n",
    );
    const { events: timing } = await kernel.run('print(0.3 <= elapsed < 0.55)');
    expect(streamText(timing)).toBe('True\n');
  });

  /** Runs `cell`, interrupts it once its thread prints "spinning", and returns the reply and how long Stop took. */
  async function interruptWhenSpinning(
    cell: string,
  ): Promise<{ reply: Awaited<ReturnType<TestKernel['run']>>['reply']; took: number }> {
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    kernel.onEvent = (e) => {
      if (e.msgType === 'stream' && e.content.text.includes('spinning\n')) {
        started();
      }
    };
    const done = kernel.run(cell);
    await running;
    const interrupted = Date.now();
    await kernel.runtime.interrupt();
    const { reply } = await done;
    kernel.onEvent = undefined;
    return { reply, took: Date.now() - interrupted };
  }

  const SPIN = [
    'import threading',
    'count = 0',
    'go = threading.Event()',
    'def spin():',
    '    global count',
    '    go.wait()',
    '    while True:',
    '        count += 1',
    '        if count == 1000:',
    '            print("spinning", flush=True)',
    'spinner = threading.Thread(target=spin)',
    'spinner.start()',
  ];

  test('interrupt ends a thread that computes without waiting; the cell stops at its wait', async () => {
    const { reply, took } = await interruptWhenSpinning([...SPIN, 'go.set()', 'spinner.join()'].join('\n'));
    expect(took).toBeLessThan(500);
    expect(reply.ename).toBe('KeyboardInterrupt');
    expect(plain(reply.traceback)).toMatch(/-+> 14 spinner\.join\(\)/);
    expect(plain(reply.traceback)).not.toMatch(/sync_kernel/);
    const next = await kernel.run('print(count > 0, spinner.is_alive(), threading.active_count())');
    expect(streamText(next.events)).toBe('True False 1\n');
  });

  test('a thread that computes from its first step, inside start(), stops the cell at start()', async () => {
    const { reply, took } = await interruptWhenSpinning(
      [...SPIN.map((line) => line.replace('go.wait()', 'pass')), 'spinner.join()'].join('\n'),
    );
    expect(took).toBeLessThan(500);
    expect(reply.ename).toBe('KeyboardInterrupt');
    expect(plain(reply.traceback)).toMatch(/-+> 12 spinner\.start\(\)/);
    const next = await kernel.run('print(count > 0, spinner.is_alive(), threading.active_count())');
    expect(streamText(next.events)).toBe('True False 1\n');
  });

  test('a join the codemod could not rewrite waits with JSPI and says why without it', async () => {
    const { reply, events } = await kernel.run(
      [
        'import threading, time',
        'def slow():',
        '    time.sleep(0.05)',
        '    print("slow done")',
        't = threading.Thread(target=slow)',
        't.start()',
        'list(map(lambda thread: thread.join(), [t]))',
        'print("joined")',
      ].join('\n'),
    );
    if (JSPI) {
      expect(reply.status).toBe('ok');
      expect(streamText(events)).toBe('slow done\njoined\n');
    } else {
      expect(reply.ename).toBe('RuntimeError');
      expect(reply.evalue).toMatch(/join\(\).*JSPI/);
      await kernel.run('t.join()');
    }
  });
});

describe('other requests', () => {
  test('complete, inspect and is_complete', async () => {
    await kernel.run('alphabet_soup = 1');
    const completion = await kernel.runtime.call((r) =>
      r.complete({ code: 'alpha', cursor_pos: 5 }, header('complete_request')),
    );
    expect(completion.status === 'ok' && completion.matches).toContain('alphabet_soup');
    const inspection = await kernel.runtime.call((r) =>
      r.inspect({ code: 'len', cursor_pos: 3, detail_level: 0 }, header('inspect_request')),
    );
    expect(inspection.status === 'ok' && inspection.found).toBe(true);
    const incomplete = await kernel.runtime.call((r) =>
      r.isComplete({ code: 'for i in x:' }, header('is_complete_request')),
    );
    expect(incomplete.status).toBe('incomplete');
    const info = await kernel.runtime.call((r) =>
      r.commInfo({ target_name: 'no.such.target' }, header('comm_info_request')),
    );
    expect(info).toEqual({ status: 'ok', comms: {} });
  });

  test('with jedi, the first Tab answers at once and jedi completes what only inference finds soon after', async () => {
    const withJedi = await TestKernel.start({ jedi: true });
    try {
      const code = 'def shout(text: str):\n    return text.up'; // only inference knows what text is
      const complete = async () => {
        const asked = Date.now();
        const reply = await withJedi.runtime.call((r) =>
          r.complete({ code, cursor_pos: code.length }, header('complete_request')),
        );
        return { matches: reply.status === 'ok' ? reply.matches : [], took: Date.now() - asked };
      };
      const first = await complete();
      expect(first.took).toBeLessThan(1000); // IPython's own completer, without waiting for jedi
      // The first request started the load; it is done within a generous deadline.
      const deadline = Date.now() + 60_000;
      let latest = first;
      while (!latest.matches.includes('upper') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        latest = await complete();
      }
      expect(latest.matches).toEqual(['upper']);
      const again = await complete();
      expect(again.matches).toEqual(['upper']);
      expect(again.took).toBeLessThan(1000); // jedi was warmed up when it was switched on
      const { reply, events } = await withJedi.run('import jedi\nprint(jedi.__version__)');
      expect(reply.status).toBe('ok');
      expect(streamText(events)).toMatch(/^0\.\d+\.\d+\n$/);
    } finally {
      await withJedi.stop();
    }
  });
});

describe('start-up failures name the step', () => {
  const start = (wheelsDir: string): Promise<unknown> =>
    startRuntime({ ...repoPaths(REPO), wheelsDir }, {}, () => undefined);

  test('a missing lock file fails at "read lock files"', async () => {
    await expect(start(mkdtempSync(join(tmpdir(), 'no-wheels-')))).rejects.toThrow(/read lock files/);
  });

  test('a missing wheel fails at "install wheels" instead of hanging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'some-wheels-'));
    const wheels = repoPaths(REPO).wheelsDir;
    const lock = JSON.parse(readFileSync(join(wheels, 'sync-kernel-lock.json'), 'utf8'));
    for (const entry of Object.values(lock.packages) as { file_name: string; name: string }[]) {
      if (entry.name !== 'traitlets') {
        copyFileSync(join(wheels, entry.file_name), join(dir, entry.file_name));
      }
    }
    writeFileSync(join(dir, 'sync-kernel-lock.json'), JSON.stringify(lock));
    await expect(start(dir)).rejects.toThrow(/install wheels.*traitlets/);
  });
});

describe('a runtime prepared before its kernel (as a page prepares one while it loads)', () => {
  test('runs cells as one started at once, and refuses to serve other site options', async () => {
    const events: RuntimeEvent[] = [];
    const node = await startRuntime(
      repoPaths(REPO),
      { snapshot: SNAPSHOT },
      ({ event }) => events.push(event),
      undefined,
      {
        prepareFirst: true,
      },
    );
    try {
      const reply = await node.call((r) =>
        r.execute(executeContent('import sys\nprint(sys.version_info[:2])'), header()),
      );
      expect(reply.status).toBe('ok');
      expect(streamText(events)).toBe('(3, 14)\n');
      // The warm-up cell left no trace: this is cell 1, and the history has only the person's cells.
      expect(reply.execution_count).toBe(1);
      events.length = 0;
      await node.call((r) => r.execute(executeContent('print(In, Out)'), header()));
      expect(streamText(events)).toBe("['', 'import sys\\nprint(sys.version_info[:2])', 'print(In, Out)'] {}\n");
      const { times } = await node.call((r) => r.bootReport());
      expect(Object.keys(times)).toEqual(
        expect.arrayContaining(['read lock files', 'import shell', 'start kernel', 'warm up']),
      );
      await expect(
        node.call((r) => r.prepare({ ...repoPaths(REPO), baseUrl: '/', pyodideUrl: '/elsewhere/', wheelsUrl: '/w/' })),
      ).rejects.toThrow(/prepared for other site options/);
    } finally {
      await node.terminate();
    }
  });
});

describe('the memory snapshot', () => {
  const wheels = repoPaths(REPO).wheelsDir;
  const readLock = (dir: string): LockFile => JSON.parse(readFileSync(join(dir, 'sync-kernel-lock.json'), 'utf8'));
  const pyodideVersion = (): string =>
    JSON.parse(readFileSync(join(REPO, 'node_modules', 'pyodide', 'package.json'), 'utf8')).version;
  /** The snapshot the build made for this engine. */
  const snapshotName = async (): Promise<string> =>
    snapshotFile(pyodideVersion(), await wheelsHash(readLock(wheels)), engineStackSwitching());

  /** A copy of build/wheels (links) without its snapshots, to put other ones in. */
  const wheelsWithoutSnapshots = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'wheels-'));
    for (const name of readdirSync(wheels).filter((name) => !name.endsWith('.snapshot'))) {
      symlinkSync(join(wheels, name), join(dir, name));
    }
    return dir;
  };

  /** Start a kernel from `wheelsDir`, run `code`, and return its stdout and how it booted. */
  const bootAndRun = async (
    options: Partial<RuntimeOptions>,
    code: string,
    wheelsDir = wheels,
  ): Promise<{ stdout: string; origin: unknown }> => {
    const events: RuntimeEvent[] = [];
    const steps: string[] = [];
    const node = await startRuntime(
      { ...repoPaths(REPO), wheelsDir },
      options,
      ({ event }) => events.push(event),
      (step) => steps.push(step),
    );
    try {
      const reply = await node.call((r) => r.execute(executeContent(code), header()));
      expect(reply.status).toBe('ok');
      const report = await node.call((r) => r.bootReport());
      // A page showing the start hears every step the report times, as each begins.
      expect(steps).toEqual(Object.keys(report.times));
      return { stdout: streamText(events), origin: report.origin };
    } finally {
      await node.terminate();
    }
  };

  /**
   * What a kernel's Python looks like after it started, and its random state. (The snapshot was
   * taken after formatting one traceback, which imports modules: a booted kernel does the same first.)
   */
  const FINGERPRINT = [
    'from sync_kernel.kernel import snapshot; snapshot.prepare()',
    'import json, os, random, sys, time, pyodide_js',
    'site = next(path for path in sys.path if path.endswith("site-packages"))',
    'print(json.dumps({"path": sys.path, "modules": sorted(sys.modules), "cwd": os.getcwd(), "argv": sys.orig_argv,',
    '    "executable": sys.executable, "zone": [time.timezone, time.altzone, time.daylight, time.tzname],',
    '    "environ": dict(os.environ), "packages": pyodide_js.loadedPackages.to_py(), "site": sorted(os.listdir(site)),',
    '    "reads_sources": len(open(os.path.join(site, "IPython", "core", "interactiveshell.py")).read()) > 0}))',
    'print(hash(random.getstate()))',
  ].join('\n');

  test('a kernel from it has formatted a traceback already (one booted from the wheels has not)', async () => {
    const formatted = 'import sys\nprint("pygments.lexers.python" in sys.modules)';
    expect((await bootAndRun({ snapshot: true }, formatted)).stdout).toBe('True\n');
    expect((await bootAndRun({ snapshot: false }, formatted)).stdout).toBe('False\n');
  });

  test('kernels start from it unless it is turned off', async () => {
    const { origin } = await kernel.runtime.call((r) => r.bootReport());
    expect(origin).toEqual(SNAPSHOT ? { snapshot: true } : { snapshot: false, reason: 'the snapshot is turned off' });
  });

  test('a kernel from it starts as one booted from the wheels, with random numbers of its own', async () => {
    const first = await bootAndRun({ snapshot: true }, FINGERPRINT);
    const second = await bootAndRun({ snapshot: true }, FINGERPRINT);
    const booted = await bootAndRun({ snapshot: false }, FINGERPRINT);
    expect([first.origin, second.origin, booted.origin]).toEqual([
      { snapshot: true },
      { snapshot: true },
      { snapshot: false, reason: 'the snapshot is turned off' },
    ]);
    const [state, seed] = first.stdout.trim().split('\n');
    expect(JSON.parse(state)).toEqual(JSON.parse(booted.stdout.trim().split('\n')[0]));
    expect(second.stdout.trim().split('\n')[1]).not.toBe(seed);
  }, 180_000);

  test('a cell that the codemod rewrites runs the same in a restored kernel and in a booted one', async () => {
    // The suite runs its kernel from the snapshot; this is the check that the wheels' path behaves alike.
    const cell = [
      'import asyncio, time',
      'def nap(s):',
      '    time.sleep(s)',
      '    return f"slept {s}"',
      'async def tick():',
      '    await asyncio.sleep(0)',
      '    return "ticked"',
      'print(nap(0.01), asyncio.run(tick()), flush=True)',
      'try:',
      '    nap("x")',
      'except TypeError as error:',
      '    print(type(error).__name__)',
    ].join('\n');
    const restored = await bootAndRun({ snapshot: true }, cell);
    const booted = await bootAndRun({ snapshot: false }, cell);
    expect(restored.stdout).toBe('slept 0.01 ticked\nTypeError\n');
    expect(booted).toEqual({ ...restored, origin: { snapshot: false, reason: 'the snapshot is turned off' } });
  }, 120_000);

  test('one made for other wheels is not used: the kernel says why and boots from the wheels', async () => {
    const dir = wheelsWithoutSnapshots();
    const lock = readLock(wheels);
    // Another package in the lock file: other wheels, so another name for the snapshot.
    lock.packages['unused'] = { ...lock.packages['comm'], name: 'unused', sha256: '0'.repeat(64) };
    unlinkSync(join(dir, 'sync-kernel-lock.json'));
    writeFileSync(join(dir, 'sync-kernel-lock.json'), JSON.stringify(lock));
    const name = snapshotFile(pyodideVersion(), await wheelsHash(lock), engineStackSwitching());
    copyFileSync(join(wheels, await snapshotName()), join(dir, name));
    const { stdout, origin } = await bootAndRun({}, 'print(6 * 7)', dir);
    expect(stdout).toBe('42\n');
    expect(origin).toEqual({
      snapshot: false,
      reason: expect.stringMatching(/did not restore .*made for other wheels/),
    });
  }, 120_000);

  test('one that Pyodide refuses to restore is not used either', async () => {
    const dir = wheelsWithoutSnapshots();
    const name = await snapshotName();
    const snapshot = await decodeSnapshot(new Uint8Array(readFileSync(join(wheels, name))));
    // Bytes 16-47 of Pyodide's memory snapshot are the id of the Pyodide build that made it.
    const memory = snapshot.memory.slice();
    memory[16] ^= 0xff;
    writeFileSync(join(dir, name), encodeSnapshot({ ...snapshot, memory }));
    const { stdout, origin } = await bootAndRun({}, 'print(6 * 7)', dir);
    expect(stdout).toBe('42\n');
    expect(origin).toEqual({
      snapshot: false,
      reason: expect.stringMatching(/did not restore \(step "restore snapshot": Snapshot build id mismatch\)/),
    });
  }, 120_000);

  test('a build without one starts from the wheels', async () => {
    const { origin } = await bootAndRun({}, 'pass', wheelsWithoutSnapshots());
    expect(origin).toEqual({ snapshot: false, reason: `${await snapshotName()} is not in the build` });
  }, 120_000);
});
