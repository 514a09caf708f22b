/**
 * The interrupt buffer Pyodide reads, over shared memory, without losing a Stop.
 *
 * Pyodide checks for a signal, every few dozen turns of its eval loop, in two
 * steps: it reads element 0 of the interrupt buffer, then writes 0 back. A
 * signal the main thread writes between those two steps is overwritten and
 * lost; on a tight loop (`while True: pass`) that lost about one Stop in 30.
 * {@link lossless} gives Pyodide a view of the shared buffer whose write of 0
 * clears only the value it read (an atomic compare-and-exchange), so a signal
 * written in between stays for the next check.
 */

/** What Pyodide's `setInterruptBuffer` needs: element 0, read and written. */
export interface SignalCell {
  0: number;
}

/** A view of `shared` for `pyodide.setInterruptBuffer`, that a racing write cannot be lost through. */
export function lossless(shared: Int32Array): SignalCell {
  let read = 0;
  return {
    get 0(): number {
      read = Atomics.load(shared, 0);
      return read;
    },
    set 0(value: number) {
      if (value === 0) {
        Atomics.compareExchange(shared, 0, read, 0); // only what was read: a newer signal stays
      } else {
        Atomics.store(shared, 0, value);
      }
    },
  };
}
