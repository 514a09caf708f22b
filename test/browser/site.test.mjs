/**
 * The built demo site in Chromium, used as a person uses it: open each example
 * notebook, Run > Run All Cells, read what appears. Every test runs twice, with
 * JSPI available in the kernel's worker and without it (see lite.mjs), on a
 * page that is not cross-origin isolated, and fails on any console error,
 * uncaught error, alert, or request that leaves the site's own server.
 *
 * Run with `npm run test:browser` (builds the site first). Screenshots of every
 * visit go to test-results/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { EXAMPLES_DIR, FIXTURES_DIR, KERNEL_TIMEOUT, launchChromium, Notebook, serveSite, Visit } from './lite.mjs';

let site;
let browser;

const DATA_CSV = 'city,people\nOslo,709000\nLima,10000000\n';

/**
 * A data host on another origin (another port): what is under /cors/ allows
 * cross-origin requests, as GitHub raw files do; what is under /private/ does not.
 * Listening before the tests are declared: a visit needs its origin.
 */
const dataHost = { url: '', requests: [], server: createServer() };
await new Promise((resolve) => dataHost.server.listen(0, '127.0.0.1', resolve));
dataHost.url = `http://127.0.0.1:${dataHost.server.address().port}`;

before(async () => {
  site = await serveSite();
  browser = await launchChromium();
  dataHost.server.on('request', (request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      dataHost.requests.push(`${request.method} ${request.url}`);
      const cors = request.url.startsWith('/cors/')
        ? {
            'Access-Control-Allow-Origin': '*',
            'Access-Control-Allow-Headers': '*',
            'Access-Control-Allow-Methods': '*',
          }
        : {};
      const file = request.url.replace(/^\/(cors|private)\//, '');
      if (request.method === 'OPTIONS') {
        response.writeHead(204, cors).end();
      } else if (file === 'data.csv') {
        response.writeHead(200, { ...cors, 'Content-Type': 'text/csv' }).end(DATA_CSV);
      } else if (file === 'data.json') {
        response.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end('{"x": [1, 2, 3]}');
      } else if (file === 'echo') {
        const echo = { method: request.method, body: Buffer.concat(chunks).toString() };
        response.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify(echo));
      } else {
        response.writeHead(404, cors).end();
      }
    });
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
  dataHost.server.closeAllConnections();
  await new Promise((resolve) => dataHost.server.close(resolve));
});

for (const jspi of [true, false]) {
  const mode = jspi ? 'jspi-on' : 'jspi-off';

  /**
   * Run `body` in a fresh browser context, then check what must hold on every
   * visit. Saves a screenshot named after the test either way.
   */
  const visit = (name, body, options = {}) =>
    test(`${name} (${mode})`, { timeout: 3 * KERNEL_TIMEOUT }, async () => {
      const v = await Visit.open(browser, site.url, { jspi, ...options });
      try {
        await body(v);
        const worker = v.kernelWorker();
        assert.ok(worker, 'the kernel runs in its module worker');
        assert.equal(
          await worker.evaluate(() => 'Suspending' in WebAssembly),
          jspi,
          `WebAssembly.Suspending is ${jspi ? 'present' : 'absent'} in the kernel's worker`,
        );
        assert.equal(await v.page.evaluate(() => self.crossOriginIsolated), false);
        assert.deepEqual(v.errors, [], 'no errors in the page or worker consoles');
        // The build makes one for each kind of engine, Chromium's standard JSPI included.
        assert.deepEqual(v.withoutSnapshot, [], 'every kernel starts from the memory snapshot made for its engine');
        assert.deepEqual(v.offsite, [], 'no request leaves the site');
        assert.deepEqual(v.dialogs, [], 'no alert or other dialog');
      } finally {
        await v.screenshot(`${name.replace(/\W+/g, '-')}-${mode}`).catch(() => undefined);
        await v.close();
      }
    });

  describe(`demo site, ${mode}`, () => {
    visit('progress.ipynb streams the bar while the cell runs', async (v) => {
      const nb = await v.openNotebook('progress.ipynb');
      // Record what the running cell shows each time its outputs change.
      await v.page.evaluate(
        (cell) => {
          window.__progressSeen = [];
          new MutationObserver(() => {
            const running = cell.querySelector('.jp-InputPrompt').textContent.includes('*');
            const steps = (cell.querySelector('.jp-OutputArea')?.textContent ?? '').match(/\d+\/10/g);
            window.__progressSeen.push({ running, steps: steps ? steps.length : 0 });
          }).observe(cell, { subtree: true, childList: true, characterData: true });
        },
        await nb.codeCells.nth(1).elementHandle(),
      );
      await nb.runAll();
      await nb.waitUntilAllRan();

      const output = await nb.outputText(1);
      assert.match(output, /\[ +\] 0\/10/);
      assert.match(output, /\[#{20}\] 10\/10\s+done/);
      const seen = await v.page.evaluate(() => window.__progressSeen);
      const partial = new Set(seen.filter((s) => s.running && s.steps > 0 && s.steps < 11).map((s) => s.steps));
      assert.ok(partial.size >= 3, `progress lines appeared in steps while the cell ran (saw ${[...partial]})`);
      assert.match(await nb.notes(0).innerText(), /1 rewrite, 1 function made async/);
      assert.match(await nb.notes(0).innerText(), /time\.sleep\(0\.05\)\s*→\s*await/);
      assert.match(await nb.notes(1).innerText(), /progress\(10\)\s*→\s*await progress\(10\)/);
    });

    visit('asyncio_script.ipynb awaits __sync__.run(main()) instead of asyncio.run', async (v) => {
      const nb = await v.openNotebook('asyncio_script.ipynb');
      await nb.runAll();
      await nb.waitUntilAllRan();
      assert.match(await nb.outputText(1), /slow finished after 0\.2 s\s+fast finished after 0\.1 s/);
      assert.match(await nb.notes(1).innerText(), /asyncio\.run\(main\(\)\)\s*→\s*await __sync__\.run\(main\(\)\)/);
    });

    visit('helpers.ipynb awaits helpers from earlier cells', async (v) => {
      const nb = await v.openNotebook('helpers.ipynb');
      await nb.runAll();
      await nb.waitUntilAllRan();
      assert.match(await nb.outputText(1), /0 0\n1 1\n2 4\n3 9/);
      assert.match(await nb.outputText(2), /\[0, 1, 4, 9, 16\]\s+5/);
      assert.match(await nb.notes(2).innerText(), /await/);
    });

    visit('input.ipynb is answered by typing into the page', async (v) => {
      const nb = await v.openNotebook('input.ipynb');
      await nb.runAll();
      const answer = async (prompt, text) => {
        // Answered prompts stay in the page, hidden; the open one is the visible one.
        const box = nb.panel.locator('.jp-Stdin:visible').filter({ hasText: prompt });
        await box.waitFor({ timeout: KERNEL_TIMEOUT });
        await box.locator('input.jp-Stdin-input').fill(text);
        await box.locator('input.jp-Stdin-input').press('Enter');
      };
      await answer('What is your name?', 'Ada');
      await answer('First number:', 'seven');
      await answer('First number:', '3');
      await answer('Second number:', '4');
      await nb.waitUntilAllRan();
      assert.match(await nb.outputText(0), /Hello, Ada!/);
      const sums = await nb.outputText(1);
      assert.match(sums, /'seven' is not a number, try again/);
      assert.match(sums, /Sum: 7/);
    });

    visit('files.ipynb reads the file next to it; what a cell writes shows in the file browser', async (v) => {
      const nb = await v.openNotebook('files.ipynb');
      await nb.runAll();
      await nb.waitUntilAllRan();
      const rows = readFileSync(`${EXAMPLES_DIR}/measurements.csv`, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','));
      assert.match(await nb.outputText(0), new RegExp(`^${rows.length} measurements$`, 'm'));
      const listing = await nb.outputText(1);
      for (const [city, temperature] of rows) {
        assert.match(listing, new RegExp(`^${city} +${Number(temperature).toFixed(1)} °C$`, 'm'));
      }
      const mean = rows.reduce((sum, [, temperature]) => sum + Number(temperature), 0) / rows.length;
      assert.match(listing, new RegExp(`^mean: ${mean.toFixed(2)} °C$`, 'm'));

      // A file a cell writes is a file of the file browser: it is listed, and opens with what was written.
      const write = await nb.typeAndRun(
        'with open("written-by-python.txt", "w") as f:\n    f.write("hello from the kernel")',
      );
      await nb.waitForCell(write);
      const item = v.page.locator('.jp-DirListing-item', { hasText: 'written-by-python.txt' });
      await item.waitFor({ timeout: KERNEL_TIMEOUT });
      await item.dblclick();
      await v.page.locator('.jp-FileEditor .cm-content', { hasText: 'hello from the kernel' }).waitFor();
    });

    visit('talk_asyncio_run.ipynb: asyncio.run and the function around it', async (v) => {
      const nb = await v.openNotebook('talk_asyncio_run.ipynb');
      await nb.runAll();
      await nb.waitUntilAllRan();
      assert.match(await nb.outputText(0), /fn finished[\s\S]*42/);
      assert.match(await nb.outputText(1), /coro ran/);
      const notes = await nb.notes(1).innerText();
      assert.match(notes, /1 rewrite, 1 function made async, 1 call awaited/);
    });

    visit('talk_concurrent_task.ipynb: the task runs during the sleep', async (v) => {
      const nb = await v.openNotebook('talk_concurrent_task.ipynb');
      await nb.runAll();
      await nb.waitUntilAllRan();
      assert.match(
        await nb.outputText(0),
        /Script start [\d.]+ s\s+Async timer start [\d.]+ s\s+Async timer end [\d.]+ s\s+Script end [\d.]+ s/,
      );
    });

    visit('threads.ipynb: workers, a thread pool and a progress thread print as on desktop', async (v) => {
      const nb = await v.openNotebook('threads.ipynb');
      await nb.runAll();
      await nb.waitUntilAllRan();
      assert.match(
        await nb.outputText(0),
        /consumed item 0\s+consumed item 1\s+consumed item 2\s+consumed item 3\s+consumed item 4\s+consumer done\s+\['Thread-1 \(producer\)', 'Thread-2 \(consumer\)'\] alive: 1/,
      );
      assert.match(
        await nb.outputText(1),
        /squares: \[0, 1, 4, 9\]\s+workers: \['fetcher_0', 'fetcher_1', 'fetcher_2', 'fetcher_3'\]\s+overlapped: True/,
      );
      assert.match(await nb.outputText(2), /\[#\.\.\.\.\] 1\/5[\s\S]*\[#####\] 5\/5\s+done/);
      assert.match(await nb.notes(0).innerText(), /rewrite/);
    });

    visit('talk_name_resolution.ipynb: every spelling of time.sleep, and only it', async (v) => {
      const nb = await v.openNotebook('talk_name_resolution.ipynb');
      await nb.runAll();
      await nb.waitUntilAllRan();
      const rewritten = [0, 1, 2, 3, 4, 6];
      for (const i of rewritten) {
        assert.match(await nb.notes(i).innerText(), /→\s*await/, `code cell ${i} is rewritten`);
      }
      assert.equal(await nb.notes(5).count(), 0, '`nap = time.sleep` changes nothing');
      assert.equal(await nb.notes(7).count(), 0, 'a sleep of your own is left alone');
      assert.match(await nb.outputText(7), /my own sleep\(5\) does not wait/);
    });

    visit('talk_chain_reaction.ipynb: callers become async all the way up', async (v) => {
      const nb = await v.openNotebook('talk_chain_reaction.ipynb');
      await nb.runAll();
      await nb.waitUntilAllRan();
      assert.match(await nb.outputText(0), /3\n2\n1\nApollo: liftoff!/);
      assert.match(await nb.outputText(1), /Gemini: liftoff![\s\S]*Mercury: liftoff!/);
      const bar = nb.notes(0);
      assert.equal(
        await bar.locator('.jp-SyncNotes-count').innerText(),
        '1 rewrite, 2 functions made async, 2 calls awaited',
      );
      // Collapsed, the bar shows one line; opened, every step of the chain.
      const list = bar.locator('.jp-SyncNotes-list');
      assert.equal(await list.isVisible(), false);
      await bar.locator('summary').click();
      await list.waitFor();
      assert.deepEqual(
        (await list.locator('li').allInnerTexts()).map((t) => t.split(' ').slice(0, 2).join(' ')),
        ['line 3', 'line 6', 'line 8', 'line 9', 'line 12'],
      );
    });

    visit('transform_magic.ipynb shows the rewrite without running it', async (v) => {
      const nb = await v.openNotebook('transform_magic.ipynb');
      await nb.runAll();
      await nb.waitUntilAllRan();
      const preview = await nb.outputText(0);
      assert.match(preview, /async def tick\(n\):/);
      assert.match(preview, /await __sync__\.sleep\(1\)/);
      assert.match(preview, /await tick\(3\)/);
      assert.doesNotMatch(preview, /tick 0/, '%%transform does not run the cell');
      assert.match(await nb.outputText(1), /tick 0\ntick 1\ntick 2/);
      assert.match(await nb.outputText(2), /await __sync__\.sleep\(0\.1\)/);
      // The view: changed lines flagged, what the rewrite added marked, keywords coloured.
      const view = nb.codeCells.nth(0).locator('.jp-SyncTransform');
      assert.deepEqual(await view.locator('.jp-SyncTransform-changed mark').allInnerTexts(), [
        'async ',
        'await __sync__',
        'await ',
      ]);
      assert.equal(await view.locator('.jp-SyncTransform-same').count(), 5); // of 8 lines, 3 changed
      assert.ok((await view.locator('.jp-SyncTransform-keyword').allInnerTexts()).includes('def'));
      // Code that looks like markup stays text.
      const tricky = await nb.typeAndRun('%%transform\nimport time\ntime.sleep(0)  # <img src=x onerror=alert(1)>');
      await nb.waitForCell(tricky);
      const shown = tricky.locator('.jp-SyncTransform');
      await shown.waitFor();
      assert.match(await shown.innerText(), /# <img src=x onerror=alert\(1\)>/);
      assert.equal(await shown.locator('img').count(), 0);
      // Open the first bar for the screenshot: the rewrite and its notes together.
      await nb.notes(0).locator('summary').click();
      await nb.notes(0).locator('.jp-SyncNotes-list').waitFor();
      await v.page.setViewportSize({ width: 1280, height: 1300 }); // the whole notebook in view
      await nb.codeCells.nth(0).scrollIntoViewIfNeeded();
      await v.screenshot(`transform-magic-notebook-${mode}`, nb.panel.locator('.jp-WindowedPanel-outer'));
    });

    visit('a new notebook: %pip installs with micropip served by the site', async (v) => {
      const nb = await v.newNotebook();
      const made = await nb.typeAndRun(readFileSync(`${FIXTURES_DIR}/make_demo_wheel.py`, 'utf8'));
      await nb.waitForCell(made);
      const install = await nb.typeAndRun(
        '%pip install emfs:/tmp/dist/sync_demo-1.0-py3-none-any.whl\nimport sync_demo\nprint(sync_demo.GREETING)',
      );
      await nb.waitForCell(install);
      const output = await install.locator('.jp-OutputArea').innerText();
      assert.match(output, /^Successfully installed sync-demo-1\.0$/m);
      assert.match(output, /^hello from a wheel$/m);
    });

    visit(
      'a new notebook: requests and urllib read a host that allows cross-origin requests; one that does not is a one-line error',
      async (v) => {
        const nb = await v.newNotebook();
        const base = dataHost.url;
        const read = await nb.typeAndRun(
          [
            'import requests, urllib.request',
            `base = "${base}"`,
            'print(requests.get(base + "/cors/data.json").json())',
            'with urllib.request.urlopen(base + "/cors/data.csv") as r:',
            '    print(r.status, r.read().decode().strip().splitlines())',
            'print(requests.post(base + "/cors/echo", json={"n": 1}).json())',
          ].join('\n'),
        );
        await nb.waitForCell(read);
        const rows = DATA_CSV.trim().split('\n');
        assert.equal(
          (await read.locator('.jp-OutputArea').innerText()).trim(),
          [
            `{'x': [1, 2, 3]}`,
            `200 [${rows.map((row) => `'${row}'`).join(', ')}]`,
            `{'method': 'POST', 'body': '{"n": 1}'}`,
          ].join('\n'),
        );
        // The browser says on the console that it blocked the request; that is the point here.
        v.expectConsoleError(/blocked by CORS policy|Failed to load resource: net::ERR_FAILED/);
        const asked = dataHost.requests.length;
        const blocked = await nb.typeAndRun(`requests.get(base + "/private/data.csv")`);
        await nb.waitForCell(blocked);
        const error = await blocked.locator('.jp-OutputArea').innerText();
        assert.match(
          error,
          new RegExp(
            `ConnectionError: could not fetch ${base}/private/data\\.csv: no response\\. A host read from a browser must allow cross-origin requests \\(CORS\\)`,
          ),
        );
        assert.deepEqual(dataHost.requests.slice(asked), ['GET /private/data.csv'], 'asked once, not retried');
      },
      { otherOrigins: [new URL(dataHost.url).origin] },
    );

    visit(
      'a new notebook: Tab completes, Shift+Tab and ? show the signature, %ls lists the folder, %timeit',
      async (v) => {
        const nb = await v.newNotebook();
        const defined = await nb.typeAndRun(
          'import math\ndata = {"alpha": 1, "beta": 2}\ndef area(radius, *, scale=1):\n' +
            '    "Area of a circle."\n    return math.pi * radius**2 * scale',
        );
        await nb.waitForCell(defined);
        const popup = v.page.locator('.jp-Completer');
        const cellText = (cell) => cell.locator('.cm-content').innerText();

        // Several matches: the popup lists them.
        await nb.typeInNewCell('math.s');
        await v.page.keyboard.press('Tab');
        await popup.waitFor({ timeout: KERNEL_TIMEOUT });
        const offered = await popup.locator('.jp-Completer-item').allInnerTexts();
        for (const name of ['sin', 'sqrt']) {
          assert.ok(
            offered.some((text) => text.includes(name)),
            `${name} is offered: ${offered.join(' | ')}`,
          );
        }
        await v.page.keyboard.press('Escape');
        // One match: Tab puts it in (JupyterLab may show it first; Enter takes it).
        for (const [typed, completed] of [
          ['math.sq', 'math.sqrt'],
          ['data["al', 'data["alpha'],
          ['area(rad', 'area(radius='],
        ]) {
          const cell = await nb.typeInNewCell(typed);
          await v.page.keyboard.press('Tab');
          const done = cell.locator('.cm-content', { hasText: completed });
          await done.or(popup).first().waitFor({ timeout: KERNEL_TIMEOUT });
          if (!(await done.isVisible())) {
            assert.equal(await popup.locator('.jp-Completer-item').count(), 1, `one match for ${typed}`);
            await v.page.keyboard.press('Enter');
          }
          await done.waitFor({ timeout: KERNEL_TIMEOUT });
          assert.ok((await cellText(cell)).startsWith(completed), `${typed} → ${await cellText(cell)}`);
          await v.page.keyboard.press('Escape');
        }

        // Shift+Tab inside the call: the signature and docstring in a tooltip.
        await nb.typeInNewCell('area(');
        await v.page.keyboard.press('Shift+Tab');
        const tooltip = v.page.locator('.jp-Tooltip');
        await tooltip.waitFor({ timeout: KERNEL_TIMEOUT });
        const shown = await tooltip.innerText();
        assert.match(shown, /area\(radius, \*, scale=1\)/);
        assert.match(shown, /Area of a circle\./);
        await v.page.keyboard.press('Escape');
        await v.page.keyboard.press('Escape');

        const help = await nb.typeAndRun('area?');
        await nb.waitForCell(help);
        const page = await help.locator('.jp-OutputArea').innerText();
        assert.match(page, /Signature:\s*area\(radius, \*, scale=1\)/);
        assert.match(page, /Docstring:\s*Area of a circle\./);

        const listing = await nb.typeAndRun('%ls');
        await nb.waitForCell(listing);
        const names = (await listing.locator('.jp-OutputArea').innerText()).split('\n');
        for (const example of ['progress.ipynb', 'measurements.csv']) {
          assert.ok(names.includes(example), `%ls lists ${example}: ${names.join(' ')}`);
        }

        // Code given to a magic is rewritten too: %timeit times the awaited sleeps.
        const timed = await nb.typeAndRun('import time\n%timeit -n 2 -r 2 time.sleep(0.02)');
        await nb.waitForCell(timed);
        const timing = /([\d.]+) (ms|s) ± .* per loop \(mean ± std\. dev\. of 2 runs, 2 loops each\)/.exec(
          await timed.locator('.jp-OutputArea').innerText(),
        );
        assert.ok(timing, "IPython's timeit line");
        assert.ok(Number(timing[1]) * (timing[2] === 's' ? 1000 : 1) >= 20, `each loop waited 20 ms: ${timing[0]}`);
      },
    );

    visit('widgets.ipynb: the interact slider, moved with the keyboard, updates its output each time', async (v) => {
      const nb = await v.openNotebook('widgets.ipynb');
      await nb.runAll();
      await nb.waitUntilAllRan();
      const output = nb.codeCells.nth(0).locator('.widget-output');
      await output.filter({ hasText: '20 °C = 68 °F' }).waitFor({ timeout: KERNEL_TIMEOUT });
      await nb.codeCells.nth(0).locator('.widget-slider .noUi-handle').focus();
      for (const celsius of [25, 30, 35]) {
        await v.page.keyboard.press('ArrowRight');
        const fahrenheit = Math.round((celsius * 9) / 5 + 32);
        await output.filter({ hasText: `${celsius} °C = ${fahrenheit} °F` }).waitFor({ timeout: KERNEL_TIMEOUT });
      }
      const check = await nb.typeAndRun('convert.widget.children[0].value');
      await nb.waitForCell(check);
      assert.match(await check.locator('.jp-Cell-outputArea').innerText(), /^35$/m);
    });

    visit('a new notebook: widgets answer while a cell waits (button, slider, jupyter_ui_poll)', async (v) => {
      const nb = await v.newNotebook();
      const running = (cell) =>
        cell.locator('.jp-InputPrompt', { hasText: '[*]' }).waitFor({ timeout: KERNEL_TIMEOUT });

      // A click during a sleep loop is seen at the loop's next sleep.
      const loop = await nb.typeAndRun(
        'import time, ipywidgets as w\nclicked = []\nb = w.Button(description="go")\n' +
          'b.on_click(lambda _: clicked.append(1))\ndisplay(b)\nfor i in range(200):\n' +
          '    if clicked:\n        print("seen click at", i)\n        break\n    time.sleep(0.05)',
      );
      await running(loop);
      await loop.locator('.widget-button', { hasText: 'go' }).click();
      await nb.waitForCell(loop);
      const seen = /seen click at (\d+)/.exec(await loop.locator('.jp-OutputArea').innerText());
      assert.ok(seen && Number(seen[1]) < 200, `the loop saw the click: ${seen?.[0]}`);

      // A slider moved three times during a sleep loop is read three times.
      const slider = await nb.typeAndRun(
        's = w.IntSlider(value=0)\ndisplay(s)\nread = [0]\nfor _ in range(600):\n' +
          '    if s.value != read[-1]:\n        read.append(s.value)\n        print("read", s.value, flush=True)\n' +
          '    if len(read) == 4:\n        break\n    time.sleep(0.05)\nprint(read)',
      );
      await running(slider);
      await slider.locator('.widget-slider .noUi-handle').focus();
      for (const value of [1, 2, 3]) {
        await v.page.keyboard.press('ArrowRight');
        await slider.locator('.jp-OutputArea', { hasText: `read ${value}` }).waitFor({ timeout: KERNEL_TIMEOUT });
      }
      await nb.waitForCell(slider);
      assert.match(await slider.locator('.jp-OutputArea').innerText(), /^\[0, 1, 2, 3\]$/m);

      // jupyter_ui_poll's README example, served with the kernel: it waits for the click.
      const poll = await nb.typeAndRun(
        'from jupyter_ui_poll import ui_events\nui_done = False\ndef on_click(btn):\n    global ui_done\n' +
          "    ui_done = True\n    btn.description = 'thanks'\nbtn = w.Button(description='Click Me')\n" +
          'btn.on_click(on_click)\ndisplay(btn)\nwith ui_events() as poll:\n    while ui_done is False:\n' +
          "        poll(10)\n        print('.', end='')\n        time.sleep(0.1)\nprint('done')",
      );
      await running(poll);
      await poll.locator('.widget-button', { hasText: 'Click Me' }).click();
      await nb.waitForCell(poll);
      assert.match(await poll.locator('.jp-OutputArea').innerText(), /^\.*done$/m);
      await poll.locator('.widget-button', { hasText: 'thanks' }).waitFor();
      // The clicks' own busy/idle did not leave the kernel shown busy.
      await nb.panel
        .locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
        .waitFor({ timeout: KERNEL_TIMEOUT });
    });

    visit('a new notebook shows its kernel starting, and runs a cell typed meanwhile', async (v) => {
      // Hold the kernel's start at its first download until the cell is in, so that the cell
      // certainly arrives while the kernel starts (however fast it starts).
      let release;
      const held = new Promise((resolve) => (release = resolve));
      await v.context.route('**/wheels/sync-kernel-lock.json', async (route) => {
        await held;
        await route.continue();
      });
      await v.page.goto(`${v.siteUrl}lab/index.html`);
      await v.page.locator('.jp-LauncherCard[data-category="Notebook"]', { hasText: 'Python (sync, Pyodide)' }).click();
      const nb = new Notebook(v.page);
      // Said in the notebook's toolbar, and in the status bar with the step it is at.
      await nb.panel.locator('.jp-Notebook-ExecutionIndicator[data-status="starting"]').waitFor();
      await v.page.locator('.jp-StatusBar-Widget', { hasText: /Python \(sync, Pyodide\) \| Starting/ }).waitFor();
      const step = v.page.locator('.jp-SyncKernel-StartingStatus');
      await step.filter({ hasText: 'Python (sync, Pyodide) is starting: read lock files…' }).waitFor();
      const cell = await nb.typeAndRun('print("ran once the kernel had started")');
      await cell.locator('.jp-InputPrompt', { hasText: '[*]' }).waitFor();
      await v.screenshot(`kernel-starting-${mode}`);
      release();
      await nb.waitForCell(cell);
      assert.equal((await cell.locator('.jp-InputPrompt').innerText()).trim(), '[1]:');
      assert.match(await cell.locator('.jp-OutputArea').innerText(), /^ran once the kernel had started$/m);
      await step.waitFor({ state: 'hidden' });
      await nb.panel.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').waitFor();
    });

    visit('launcher click to first result, on a first visit and on a return visit', async (v) => {
      /**
       * Click the launcher's card, run a cell as soon as JupyterLab takes one, and time click →
       * its output, in the page. (JupyterLab drops a cell run before the notebook's session has a
       * kernel, a moment after the notebook shows, on desktop too; from then on, it is queued.)
       */
      const firstResult = async () => {
        const { notebook } = await v.newNotebookFromLauncher();
        const cell = await notebook.typeAndRun('print("first result")');
        await cell.locator('.jp-OutputArea', { hasText: 'first result' }).waitFor({ timeout: KERNEL_TIMEOUT });
        return v.page.evaluate(() => Math.round(performance.now() - window.__clicked));
      };
      await v.page.goto(`${v.siteUrl}lab/index.html`);
      const first = await firstResult();
      // A return visit: a new tab in the same browser profile (its HTTP cache, the service worker);
      // `reset` puts the launcher back instead of the notebook left open. JupyterLab handles it by
      // loading the page again, which aborts the first load.
      await v.newPage();
      await v.page.goto(`${v.siteUrl}lab/index.html?reset`).catch((error) => {
        if (!/ERR_ABORTED/.test(error.message)) {
          throw error;
        }
      });
      const again = await firstResult();
      console.log(`# launcher click → first result (${mode}): first visit ${first} ms, return visit ${again} ms`);
    });

    visit('a new notebook: Stop ends a loop that never awaits within a second, and n survives', async (v) => {
      const nb = await v.newNotebook();
      // A session's first traceback imports IPython's formatting: not what this times.
      const warm = await nb.typeAndRun('int("x")');
      await nb.waitForCell(warm);
      const loop = await nb.typeAndRun('n = 0\nwhile True:\n    n += 1');
      await loop.locator('.jp-InputPrompt', { hasText: '[*]' }).waitFor({ timeout: KERNEL_TIMEOUT });
      await nb.panel.locator('.jp-Notebook-ExecutionIndicator[data-status="busy"]').waitFor();
      // Timed in the page: from just before the click on Kernel > Interrupt Kernel to the cell's
      // prompt showing its number (so the time includes the click itself).
      await v.page.evaluate(
        (prompt) => {
          window.__stop = {};
          new MutationObserver(() => {
            if (/\[\d+\]/.test(prompt.textContent)) {
              window.__stop.ended ??= performance.now();
            }
          }).observe(prompt, { subtree: true, childList: true, characterData: true });
        },
        await loop.locator('.jp-InputPrompt').elementHandle(),
      );
      await v.page.locator('.lm-MenuBar-itemLabel', { hasText: /^Kernel$/ }).click();
      const item = v.page.locator('.lm-Menu-itemLabel', { hasText: /^Interrupt Kernel$/ });
      await item.waitFor();
      await v.page.evaluate(() => (window.__stop.clicked = performance.now()));
      await item.click();
      await nb.waitForCell(loop);
      const { clicked, ended } = await v.page.evaluate(() => window.__stop);
      // Measured 0.2–0.6 s: up to 250 ms until the worker's next question, the answer, the traceback.
      assert.ok(ended - clicked < 1000, `the loop stopped ${Math.round(ended - clicked)} ms after Stop`);
      console.log(`# Stop to stopped (${mode}): ${Math.round(ended - clicked)} ms`);
      const output = await loop.locator('.jp-OutputArea').innerText();
      assert.match(output, /KeyboardInterrupt/);
      assert.match(output, /----> [23] /, "the traceback points at the loop's line");
      const after = await nb.typeAndRun('print(n > 0)');
      await nb.waitForCell(after);
      assert.match(await after.locator('.jp-OutputArea').innerText(), /^True$/m);
    });

    visit('a new notebook: notes are text, interrupt, restart, JSPI', async (v) => {
      const nb = await v.newNotebook();

      // Markup in the user's code is shown as text in the notes, never inserted.
      const markup = '<img src=x onerror=alert(1)>';
      const xss = await nb.typeAndRun(`import time\ntime.sleep(len("${markup}") / 1000)`);
      await nb.waitForCell(xss);
      const bar = xss.locator('.jp-SyncNotes');
      assert.match(await bar.innerText(), new RegExp(markup.replace(/[()]/g, '\\$&')));
      assert.equal(await bar.locator('img').count(), 0, 'no element made from the note');

      // Without the rewrite asyncio.run still runs (through run_sync with JSPI, on a private loop
      // without); can_run_sync shows which mode Pyodide is in.
      const off = await nb.typeAndRun('%transform off');
      await nb.waitForCell(off);
      const raw = await nb.typeAndRun(
        'import asyncio\nfrom pyodide.ffi import can_run_sync\nasyncio.run(asyncio.sleep(0))\nprint("ran", can_run_sync())',
      );
      await nb.waitForCell(raw);
      const rawOutput = await raw.locator('.jp-OutputArea').innerText();
      assert.match(rawOutput, jspi ? /^ran True$/m : /^ran False$/m);
      const on = await nb.typeAndRun('%transform on');
      await nb.waitForCell(on);
      const rewritten = await nb.typeAndRun('asyncio.run(asyncio.sleep(0))\nprint("ran")');
      await nb.waitForCell(rewritten);
      assert.match(await rewritten.locator('.jp-OutputArea').innerText(), /^ran$/m);

      // Progress: tqdm's bar (served with the kernel) and print(..., end="\r") each end as one line.
      const progress = await nb.typeAndRun(
        'from tqdm import tqdm\nfor i in tqdm(range(3)):\n    time.sleep(0.05)\n' +
          'for i in range(3):\n    print(f"step {i}", end="\\r")\n    time.sleep(0.05)\nprint("steps done")',
      );
      await nb.waitForCell(progress);
      const progressText = await progress.locator('.jp-OutputArea').innerText();
      assert.match(progressText, /100%\|█+\| 3\/3/);
      assert.equal(progressText.match(/\| [0-3]\/3/g)?.length, 1, `one bar: ${progressText}`);
      assert.doesNotMatch(progressText, /step [0-2]/);
      assert.match(progressText, /^steps done$/m);

      // Kernel > Interrupt Kernel stops a long sleep at once.
      const long = await nb.typeAndRun('x = 41\ntime.sleep(600)');
      await nb.panel.locator('.jp-Notebook-ExecutionIndicator[data-status="busy"]').waitFor();
      const started = Date.now();
      await nb.menu('Kernel', 'Interrupt Kernel');
      await nb.waitForCell(long);
      assert.ok(Date.now() - started < 30_000, 'the sleep ended long before 600 s');
      assert.match(await long.locator('.jp-OutputArea').innerText(), /KeyboardInterrupt/);

      // Kernel > Restart Kernel…: a fresh interpreter, counting from 1 again.
      await nb.menu('Kernel', 'Restart Kernel…');
      await v.page.locator('.jp-Dialog button', { hasText: /^Restart$/ }).click();
      const after = await nb.typeAndRun('print(x + 1)');
      await nb.waitForCell(after);
      assert.equal((await after.locator('.jp-InputPrompt').innerText()).trim(), '[1]:');
      assert.match(await after.locator('.jp-OutputArea').innerText(), /NameError: name 'x' is not defined/);
    });
  });
}

describe('demo site, a browser without service workers', () => {
  test('the kernel starts and runs cells in its own filesystem', { timeout: 2 * KERNEL_TIMEOUT }, async () => {
    const v = await Visit.open(browser, site.url, { jspi: true, serviceWorkers: 'block' });
    try {
      const nb = await v.openNotebook('progress.ipynb');
      await nb.runAll();
      await nb.waitUntilAllRan();
      assert.match(await nb.outputText(1), /\[#{20}\] 10\/10\s+done/);
      const files = await nb.typeAndRun('import os\nprint(os.path.exists("progress.ipynb"))');
      await nb.waitForCell(files);
      assert.equal((await files.locator('.jp-OutputArea').innerText()).trim(), 'False');
      assert.deepEqual(v.errors, [], 'no errors in the page or worker consoles');
    } finally {
      await v.close();
    }
  });
});

describe('demo site, a kernel that cannot start', () => {
  test('a worker script that does not load is reported, not waited for', { timeout: 2 * KERNEL_TIMEOUT }, async () => {
    const v = await Visit.open(browser, site.url, { jspi: true });
    try {
      await v.context.route('**/sync-kernel.worker.*.js', (route) => route.fulfill({ status: 404, body: 'not found' }));
      await v.page.goto(`${site.url}lab/index.html?path=progress.ipynb`);
      const dialog = v.page.locator('.jp-Dialog');
      await dialog.waitFor({ timeout: KERNEL_TIMEOUT });
      assert.match(
        await dialog.locator('.jp-Dialog-body').innerText(),
        /the kernel's worker script could not be loaded/,
      );
    } finally {
      await v.close();
    }
  });

  test(
    'says so in a dialog, naming the start-up step, instead of hanging',
    { timeout: 2 * KERNEL_TIMEOUT },
    async () => {
      const v = await Visit.open(browser, site.url, { jspi: true });
      try {
        await v.context.route('**/wheels/sync-kernel-lock.json', (route) =>
          route.fulfill({ status: 404, body: 'not found' }),
        );
        await v.page.goto(`${site.url}lab/index.html?path=progress.ipynb`);
        const dialog = v.page.locator('.jp-Dialog');
        await dialog.waitFor({ timeout: KERNEL_TIMEOUT });
        assert.match(await dialog.locator('.jp-Dialog-header').innerText(), /Python \(sync, Pyodide\) could not start/);
        assert.match(await dialog.locator('.jp-Dialog-body').innerText(), /step "read lock files".*404/s);
        await v.screenshot('kernel-start-failure');
        assert.ok(
          v.errors.some((e) => /could not start/.test(e)),
          'the failure is also in the console, for whoever opens it',
        );
        assert.deepEqual(v.offsite, []);
      } finally {
        await v.close();
      }
    },
  );
});

describe('demo site, packageBaseUrl', () => {
  /** Run `import six` (a Pyodide distribution package, not shipped with the site) in a new notebook. */
  const importSix = async (v) => {
    const nb = await v.newNotebook();
    const cell = await nb.typeAndRun('import six');
    await nb.waitForCell(cell);
    return cell.locator('.jp-OutputArea').innerText();
  };

  test("by default, distribution packages come from Pyodide's CDN", { timeout: 2 * KERNEL_TIMEOUT }, async () => {
    const v = await Visit.open(browser, site.url, { jspi: true });
    try {
      await importSix(v);
      // The sandbox has no network: the tests abort the request and record it.
      assert.deepEqual(v.offsite, ['https://cdn.jsdelivr.net/pyodide/v314.0.7/full/six-1.17.0-py2.py3-none-any.whl']);
    } finally {
      await v.close();
    }
  });

  test(
    'litePluginSettings.packageBaseUrl in jupyter-lite.json moves them to the site',
    { timeout: 2 * KERNEL_TIMEOUT },
    async () => {
      const v = await Visit.open(browser, site.url, { jspi: true });
      const asked = [];
      try {
        await v.context.route(
          (url) => url.href === `${site.url}jupyter-lite.json`,
          async (route) => {
            const response = await route.fetch();
            const config = await response.json();
            config['jupyter-config-data'].litePluginSettings = {
              'jupyterlite-sync-kernel:kernel': { packageBaseUrl: './pyodide-packages/' },
            };
            await route.fulfill({ response, json: config });
          },
        );
        await v.context.route('**/pyodide-packages/**', async (route) => {
          asked.push(route.request().url());
          await route.fulfill({ status: 404, body: 'not here' });
        });
        const output = await importSix(v);
        assert.deepEqual(asked, [`${site.url}pyodide-packages/six-1.17.0-py2.py3-none-any.whl`]);
        assert.deepEqual(v.offsite, []);
        assert.match(output, /ModuleNotFoundError: No module named 'six'/);
      } finally {
        await v.close();
      }
    },
  );
});
