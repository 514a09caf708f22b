/**
 * The status bar's word on kernels that are starting: the start-up step each
 * one is at ("Python (sync, Pyodide) is starting: restore snapshot…"), shown
 * while at least one starts, gone when all have. The notebook's own kernel
 * status says "Starting" meanwhile (the kernel tells it); this says what for.
 *
 * A status bar item rather than a notification: JupyterLab's toasts drop an
 * update that comes while one is still being drawn, and a dismissal can lose
 * to an update, leaving a toast behind; start-up steps come a few
 * milliseconds apart.
 */
import { Widget } from '@lumino/widgets';

import { startingMessage } from './starting-message';

export class StartingStatus extends Widget {
  constructor() {
    super();
    this.addClass('jp-SyncKernel-StartingStatus');
    this.setHidden(true);
  }

  /**
   * The kernel `start` has begun to start (`step` undefined) or is at `step`.
   * (An object per start, not the kernel's id: a restarted kernel keeps its id.)
   */
  step(start: object, step?: string): void {
    this._steps.set(start, step);
    this._render();
  }

  /** The kernel `start` has started, failed to, or was shut down. */
  done(start: object): void {
    this._steps.delete(start);
    this._render();
  }

  private _render(): void {
    const message = startingMessage([...this._steps.values()]);
    this.node.textContent = message ?? '';
    this.setHidden(message === undefined);
  }

  private readonly _steps = new Map<object, string | undefined>();
}
