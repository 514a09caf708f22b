/**
 * Test helpers: a real runtime (real Pyodide, the built wheels) in a Node worker thread.
 */
import { resolve } from 'node:path';

import type { KernelMessage } from '@jupyterlab/services';

import { executeContent, NodeRuntime, repoPaths, startRuntime } from '../../src/node/client';
import type { RuntimeEvent, RuntimeOptions, StampedEvent } from '../../src/protocol';

export const REPO = resolve(__dirname, '..', '..');

/** Whether this jest run has WebAssembly stack switching (JSPI). */
export const JSPI = process.execArgv.includes('--experimental-wasm-stack-switching');

/**
 * Whether test kernels start from the memory snapshot (the default);
 * `SYNC_KERNEL_SNAPSHOT=off` boots them from the wheels, to run a suite both ways.
 */
export const SNAPSHOT = process.env.SYNC_KERNEL_SNAPSHOT !== 'off';

/** An execute reply, with the error fields optional so tests can read them directly. */
export interface ExecuteReply {
  status: 'ok' | 'error' | 'aborted';
  execution_count: number;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Traceback lines without colours, as one string. */
export function plain(lines: string[] | undefined): string {
  return (lines ?? []).join('\n').replace(ANSI, '');
}

let counter = 0;

export function header(msgType = 'execute_request'): KernelMessage.IHeader {
  counter += 1;
  return {
    msg_id: `test-${counter}`,
    msg_type: msgType as KernelMessage.MessageType,
    session: 'test',
    username: 'test',
    date: new Date().toISOString(),
    version: '5.3',
  };
}

/** A kernel for tests: run cells, see their events, answer input requests. */
export class TestKernel {
  readonly stamped: StampedEvent[] = [];
  /** Answers for `input()`, in order; `null` means end of input. */
  answers: (string | null)[] = [];
  /** Called for every event as it arrives. */
  onEvent: ((event: RuntimeEvent) => void) | undefined;

  private constructor(private node: NodeRuntime | undefined) {}

  static async start(options: Partial<RuntimeOptions> = {}): Promise<TestKernel> {
    const kernel = new TestKernel(undefined);
    kernel.node = await startRuntime(repoPaths(REPO), { snapshot: SNAPSHOT, ...options }, (stamped) =>
      kernel.receive(stamped),
    );
    return kernel;
  }

  get runtime(): NodeRuntime {
    if (!this.node) {
      throw new Error('not started');
    }
    return this.node;
  }

  /** Execute one cell; returns its reply and the events stamped with its header. */
  async run(code: string): Promise<{ reply: ExecuteReply; events: RuntimeEvent[] }> {
    const parent = header();
    const content = executeContent(code);
    const reply = (await this.runtime.call((r) => r.execute(content, parent))) as ExecuteReply;
    const events = this.stamped.filter((s) => s.parentHeader?.msg_id === parent.msg_id).map((s) => s.event);
    return { reply, events };
  }

  /** Run a cell and press Stop as soon as it prints; also how long it took to reply (ms). */
  async runStoppedAtFirstOutput(
    code: string,
  ): Promise<{ reply: ExecuteReply; events: RuntimeEvent[]; elapsed: number }> {
    this.onEvent = (event) => {
      if (event.msgType === 'stream') {
        void this.runtime.interrupt();
      }
    };
    const started = Date.now();
    try {
      return { ...(await this.run(code)), elapsed: Date.now() - started };
    } finally {
      this.onEvent = undefined;
    }
  }

  async stop(): Promise<void> {
    await this.node?.terminate();
  }

  private receive(stamped: StampedEvent): void {
    this.stamped.push(stamped);
    const { event } = stamped;
    this.onEvent?.(event);
    if (event.msgType === 'input_request') {
      const answer = this.answers.shift();
      const content: KernelMessage.IInputReplyMsg['content'] =
        answer === null || answer === undefined
          ? { status: 'error', ename: 'EOFError', evalue: '', traceback: [] }
          : { status: 'ok', value: answer };
      void this.runtime.call((r) => r.inputReply(content, header('input_reply')));
    }
  }
}

/** The text of all `stream` events of `name`. */
export function streamText(events: RuntimeEvent[], name: 'stdout' | 'stderr' = 'stdout'): string {
  return events.map((e) => (e.msgType === 'stream' && e.content.name === name ? e.content.text : '')).join('');
}

/** The `text/plain` of every `execute_result`. */
export function results(events: RuntimeEvent[]): string[] {
  return events.flatMap((e) => (e.msgType === 'execute_result' ? [String(e.content.data['text/plain'])] : []));
}
