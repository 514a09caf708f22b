/**
 * SyncKernel (src/lab/kernel.ts) against a scripted runtime: the requests it
 * forwards, the messages it publishes, and how it fails. The runtime is
 * exposed with comlink over a MessageChannel that stands in for the Worker, so
 * the real comlink round trips run; the real runtime is tested by
 * test/runtime.test.ts and, in a browser, by test/browser/.
 *
 * Run by `npm run test:unit` (bundled with esbuild, run with node --test).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { KernelMessage } from '@jupyterlab/services';
import { PromiseDelegate } from '@lumino/coreutils';
import { Mutex } from 'async-mutex';
import { expose } from 'comlink';

import { SyncKernel } from '../../src/lab/kernel';
import type { WorkerLike } from '../../src/lab/kernel';
import type { IRuntime, RuntimeEventHandler, RuntimeOptions } from '../../src/protocol';

type Msg = KernelMessage.IMessage;

/** A Worker stand-in: one end of a MessageChannel; the runtime listens on the other. */
class FakeWorker implements WorkerLike {
  readonly channel = new MessageChannel();
  terminated = false;
  private readonly errorListeners: ((event: Event) => void)[] = [];

  constructor(runtime: Partial<IRuntime>) {
    expose(runtime, this.channel.port2);
  }

  postMessage(message: unknown, transfer?: unknown): void {
    this.channel.port1.postMessage(message, transfer as Transferable[]);
  }

  addEventListener(type: string, listener: EventListenerOrEventListenerObject): void {
    if (type === 'error' || type === 'messageerror') {
      this.errorListeners.push(listener as (event: Event) => void);
    } else {
      this.channel.port1.addEventListener(type as 'message', listener as (e: MessageEvent) => void);
      this.channel.port1.start();
    }
  }

  removeEventListener(type: string, listener: EventListenerOrEventListenerObject): void {
    this.channel.port1.removeEventListener(type as 'message', listener as (e: MessageEvent) => void);
  }

  terminate(): void {
    this.terminated = true;
    this.channel.port1.close();
    this.channel.port2.close();
  }

  /** What the browser does when the worker's script cannot be loaded. */
  failToLoad(): void {
    for (const listener of this.errorListeners) {
      listener(new Event('error'));
    }
  }
}

/** A runtime that starts at once and answers with canned replies; override per test. */
function scriptedRuntime(overrides: Partial<IRuntime> = {}): Partial<IRuntime> & {
  emit: RuntimeEventHandler;
  options?: RuntimeOptions;
} {
  const runtime = {
    emit: (() => undefined) as RuntimeEventHandler,
    options: undefined as RuntimeOptions | undefined,
    async initialize(options: RuntimeOptions, onEvent: RuntimeEventHandler) {
      runtime.options = options;
      runtime.emit = onEvent;
    },
    async execute() {
      return { status: 'ok' as const, execution_count: 1, user_expressions: {}, payload: [] };
    },
    async commInfo() {
      return { status: 'ok' as const, comms: { c1: { target_name: 'jupyter.widget' } } };
    },
    async interruptBuffer(): Promise<Int32Array | undefined> {
      return undefined;
    },
    ...overrides,
  };
  return runtime;
}

function makeKernel(runtime: Partial<IRuntime>) {
  const sent: Msg[] = [];
  const watchers: (() => void)[] = [];
  const worker = new FakeWorker(runtime);
  const kernel = new SyncKernel({
    id: 'k1',
    name: 'python-sync',
    location: 'notebooks',
    sendMessage: (msg) => {
      sent.push(msg);
      watchers.splice(0).forEach((watch) => watch());
    },
    createWorker: () => worker,
    runtime: { baseUrl: 'http://site/', pyodideUrl: 'http://site/py/', wheelsUrl: 'http://site/w/' },
  });
  /** Resolves once the kernel has sent a message that satisfies `test`. */
  const until = (test: (msg: Msg) => boolean): Promise<void> =>
    new Promise((resolve) => {
      const check = () => (sent.some(test) ? resolve() : watchers.push(check));
      check();
    });
  /** Resolves once the request `msg` is handled: the kernel reported idle for it. */
  const idleAfter = (msg: Msg): Promise<void> =>
    until((m) => isStatus(m, 'idle') && m.parent_header.msg_id === msg.header.msg_id);
  return { kernel, sent, worker, until, idleAfter };
}

function isStatus(msg: Msg, state: string): boolean {
  return msg.header.msg_type === 'status' && (msg.content as { execution_state: string }).execution_state === state;
}

function cell(code: string, overrides: object = {}): KernelMessage.IExecuteRequestMsg {
  return request<KernelMessage.IExecuteRequestMsg>('execute_request', {
    code,
    silent: false,
    store_history: true,
    user_expressions: {},
    allow_stdin: true,
    stop_on_error: true,
    ...overrides,
  });
}

let counter = 0;
function request<T extends Msg>(msgType: string, content: object, channel = 'shell'): T {
  counter += 1;
  return {
    header: {
      msg_id: `m${counter}`,
      msg_type: msgType,
      session: 's1',
      username: 'u',
      date: new Date().toISOString(),
      version: '5.3',
    },
    parent_header: {},
    metadata: {},
    content,
    channel,
    buffers: [],
  } as unknown as T;
}

const summary = (sent: Msg[]) =>
  sent.map((m) =>
    m.header.msg_type === 'status'
      ? `status:${(m.content as { execution_state: string }).execution_state}`
      : m.header.msg_type,
  );

describe('SyncKernel', () => {
  test('starts the runtime with the site URLs and the notebook location', async () => {
    const runtime = scriptedRuntime();
    const { kernel } = makeKernel(runtime);
    await kernel.started;
    assert.deepEqual(runtime.options, {
      baseUrl: 'http://site/',
      pyodideUrl: 'http://site/py/',
      wheelsUrl: 'http://site/w/',
      location: 'notebooks',
    });
    kernel.dispose();
  });

  test('execute: publishes the runtime events under the request, then replies and goes idle', async () => {
    const runtime = scriptedRuntime();
    runtime.execute = async (_content, parent) => {
      runtime.emit({ event: { msgType: 'stream', content: { name: 'stdout', text: 'hi\n' } }, parentHeader: parent });
      runtime.emit({
        event: {
          msgType: 'execute_result',
          content: { execution_count: 1, data: { 'text/plain': '2' }, metadata: {} },
        },
        parentHeader: parent,
      });
      return { status: 'ok', execution_count: 7, user_expressions: {} };
    };
    const { kernel, sent, idleAfter } = makeKernel(runtime);
    await kernel.started;
    const msg = cell('print("hi"); 2');
    await kernel.handleMessage(msg);
    await idleAfter(msg);
    assert.deepEqual(summary(sent), [
      'status:busy',
      'execute_input',
      'stream',
      'execute_result',
      'execute_reply',
      'status:idle',
    ]);
    for (const m of sent) {
      assert.equal(m.parent_header.msg_id, msg.header.msg_id, `${m.header.msg_type} answers the request`);
    }
    const reply = sent[4].content as KernelMessage.IExecuteReplyMsg['content'];
    assert.equal(reply.status, 'ok');
    assert.equal(reply.execution_count, 1, 'numbered as BaseKernel numbered execute_input');
    assert.equal((sent[2].content as { text: string }).text, 'hi\n');
    kernel.dispose();
  });

  test('every runtime event becomes the Jupyter message it names, on its channel', async () => {
    const runtime = scriptedRuntime();
    const { kernel, sent } = makeKernel(runtime);
    await kernel.started;
    const parent = request('execute_request', {}).header;
    const display = { data: { 'text/plain': 'x' }, metadata: {}, transient: {} };
    const comm = { comm_id: 'c', data: {} };
    const events = [
      { msgType: 'stream', content: { name: 'stderr', text: 'e' } },
      { msgType: 'display_data', content: display },
      { msgType: 'update_display_data', content: display },
      { msgType: 'execute_result', content: { ...display, execution_count: 1 } },
      { msgType: 'error', content: { ename: 'E', evalue: 'v', traceback: [] } },
      { msgType: 'clear_output', content: { wait: true } },
      { msgType: 'input_request', content: { prompt: '? ', password: false } },
      { msgType: 'comm_open', content: { ...comm, target_name: 't' }, metadata: {}, buffers: [] },
      { msgType: 'comm_msg', content: comm, metadata: {}, buffers: [] },
      { msgType: 'comm_close', content: comm, metadata: {}, buffers: [] },
    ] as const;
    for (const event of events) {
      runtime.emit({ event: event as never, parentHeader: parent });
    }
    await new Promise((resolve) => setImmediate(resolve)); // let comlink deliver the proxied calls
    assert.deepEqual(
      sent.map((m) => `${m.channel}:${m.header.msg_type}`),
      [
        'iopub:stream',
        'iopub:display_data',
        'iopub:update_display_data',
        'iopub:execute_result',
        'iopub:error',
        'iopub:clear_output',
        'stdin:input_request',
        'iopub:comm_open',
        'iopub:comm_msg',
        'iopub:comm_close',
      ],
    );
    assert.ok(sent.every((m) => m.parent_header.msg_id === parent.msg_id));
    kernel.dispose();
  });

  test('comm_info_request, which BaseKernel does not dispatch, gets busy / reply / idle', async () => {
    const { kernel, sent, idleAfter } = makeKernel(scriptedRuntime());
    await kernel.started;
    const msg = request('comm_info_request', { target_name: 'jupyter.widget' });
    await kernel.handleMessage(msg);
    await idleAfter(msg);
    assert.deepEqual(summary(sent), ['status:busy', 'comm_info_reply', 'status:idle']);
    assert.equal(sent[1].channel, 'shell');
    assert.equal(sent[1].parent_header.msg_id, msg.header.msg_id);
    assert.deepEqual(sent[1].content, { status: 'ok', comms: { c1: { target_name: 'jupyter.widget' } } });
    kernel.dispose();
  });

  test('input_reply goes to the waiting cell without flipping the status to idle', async () => {
    const replies: unknown[] = [];
    const { kernel, sent } = makeKernel(
      scriptedRuntime({
        inputReply: async (content) => void replies.push(content),
        interrupt: async () => undefined,
        interruptBuffer: async () => new Int32Array(new SharedArrayBuffer(4)),
      }),
    );
    await kernel.started;
    await kernel.handleMessage(request('input_reply', { status: 'ok', value: 'Ada' }, 'stdin'));
    await kernel.interrupt(); // messages keep their order: the reply has arrived by now
    assert.deepEqual(replies, [{ status: 'ok', value: 'Ada' }]);
    assert.deepEqual(sent, []);
    kernel.dispose();
  });

  test('a runtime failure during a cell becomes an error reply, and idle still follows', async () => {
    const runtime = scriptedRuntime({
      execute: async () => {
        throw new Error('the worker ran out of memory');
      },
    });
    const { kernel, sent, idleAfter } = makeKernel(runtime);
    await kernel.started;
    const msg = cell('x', { allow_stdin: false });
    await kernel.handleMessage(msg);
    await idleAfter(msg);
    assert.deepEqual(summary(sent), ['status:busy', 'execute_input', 'error', 'execute_reply', 'status:idle']);
    const reply = sent[3].content as KernelMessage.IReplyErrorContent;
    assert.equal(reply.status, 'error');
    assert.match(reply.evalue, /the worker ran out of memory/);
    kernel.dispose();
  });

  test('started rejects with the failing start-up step when the runtime cannot start', async () => {
    const { kernel } = makeKernel(
      scriptedRuntime({
        initialize: async () => {
          throw new Error('install wheels: http://site/w/sync-kernel-lock.json: 404 Not Found');
        },
      }),
    );
    await assert.rejects(kernel.started, {
      message:
        'Python (sync, Pyodide) could not start: install wheels: http://site/w/sync-kernel-lock.json: 404 Not Found',
    });
    kernel.dispose();
  });

  test('started rejects, instead of hanging, when the worker script does not load', async () => {
    const { kernel, worker, sent, idleAfter } = makeKernel(
      scriptedRuntime({ initialize: () => new Promise<void>(() => undefined) }),
    );
    worker.failToLoad();
    await assert.rejects(kernel.started, {
      message: "Python (sync, Pyodide) could not start: the kernel's worker script could not be loaded",
    });
    // Requests now fail fast with a reply, rather than waiting forever.
    const msg = request('complete_request', { code: 'x', cursor_pos: 1 });
    await kernel.handleMessage(msg);
    await idleAfter(msg);
    assert.deepEqual(summary(sent), ['status:busy', 'complete_reply', 'status:idle']);
    assert.equal((sent[1].content as { status: string }).status, 'error');
    kernel.dispose();
  });

  test('interrupt writes SIGINT into the shared buffer at once, then asks the runtime', async () => {
    const buffer = new Int32Array(new SharedArrayBuffer(4));
    const seenByRuntime: number[] = [];
    const { kernel } = makeKernel(
      scriptedRuntime({
        interruptBuffer: async () => buffer,
        interrupt: async () => void seenByRuntime.push(Atomics.exchange(buffer, 0, 0)),
      }),
    );
    await kernel.started;
    const interrupted = kernel.interrupt();
    // Written before any message round trip: a worker stuck in a loop sees it.
    assert.equal(Atomics.load(buffer, 0), 2);
    await interrupted;
    assert.deepEqual(seenByRuntime, [2], 'the runtime got the same memory, and the request after it');
    kernel.dispose();
  });

  test('without a shared buffer, interrupt goes by message and the console says once that it waits', async () => {
    let interrupts = 0;
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void warnings.push(message);
    try {
      const { kernel } = makeKernel(scriptedRuntime({ interrupt: async () => void interrupts++ }));
      await kernel.started;
      await kernel.interrupt();
      await kernel.interrupt();
      kernel.dispose();
    } finally {
      console.warn = warn;
    }
    assert.equal(interrupts, 2);
    assert.deepEqual(warnings, [
      'Python (sync, Pyodide): this page is not cross-origin isolated and its service worker is not active, ' +
        'so Stop reaches a running cell only at its next await (a loop that never awaits runs to its end).',
    ]);
  });

  test('without a shared buffer, the page counts each Stop: the answer to stop requests, and sent along', async () => {
    const seenByRuntime: (number | undefined)[] = [];
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void warnings.push(message);
    try {
      const runtime = scriptedRuntime({ interrupt: async (stops?: number) => void seenByRuntime.push(stops) });
      const worker = new FakeWorker(runtime);
      const kernel = new SyncKernel({
        id: 'k2',
        name: 'python-sync',
        location: '',
        sendMessage: () => undefined,
        createWorker: () => worker,
        runtime: {
          baseUrl: 'http://site/',
          pyodideUrl: 'http://site/py/',
          wheelsUrl: 'http://site/w/',
          stopRequests: { url: 'http://site/api/stdin/sync-kernel-stop', browsingContextId: 'b', kernelId: 'k2' },
        },
      });
      await kernel.started;
      assert.equal(kernel.stopsRequested, 0);
      await kernel.interrupt();
      await kernel.interrupt();
      assert.equal(kernel.stopsRequested, 2);
      kernel.dispose();
    } finally {
      console.warn = warn;
    }
    assert.deepEqual(seenByRuntime, [1, 2]);
    assert.deepEqual(warnings, [], 'Stop reaches any cell here: nothing to warn about');
  });

  test('comm messages from the front end go to the runtime, with their header, between busy and idle', async () => {
    const delivered: string[] = [];
    const deliver = (kind: string) => async (msg: { header: { msg_type: string }; content: unknown }) => {
      delivered.push(`${kind} ${msg.header.msg_type} ${JSON.stringify(msg.content)}`);
    };
    const { kernel, sent, idleAfter } = makeKernel(
      scriptedRuntime({ commOpen: deliver('open'), commMsg: deliver('msg'), commClose: deliver('close') }),
    );
    await kernel.started;
    const messages = [
      request('comm_open', { comm_id: 'w1', target_name: 'jupyter.widget', data: {} }),
      request('comm_msg', { comm_id: 'w1', data: { method: 'update' } }),
      request('comm_close', { comm_id: 'w1', data: {} }),
    ];
    for (const msg of messages) {
      await kernel.handleMessage(msg);
    }
    await idleAfter(messages[2]);
    assert.deepEqual(delivered, [
      'open comm_open {"comm_id":"w1","target_name":"jupyter.widget","data":{}}',
      'msg comm_msg {"comm_id":"w1","data":{"method":"update"}}',
      'close comm_close {"comm_id":"w1","data":{}}',
    ]);
    // Handed on at once, not one at a time: each has its own busy, then idle.
    for (const msg of messages) {
      const mine = sent.filter((m) => m.parent_header.msg_id === msg.header.msg_id);
      assert.deepEqual(summary(mine), ['status:busy', 'status:idle'], msg.header.msg_type);
    }
    kernel.dispose();
  });

  test(
    "through JupyterLite's lock, a click reaches the runtime while a cell runs; the cell stays busy",
    { timeout: 10_000 },
    async () => {
      const finishCell = new PromiseDelegate<void>();
      const delivered: string[] = [];
      const runtime = scriptedRuntime({
        execute: async () => {
          await finishCell.promise;
          return { status: 'ok', execution_count: 1, user_expressions: {} };
        },
        commMsg: async (msg) => void delivered.push(msg.header.msg_id),
      });
      const { kernel, sent, idleAfter } = makeKernel(runtime);
      await kernel.started;
      // What LiteKernelClient does with each message from the page.
      const lock = new Mutex();
      const fromPage = (msg: Msg) => lock.runExclusive(() => kernel.handleMessage(msg));
      const running = cell('while True: time.sleep(0.1)');
      const click = request('comm_msg', { comm_id: 'b', data: { method: 'custom', content: { event: 'click' } } });
      void fromPage(running);
      void fromPage(click);
      await idleAfter(click);
      assert.deepEqual(delivered, [click.header.msg_id], 'delivered while the cell still runs');
      finishCell.resolve();
      await idleAfter(running);
      const parents = sent.map(
        (m) => `${summary([m])[0]} ${m.parent_header.msg_id === click.header.msg_id ? 'click' : 'cell'}`,
      );
      assert.deepEqual(parents, [
        'status:busy cell',
        'execute_input cell',
        'status:busy click',
        'status:idle click',
        'status:busy cell',
        'execute_reply cell',
        'status:idle cell',
      ]);
      kernel.dispose();
    },
  );

  test('cells run one after another, in the order they came', { timeout: 10_000 }, async () => {
    const log: string[] = [];
    const runtime = scriptedRuntime({
      execute: async (content) => {
        log.push(`start ${content.code}`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`end ${content.code}`);
        return { status: 'ok', execution_count: 1, user_expressions: {} };
      },
    });
    const { kernel, idleAfter } = makeKernel(runtime);
    await kernel.started;
    const cells = ['a', 'b', 'c'].map((code) => cell(code));
    for (const msg of cells) {
      await kernel.handleMessage(msg);
    }
    await idleAfter(cells[2]);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    kernel.dispose();
  });

  test(
    'a failing cell aborts the cells queued behind it, as ipykernel does; a cell sent later runs',
    { timeout: 10_000 },
    async () => {
      const ran: string[] = [];
      const runtime = scriptedRuntime({
        execute: async (content) => {
          ran.push(content.code);
          return content.code.startsWith('fail')
            ? { status: 'error', execution_count: 1, ename: 'ValueError', evalue: 'no', traceback: [] }
            : { status: 'ok', execution_count: 1, user_expressions: {} };
        },
      });
      const { kernel, sent, idleAfter } = makeKernel(runtime);
      await kernel.started;
      const queued = [cell('fail'), cell('b'), cell('c')];
      for (const msg of queued) {
        await kernel.handleMessage(msg);
      }
      await idleAfter(queued[2]);
      const later = [cell('fail, but go on', { stop_on_error: false }), cell('d')];
      for (const msg of later) {
        await kernel.handleMessage(msg);
      }
      await idleAfter(later[1]);
      assert.deepEqual(ran, ['fail', 'fail, but go on', 'd']);
      const replies = sent.filter((m) => m.header.msg_type === 'execute_reply');
      assert.deepEqual(
        replies.map((m) => [m.parent_header.msg_id, (m.content as { status: string }).status]),
        [
          [queued[0].header.msg_id, 'error'],
          [queued[1].header.msg_id, 'aborted'],
          [queued[2].header.msg_id, 'aborted'],
          [later[0].header.msg_id, 'error'],
          [later[1].header.msg_id, 'ok'],
        ],
      );
      // An aborted cell is not numbered, and its prompt is cleared (busy, reply, idle).
      assert.equal((replies[1].content as { execution_count: number | null }).execution_count, null);
      const aborted = sent.filter((m) => m.parent_header.msg_id === queued[1].header.msg_id);
      assert.deepEqual(summary(aborted), ['status:busy', 'execute_reply', 'status:idle']);
      kernel.dispose();
    },
  );

  test('interrupt stops the running cell and aborts the cells queued behind it', { timeout: 10_000 }, async () => {
    const interrupted = new PromiseDelegate<void>();
    const runtime = scriptedRuntime({
      execute: async (content) => {
        if (content.code === 'loop') {
          await interrupted.promise;
          return { status: 'error', execution_count: 1, ename: 'KeyboardInterrupt', evalue: '', traceback: [] };
        }
        return { status: 'ok', execution_count: 2, user_expressions: {} };
      },
      interrupt: async () => interrupted.resolve(),
    });
    const { kernel, sent, idleAfter, until } = makeKernel(runtime);
    await kernel.started;
    const loop = cell('loop');
    const next = cell('next');
    await kernel.handleMessage(loop);
    await kernel.handleMessage(next);
    await until((m) => m.header.msg_type === 'execute_input');
    await kernel.interrupt();
    await idleAfter(next);
    const statuses = sent
      .filter((m) => m.header.msg_type === 'execute_reply')
      .map((m) => (m.content as { status: string }).status);
    assert.deepEqual(statuses, ['error', 'aborted']);
    kernel.dispose();
  });

  test('shutdown terminates the worker; a kernel shut down while starting rejects started', async () => {
    const { kernel, worker } = makeKernel(scriptedRuntime({ initialize: () => new Promise<void>(() => undefined) }));
    kernel.dispose();
    assert.equal(worker.terminated, true);
    assert.equal(kernel.isDisposed, true);
    await assert.rejects(kernel.started, /was shut down/);
  });
});

describe('SyncKernel while the runtime starts', () => {
  /** A runtime whose start waits for `finish` (or `fail`), telling `steps` on the way. */
  function slowStart(overrides: Partial<IRuntime> = {}) {
    const gate = new PromiseDelegate<void>();
    gate.promise.catch(() => undefined); // rejected by a test before the runtime awaits it
    const executed: string[] = [];
    const runtime = scriptedRuntime({
      async initialize(options, onEvent, onStep) {
        runtime.options = options;
        runtime.emit = onEvent;
        for (const step of ['read lock files', 'load Pyodide', 'install wheels']) {
          await onStep?.(step);
        }
        await gate.promise;
      },
      async execute(content) {
        executed.push(content.code);
        return { status: 'ok' as const, execution_count: 1, user_expressions: {} };
      },
      async complete() {
        return { status: 'ok' as const, matches: ['print'], cursor_start: 0, cursor_end: 2, metadata: {} };
      },
      ...overrides,
    });
    return { runtime, gate, executed };
  }

  const kernelInfo = () => request('kernel_info_request', {});

  test('a front end that connects is told at once that the kernel is starting, and answered once it has', async () => {
    const { runtime, gate } = slowStart();
    const { kernel, sent, until, idleAfter } = makeKernel(runtime);
    const info = kernelInfo();
    await kernel.handleMessage(info);
    await until((m) => isStatus(m, 'starting'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(summary(sent), ['status:starting'], 'no idle, even for a moment, before the start is over');
    gate.resolve();
    await idleAfter(info);
    assert.deepEqual(summary(sent), ['status:starting', 'status:busy', 'kernel_info_reply', 'status:idle']);
    assert.ok(sent.every((m) => m.parent_header.msg_id === info.header.msg_id));
    kernel.dispose();
  });

  test('each start-up step is told as it begins, and none once the kernel has started', async () => {
    const { runtime, gate } = slowStart();
    const heard: string[] = [];
    const worker = new FakeWorker(runtime);
    const kernel = new SyncKernel({
      id: 'k3',
      name: 'python-sync',
      location: '',
      sendMessage: () => undefined,
      createWorker: () => worker,
      runtime: { baseUrl: 'http://site/', pyodideUrl: 'http://site/py/', wheelsUrl: 'http://site/w/' },
      onBootStep: (step) => heard.push(step),
    });
    while (heard.length < 3) {
      await new Promise((resolve) => setImmediate(resolve)); // comlink delivers each step as a message
    }
    assert.deepEqual(heard, ['read lock files', 'load Pyodide', 'install wheels']);
    assert.equal(kernel.bootStep, 'install wheels');
    gate.resolve();
    await kernel.started;
    assert.equal(kernel.bootStep, undefined);
    kernel.dispose();
  });

  test('a cell sent while the runtime starts runs as soon as it has started, and others wait too', async () => {
    const { runtime, gate, executed } = slowStart();
    const { kernel, sent, until, idleAfter } = makeKernel(runtime);
    await kernel.handleMessage(kernelInfo());
    const first = cell('print(1)');
    const completion = request('complete_request', { code: 'pr', cursor_pos: 2 });
    const second = cell('print(2)');
    await kernel.handleMessage(first);
    await kernel.handleMessage(completion);
    await kernel.handleMessage(second);
    await until((m) => isStatus(m, 'starting'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(executed, [], 'nothing runs before the runtime has started');
    assert.deepEqual(summary(sent), ['status:starting'], 'the kernel does not show busy while it starts');
    gate.resolve();
    await idleAfter(second);
    assert.deepEqual(executed, ['print(1)', 'print(2)']);
    const replies = sent.filter((m) => m.header.msg_type.endsWith('_reply')).map((m) => m.parent_header.msg_id);
    assert.deepEqual(
      replies.slice(1),
      [first, completion, second].map((m) => m.header.msg_id),
      'in arrival order',
    );
    kernel.dispose();
  });

  test('after a failed start, the cells sent meanwhile get an error that says why, and idle', async () => {
    const { runtime, gate } = slowStart();
    const { kernel, sent, idleAfter } = makeKernel(runtime);
    await kernel.handleMessage(kernelInfo());
    const waiting = cell('print(1)');
    await kernel.handleMessage(waiting);
    gate.reject(new Error('install wheels: http://site/w/sync-kernel-lock.json: 404 Not Found'));
    await assert.rejects(kernel.started);
    await idleAfter(waiting);
    const reply = sent.find((m) => m.header.msg_type === 'execute_reply')?.content as KernelMessage.IReplyErrorContent;
    assert.equal(reply.status, 'error');
    assert.match(reply.evalue, /could not start: install wheels: .*404 Not Found/);
    const error = sent.find((m) => m.header.msg_type === 'error')?.content as KernelMessage.IReplyErrorContent;
    assert.match(error.evalue, /could not start: install wheels/, 'the cell shows why');
    assert.equal(summary(sent).at(-1), 'status:idle');
    kernel.dispose();
  });

  test('the runtime options may come later: the kernel exists, and says it is starting, meanwhile', async () => {
    const runtime = scriptedRuntime();
    const options = new PromiseDelegate<{ baseUrl: string; pyodideUrl: string; wheelsUrl: string }>();
    const sent: Msg[] = [];
    const kernel = new SyncKernel({
      id: 'k4',
      name: 'python-sync',
      location: 'here',
      sendMessage: (msg) => void sent.push(msg),
      createWorker: () => new FakeWorker(runtime),
      runtime: options.promise,
    });
    const settled = async (state: string) => {
      while (!sent.some((m) => isStatus(m, state))) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await kernel.handleMessage(kernelInfo());
    await settled('starting');
    assert.deepEqual(summary(sent), ['status:starting']);
    assert.equal(runtime.options, undefined, 'not started before the options are known');
    options.resolve({ baseUrl: 'http://site/', pyodideUrl: 'http://site/py/', wheelsUrl: 'http://site/w/' });
    await kernel.started;
    assert.equal((runtime.options as RuntimeOptions | undefined)?.location, 'here');
    await settled('idle');
    assert.deepEqual(summary(sent), ['status:starting', 'status:busy', 'kernel_info_reply', 'status:idle']);
    kernel.dispose();
  });

  test('Stop while the runtime starts aborts the cells sent meanwhile', async () => {
    const { runtime, gate, executed } = slowStart({
      interrupt: async () => assert.fail('no runtime to interrupt yet'),
    });
    const { kernel, sent, idleAfter } = makeKernel(runtime);
    const waiting = cell('print(1)');
    await kernel.handleMessage(waiting);
    await kernel.interrupt();
    gate.resolve();
    await idleAfter(waiting);
    assert.deepEqual(executed, []);
    const reply = sent.find((m) => m.header.msg_type === 'execute_reply')?.content as { status: string };
    assert.equal(reply.status, 'aborted');
    const later = cell('print(2)');
    await kernel.handleMessage(later);
    await idleAfter(later);
    assert.deepEqual(executed, ['print(2)'], 'a cell sent after the Stop runs');
    kernel.dispose();
  });
});
