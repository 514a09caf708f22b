/**
 * One kernel worker prepared while the page loads, for the first kernel the
 * page starts.
 *
 * Most of a kernel's start (Pyodide restored from the memory snapshot or
 * booted with the wheels, the shell imported) is the same for every kernel of
 * a site; only the last steps (the files, the kernel itself) are its own. So
 * the plugin starts one worker and asks its runtime to `prepare` as soon as
 * the page loads, while JupyterLab draws and the person picks a notebook; the
 * first kernel takes that worker and has only its own steps left. This is
 * done only where the service worker already controls the page (a return
 * visit): a worker started before it takes over is not controlled by it, so
 * could not reach the file browser's files or answer Stop. Later
 * kernels (a second notebook, a restart) start their own worker, as before:
 * a spare kept for them would hold a whole interpreter's memory for nothing
 * most of the time.
 */
import type { Remote } from 'comlink';
import { wrap } from 'comlink';

import { KERNEL_DISPLAY_NAME } from '../protocol';
import type { IRuntime, RuntimeOptions } from '../protocol';
import type { WorkerLike } from './kernel';

export class PreparedWorker {
  /**
   * Start a worker and prepare its runtime for `site` (the options every
   * kernel of the site starts with). A failure is kept for the kernel that
   * takes the worker: its `initialize` rejects with it, naming the step.
   */
  constructor(createWorker: () => WorkerLike, site: Omit<RuntimeOptions, 'location'>) {
    const worker = createWorker();
    this._worker = worker;
    // A worker whose script did not load is dropped, so that the kernel starts its own and
    // reports why (its error event came before that kernel listened for it).
    worker.addEventListener('error', () => {
      if (this._worker === worker) {
        this._worker = undefined;
        worker.terminate();
      }
    });
    // Kept for the life of the page, never released: comlink releases a proxy that is
    // garbage-collected, and a release makes the runtime stop listening, also to the kernel
    // that takes the worker and talks to the same runtime through its own proxy.
    this._runtime = wrap<IRuntime>(worker);
    this._runtime.prepare(site).catch((error: unknown) => {
      console.warn(`${KERNEL_DISPLAY_NAME}: preparing a kernel in advance failed: ${String(error)}`);
    });
  }

  /** The prepared worker, the first time; `undefined` after. */
  take(): WorkerLike | undefined {
    const worker = this._worker;
    this._worker = undefined;
    return worker;
  }

  private _worker: WorkerLike | undefined;
  private readonly _runtime: Remote<IRuntime>;
}
