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
  const worker = new FakeWorker(runtime);
  const kernel = new SyncKernel({
    id: 'k1',
    name: 'python-sync',
    location: 'notebooks',
    sendMessage: (msg) => sent.push(msg),
    createWorker: () => worker,
    runtime: { baseUrl: 'http://site/', pyodideUrl: 'http://site/py/', wheelsUrl: 'http://site/w/' },
  });
  return { kernel, sent, worker };
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
    await kernel.ready;
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
    const { kernel, sent } = makeKernel(runtime);
    await kernel.ready;
    const msg = request<KernelMessage.IExecuteRequestMsg>('execute_request', {
      code: 'print("hi"); 2',
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: true,
      stop_on_error: true,
    });
    await kernel.handleMessage(msg);
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
    await kernel.ready;
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
    const { kernel, sent } = makeKernel(scriptedRuntime());
    await kernel.ready;
    const msg = request('comm_info_request', { target_name: 'jupyter.widget' });
    await kernel.handleMessage(msg);
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
    await kernel.ready;
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
    const { kernel, sent } = makeKernel(runtime);
    await kernel.ready;
    await kernel.handleMessage(
      request('execute_request', {
        code: 'x',
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
      }),
    );
    assert.deepEqual(summary(sent), ['status:busy', 'execute_input', 'error', 'execute_reply', 'status:idle']);
    const reply = sent[3].content as KernelMessage.IReplyErrorContent;
    assert.equal(reply.status, 'error');
    assert.match(reply.evalue, /the worker ran out of memory/);
    kernel.dispose();
  });

  test('ready rejects with the failing start-up step when the runtime cannot start', async () => {
    const { kernel } = makeKernel(
      scriptedRuntime({
        initialize: async () => {
          throw new Error('install wheels: http://site/w/sync-kernel-lock.json: 404 Not Found');
        },
      }),
    );
    await assert.rejects(kernel.ready, {
      message:
        'Python (sync, Pyodide) could not start: install wheels: http://site/w/sync-kernel-lock.json: 404 Not Found',
    });
    kernel.dispose();
  });

  test('ready rejects, instead of hanging, when the worker script does not load', async () => {
    const { kernel, worker, sent } = makeKernel(
      scriptedRuntime({ initialize: () => new Promise<void>(() => undefined) }),
    );
    worker.failToLoad();
    await assert.rejects(kernel.ready, {
      message: "Python (sync, Pyodide) could not start: the kernel's worker script could not be loaded",
    });
    // Requests now fail fast with a reply, rather than waiting forever.
    await kernel.handleMessage(request('complete_request', { code: 'x', cursor_pos: 1 }));
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
    await kernel.ready;
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
      await kernel.ready;
      await kernel.interrupt();
      await kernel.interrupt();
      kernel.dispose();
    } finally {
      console.warn = warn;
    }
    assert.equal(interrupts, 2);
    assert.deepEqual(warnings, [
      'Python (sync, Pyodide): this page is not cross-origin isolated, so Stop reaches a running cell ' +
        'only at its next await (a loop that never awaits runs to its end).',
    ]);
  });

  test('comm messages from the front end go to the runtime, with their header, between busy and idle', async () => {
    const delivered: string[] = [];
    const deliver = (kind: string) => async (msg: { header: { msg_type: string }; content: unknown }) => {
      delivered.push(`${kind} ${msg.header.msg_type} ${JSON.stringify(msg.content)}`);
    };
    const { kernel, sent } = makeKernel(
      scriptedRuntime({ commOpen: deliver('open'), commMsg: deliver('msg'), commClose: deliver('close') }),
    );
    await kernel.ready;
    await kernel.handleMessage(request('comm_open', { comm_id: 'w1', target_name: 'jupyter.widget', data: {} }));
    await kernel.handleMessage(request('comm_msg', { comm_id: 'w1', data: { method: 'update' } }));
    await kernel.handleMessage(request('comm_close', { comm_id: 'w1', data: {} }));
    assert.deepEqual(delivered, [
      'open comm_open {"comm_id":"w1","target_name":"jupyter.widget","data":{}}',
      'msg comm_msg {"comm_id":"w1","data":{"method":"update"}}',
      'close comm_close {"comm_id":"w1","data":{}}',
    ]);
    assert.deepEqual(summary(sent), [
      'status:busy',
      'status:idle',
      'status:busy',
      'status:idle',
      'status:busy',
      'status:idle',
    ]);
    kernel.dispose();
  });

  test('shutdown terminates the worker; a kernel shut down while starting rejects ready', async () => {
    const { kernel, worker } = makeKernel(scriptedRuntime({ initialize: () => new Promise<void>(() => undefined) }));
    kernel.dispose();
    assert.equal(worker.terminated, true);
    assert.equal(kernel.isDisposed, true);
    await assert.rejects(kernel.ready, /was shut down/);
  });
});
