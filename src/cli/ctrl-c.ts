/**
 * Ctrl-C for the headless runner: while cells run, SIGINT interrupts the
 * running cell (which then ends the run) instead of killing the process.
 */

/** The presses of Ctrl-C (SIGINT) while this is listening. */
export class CtrlC {
  private presses = 0;
  private waiting: (() => void)[] = [];
  private readonly onSignal = (): void => {
    this.presses += 1;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) {
      resolve();
    }
  };

  /** Listen for SIGINT, so it no longer ends the process. */
  constructor() {
    process.on('SIGINT', this.onSignal);
  }

  /** Resolves with `'ctrl-c'` once Ctrl-C has been pressed more than `seen` times. */
  pressed(seen = 0): Promise<'ctrl-c'> {
    if (this.presses > seen) {
      return Promise.resolve('ctrl-c');
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.pressed(seen));
  }

  /** Stop listening: SIGINT ends the process again. */
  dispose(): void {
    process.off('SIGINT', this.onSignal);
  }
}
