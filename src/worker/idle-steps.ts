/**
 * Work the kernel does in the background, one step at a time, each only once
 * it has been idle for a moment: what is not needed to start, loaded once it
 * is first wanted ({@link IdleSteps.soon}; jedi, for completion). A step never starts
 * while a cell runs; a step that awaits (a download) may overlap a cell that
 * starts meanwhile, so a step that runs Python for long comes after it, as a
 * step of its own.
 */

/** How long the kernel must have been idle before the next step. */
export const IDLE_BEFORE_STEP_MS = 1500;

export class IdleSteps {
  /**
   * @param steps run in order
   * @param onError told of a step that failed; the steps after it are dropped
   */
  constructor(
    steps: (() => unknown)[],
    private readonly onError: (error: unknown) => void,
    private readonly idleMs = IDLE_BEFORE_STEP_MS,
  ) {
    this.steps = [...steps];
  }

  /** A cell starts: no step starts until it is over. */
  busy(): void {
    this.running++;
    clearTimeout(this.timer);
  }

  /** A cell is over. */
  idle(): void {
    this.running = Math.max(0, this.running - 1);
    this.arm(this.idleMs);
  }

  /** Someone wants the result: take the next step as soon as the kernel is idle, without waiting. */
  soon(): void {
    this.wanted = true;
    this.arm(0);
  }

  /** Whether every step is done. */
  get done(): boolean {
    return this.steps.length === 0 && !this.stepping;
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    if (this.wanted && this.steps.length > 0 && !this.stepping && this.running === 0) {
      this.timer = setTimeout(() => void this.next(), ms);
    }
  }

  private async next(): Promise<void> {
    const step = this.steps.shift();
    if (!step || this.running > 0) {
      if (step) {
        this.steps.unshift(step);
      }
      return;
    }
    this.stepping = true;
    try {
      await step();
    } catch (error) {
      this.steps = [];
      this.onError(error);
    } finally {
      this.stepping = false;
    }
    this.arm(this.idleMs);
  }

  private steps: (() => unknown)[];
  private running = 0;
  private stepping = false;
  /** Nothing is taken until someone asks ({@link soon}): not at start, not after a cell. */
  private wanted = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
}
