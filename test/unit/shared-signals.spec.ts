/**
 * The interrupt buffer view (src/worker/shared-signals.ts), driven the way Pyodide's signal check
 * drives it: read element 0, then write 0 back.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { lossless } from '../../src/worker/shared-signals';
import type { SignalCell } from '../../src/worker/shared-signals';

const SIGINT = 2;

/** Pyodide's `_Py_CheckEmscriptenSignals_Helper`, with `between` run between its read and its write. */
function check(cell: SignalCell | Int32Array, between: () => void = () => undefined): number {
  const result = cell[0];
  between();
  cell[0] = 0;
  return result;
}

describe('the interrupt buffer over shared memory', () => {
  test('a signal is read once and cleared', () => {
    const shared = new Int32Array(new SharedArrayBuffer(4));
    const cell = lossless(shared);
    shared[0] = SIGINT;
    assert.equal(check(cell), SIGINT);
    assert.equal(check(cell), 0);
  });

  test('a signal written between the read and the write of 0 is seen at the next check', () => {
    const shared = new Int32Array(new SharedArrayBuffer(4));
    const cell = lossless(shared);
    assert.equal(
      check(cell, () => Atomics.store(shared, 0, SIGINT)),
      0,
    );
    assert.equal(check(cell), SIGINT, 'the Stop is still there');
    // A plain Int32Array, as Pyodide was given before, loses it:
    const plain = new Int32Array(new SharedArrayBuffer(4));
    assert.equal(
      check(plain, () => Atomics.store(plain, 0, SIGINT)),
      0,
    );
    assert.equal(check(plain), 0);
  });

  test('a read that does not clear (Pyodide checking from a file operation) leaves the signal', () => {
    const shared = new Int32Array(new SharedArrayBuffer(4));
    const cell = lossless(shared);
    shared[0] = SIGINT;
    assert.equal(cell[0], SIGINT);
    assert.equal(check(cell), SIGINT);
  });
});
