/**
 * Benchmark baseline: bare Pyodide in a worker thread, no kernel. Posts
 * `{ startMs, emptyMs }`: `loadPyodide()` to the first `runPythonAsync` result,
 * and the median time of an empty `runPythonAsync`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

import type { PyodideModule } from '../../worker/runtime.js';
import { median } from './stats.js';

const { pyodideDir, rounds } = workerData as { pyodideDir: string; rounds: number };
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
parentPort?.postMessage({ startMs, emptyMs: median(times) });
