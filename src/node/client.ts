/**
 * Start the runtime in a Node `worker_threads` Worker and talk to it through comlink.
 *
 * Used by the headless runner, the benchmark and the tests. A call to a worker
 * that died would wait forever, so every call made through
 * {@link NodeRuntime.call} fails as soon as the worker exits or throws.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { proxy, Remote, releaseProxy, wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';

import type { KernelMessage } from '@jupyterlab/services';

import { requestInterrupt } from '../protocol.js';
import type { BootStepHandler, IRuntime, RuntimeEventHandler, RuntimeOptions } from '../protocol.js';

/** Where the runtime's files are on disk. */
export interface RuntimePaths {
  /** The compiled `node/worker.js`. */
  workerPath: string;
  /** The `pyodide` package directory (`node_modules/pyodide`). */
  pyodideDir: string;
  /** The wheels and lock file written by `npm run build:wheels`. */
  wheelsDir: string;
}

/** The standard layout of a checkout: `build/node`, `node_modules/pyodide`, `build/wheels`. */
export function repoPaths(repoRoot: string): RuntimePaths {
  return {
    workerPath: join(repoRoot, 'build', 'node', 'node', 'worker.js'),
    pyodideDir: join(repoRoot, 'node_modules', 'pyodide'),
    wheelsDir: join(repoRoot, 'build', 'wheels'),
  };
}

/** The worker exited or failed; `reason` says how. */
export class RuntimeDiedError extends Error {
  constructor(reason: string) {
    super(`the kernel died: ${reason}`);
    this.name = 'RuntimeDiedError';
  }
}

/** A runtime running in a worker thread. */
export interface NodeRuntime {
  /** The runtime's API; prefer {@link NodeRuntime.call}, which notices a dead worker. */
  runtime: Remote<IRuntime>;
  /**
   * `request` raced against the worker's death. The runtime is typed as the
   * plain {@link IRuntime} (comlink's `Remote` mapping splits union replies).
   */
  call<T>(request: (runtime: IRuntime) => Promise<T>): Promise<T>;
  /**
   * Stop the running cell, also one busy in a loop that never awaits: writes
   * `SIGINT` into the runtime's interrupt buffer (shared memory, which reaches
   * Python without going through the busy worker's message queue), then asks
   * the runtime to cancel the cell at its next `await`. Resolves when the
   * worker has taken the request, which is after the cell has stopped.
   */
  interrupt(): Promise<void>;
  /** Rejects with {@link RuntimeDiedError} when the worker exits or throws. */
  died: Promise<never>;
  /** Stop the worker (idempotent). */
  terminate(): Promise<void>;
}

/**
 * Start a worker, initialize the runtime in it, and return it. `onStep`
 * hears each start-up step as it begins; `prepareFirst` starts it as a page
 * starts a kernel it prepared in advance (`IRuntime.prepare`, then `initialize`).
 * Rejects with the runtime's boot error (naming the failed step) or with
 * {@link RuntimeDiedError} if the worker dies first.
 */
export async function startRuntime(
  paths: RuntimePaths,
  options: Partial<RuntimeOptions>,
  onEvent: RuntimeEventHandler,
  onStep?: BootStepHandler,
  { prepareFirst = false } = {},
): Promise<NodeRuntime> {
  // The worker's own console (Pyodide's loading messages, the runtime's notices) is diagnostics:
  // it goes to stderr, so that standard output holds only what the cells print.
  const worker = new Worker(paths.workerPath, { stdout: true });
  worker.stdout.pipe(process.stderr, { end: false });
  let stopping = false;
  const died = new Promise<never>((_, reject) => {
    worker.once('error', (error) => reject(new RuntimeDiedError(error.message)));
    worker.once('exit', (code) => {
      if (!stopping) {
        reject(new RuntimeDiedError(`the worker exited with code ${code}`));
      }
    });
  });
  died.catch(() => undefined);
  const runtime = wrap<IRuntime>(nodeEndpoint(worker));
  const call = <T>(request: (runtime: IRuntime) => Promise<T>): Promise<T> =>
    Promise.race([request(runtime as unknown as IRuntime), died]);
  const terminate = async (): Promise<void> => {
    if (!stopping) {
      stopping = true;
      runtime[releaseProxy]();
      await worker.terminate();
    }
  };
  const fullOptions: RuntimeOptions = {
    baseUrl: '/',
    pyodideUrl: paths.pyodideDir,
    wheelsUrl: paths.wheelsDir,
    // Pyodide's own choice when it downloads from its CDN: next to its files.
    packageCacheDir: paths.pyodideDir,
    ...options,
  };
  let signals: Int32Array | undefined;
  try {
    if (prepareFirst) {
      await Promise.race([runtime.prepare(fullOptions), died]);
    }
    await Promise.race([runtime.initialize(fullOptions, proxy(onEvent), onStep && proxy(onStep)), died]);
    // Node always has SharedArrayBuffer, so this is the buffer itself, shared.
    signals = await call((r) => r.interruptBuffer());
  } catch (error) {
    await terminate();
    throw error;
  }
  const interrupt = (): Promise<void> => {
    if (signals) {
      requestInterrupt(signals);
    }
    return call((r) => r.interrupt());
  };
  return { runtime, call, interrupt, died, terminate };
}

/** The content of an `execute_request` for one cell, as a notebook front end sends it. */
export function executeContent(code: string): KernelMessage.IExecuteRequestMsg['content'] {
  return { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true };
}
