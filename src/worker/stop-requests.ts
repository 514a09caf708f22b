/**
 * Stop for a worker without shared memory: ask the page, synchronously, while
 * Python computes.
 *
 * Pyodide learns of a pending signal from its eval loop, every few dozen
 * checks, by reading element 0 of `Module.Py_EmscriptenSignalBuffer` (what
 * `pyodide.setInterruptBuffer` installs) and writing 0 back. Where the page is
 * cross-origin isolated that is an `Int32Array` over a SharedArrayBuffer the
 * page writes into. On other pages (GitHub Pages) there is no shared memory,
 * and a comlink message cannot reach a worker busy in a loop. So
 * {@link installPolledStops} makes that property a getter: it returns a plain
 * `Int32Array` after {@link PolledStops.check}, which asks the page, every
 * 100 ms while Python keeps running (less often when answers are slow, so that
 * asking takes at most 2 % of the time, and never less than every 250 ms),
 * how many times Stop was pressed: a synchronous request JupyterLite's service
 * worker relays to the page, as it does for files. A count above what the
 * worker has seen is a `SIGINT`.
 */
import type { StopAnswer, StopQuestion } from '../protocol.js';
import { INTERRUPT_SIGNAL } from '../protocol.js';

/** Sends one synchronous POST; the response text, or `undefined` if there was none. */
export type RequestSync = (url: string, body: string) => string | undefined;

/** How often a computing cell asks the page, at most (ms of running time)... */
export const STOP_POLL_INTERVAL_MS = 100;
/** ...and at least, however slow the answers: Stop must land within half a second. */
export const STOP_POLL_MAX_INTERVAL_MS = 250;
/** The share of running time asking may take: the interval grows with the time an answer takes. */
export const STOP_POLL_COST_SHARE = 1 / 50;

export class PolledStops {
  /**
   * @param ask asks the page for its count of Stops; `undefined` when it did not answer.
   * @param onGiveUp told once, when the page does not answer: the flag then stays quiet.
   */
  constructor(
    private readonly ask: () => number | undefined,
    private readonly onGiveUp: () => void,
    private readonly intervalMs = STOP_POLL_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
    private readonly clockEvery = 128,
  ) {}

  /**
   * {@link INTERRUPT_SIGNAL} when Stop was pressed since the last answer, else 0.
   * Called on every signal check of Python's eval loop, so it reads the clock
   * only every `clockEvery` calls.
   */
  check(): number {
    if (--this.countdown > 0 || this.gaveUp) {
      return 0;
    }
    this.countdown = this.clockEvery;
    const now = this.now();
    if (now < this.nextAsk) {
      return 0;
    }
    const stops = this.ask();
    const answered = this.now();
    const cost = answered - now;
    this.nextAsk =
      answered + Math.min(Math.max(this.intervalMs, cost / STOP_POLL_COST_SHARE), STOP_POLL_MAX_INTERVAL_MS);
    if (stops === undefined) {
      this.gaveUp = true;
      this.onGiveUp();
      return 0;
    }
    if (stops > this.seen) {
      this.seen = stops;
      return INTERRUPT_SIGNAL;
    }
    return 0;
  }

  /**
   * Python is about to run (a cell starts): ask only once it has run for the
   * interval, so short cells and callbacks never wait for the page.
   */
  running(): void {
    this.nextAsk = this.now() + this.intervalMs;
  }

  /** Stops the page counted that reached the cell another way (at an `await`). */
  delivered(stops: number): void {
    this.seen = Math.max(this.seen, stops);
  }

  private countdown = 1;
  private nextAsk = Number.POSITIVE_INFINITY;
  private seen = 0;
  private gaveUp = false;
}

/**
 * The question for {@link PolledStops}: POST a {@link StopQuestion} to `url`
 * and read the {@link StopAnswer}. An answer for another kernel (the service
 * worker matches answers to questions by page only) counts as none this time.
 */
export function askPage(
  requestSync: RequestSync,
  target: { url: string; browsingContextId: string; kernelId: string },
): () => number | undefined {
  const question: StopQuestion = { browsingContextId: target.browsingContextId, data: { kernelId: target.kernelId } };
  const body = JSON.stringify(question);
  let last = 0;
  return () => {
    const text = requestSync(target.url, body);
    if (text === undefined) {
      return undefined;
    }
    try {
      const answer = JSON.parse(text) as Partial<StopAnswer>;
      if (answer.kernelId === target.kernelId && typeof answer.stops === 'number') {
        last = answer.stops;
      }
      return last;
    } catch {
      return undefined;
    }
  };
}

/**
 * Make Pyodide's signal checks ask `stops`: its interrupt buffer becomes a
 * getter of the Emscripten module (a named property, which stays fast, where
 * an indexed getter on every read would cost more than the loop it watches).
 *
 * Pyodide reads the property three times per check (`if (buffer)`, `buffer[0]`,
 * `buffer[0] = 0`), and a Stop may be found at any of them. So the getter
 * returns a plain `Int32Array` of 0 while there is nothing to say, and while a
 * Stop is pending an object whose element 0 reads as `SIGINT` and is cleared
 * only by a write that follows a read: a Stop found just before Pyodide's
 * write of 0 is still read at the next check.
 */
export function installPolledStops(
  pyodide: { setInterruptBuffer(buffer: Int32Array | undefined): void; _module?: object },
  stops: PolledStops,
): () => void {
  const quiet = new Int32Array(1);
  let pending = false;
  let read = false;
  const signalling = {
    get 0(): number {
      read = true;
      return INTERRUPT_SIGNAL;
    },
    set 0(_value: number) {
      if (read) {
        pending = false;
        read = false;
      }
    },
  };
  pyodide.setInterruptBuffer(quiet); // turns Pyodide's signal checks on
  const module = pyodide._module;
  if (!module) {
    throw new Error("Pyodide's module is not reachable: stop requests cannot be installed");
  }
  Object.defineProperty(module, 'Py_EmscriptenSignalBuffer', {
    configurable: true,
    get: (): object => {
      if (!pending && stops.check() !== 0) {
        pending = true;
      }
      return pending ? signalling : quiet;
    },
    set: (): void => undefined,
  });
  // Undo (for the benchmark, which compares in one interpreter): a plain property again, no buffer.
  return () => {
    Object.defineProperty(module, 'Py_EmscriptenSignalBuffer', {
      configurable: true,
      writable: true,
      value: undefined,
    });
    pyodide.setInterruptBuffer(undefined);
  };
}
