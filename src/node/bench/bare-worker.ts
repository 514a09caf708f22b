/**
 * Benchmark baseline: bare Pyodide in a worker thread, no kernel. Posts a
 * {@link BareResult}: `loadPyodide()` to the first `runPythonAsync` result, the
 * median time of an empty `runPythonAsync`, and a tight loop of 10 million
 * additions without and with Pyodide's interrupt buffer installed (rounds
 * alternate, so both see the same machine load).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

import type { PyodideModule } from '../../worker/runtime.js';
import { median } from './stats.js';

/** What the worker posts back. */
export interface BareResult {
  startMs: number;
  emptyMs: number;
  /**
   * The loop's CPU time with no interrupt buffer, in its fastest round (`NaN`
   * with no loop rounds): other load on the machine only ever adds time.
   */
  loopMs: number;
  /** The same with an interrupt buffer installed, as the kernel has it when SharedArrayBuffer is there. */
  loopWithBufferMs: number;
  /** Every round's times, without and with the buffer, for whoever wants to look closer. */
  loopRoundsMs: [number, number][];
}

/** The loop measured: 10 million additions in a function, the tightest loop Python runs. */
const LOOP = 'def spin(count):\n    n = 0\n    for i in range(count):\n        n += 1\n    return n\n';

const { pyodideDir, rounds, loopRounds } = workerData as { pyodideDir: string; rounds: number; loopRounds: number };
const started = performance.now();
const { loadPyodide } = (await import(pathToFileURL(join(pyodideDir, 'pyodide.mjs')).href)) as PyodideModule;
const pyodide = await loadPyodide({ indexURL: pyodideDir });
await pyodide.runPythonAsync('1 + 1');
const startMs = performance.now() - started;
const times: number[] = [];
for (let i = 0; i < rounds; i++) {
  const t = performance.now();
  await pyodide.runPythonAsync('');
  times.push(performance.now() - t);
}
pyodide.runPython(LOOP);
const spin = pyodide.globals.get('spin') as (count: number) => number;
const buffer = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
const plain: number[] = [];
const withBuffer: number[] = [];
for (let i = 0; i < loopRounds; i++) {
  for (const [installed, times] of [
    [false, plain],
    [true, withBuffer],
  ] as const) {
    pyodide.setInterruptBuffer(installed ? buffer : (undefined as unknown as Int32Array));
    // CPU time (this process; only this thread is busy): on a loaded machine,
    // waiting for a core adds wall time but not CPU time.
    const before = process.cpuUsage();
    spin(10_000_000);
    const used = process.cpuUsage(before);
    times.push((used.user + used.system) / 1000);
  }
}
const result: BareResult = {
  startMs,
  emptyMs: median(times),
  loopMs: loopRounds ? Math.min(...plain) : NaN,
  loopWithBufferMs: loopRounds ? Math.min(...withBuffer) : NaN,
  loopRoundsMs: plain.map((ms, i) => [ms, withBuffer[i]]),
};
parentPort?.postMessage(result);
