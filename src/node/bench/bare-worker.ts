/**
 * Benchmark baseline: bare Pyodide in a worker thread, no kernel. Posts a
 * {@link BareResult}: `loadPyodide()` to the first `runPythonAsync` result, the
 * median time of an empty `runPythonAsync`, and a tight loop of 10 million
 * additions with no interrupt buffer, with Pyodide's (shared) interrupt buffer,
 * and with stop requests (the kernel's stand-in where there is no shared
 * memory, asking `stopUrl`); rounds alternate, so all see the same machine load.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

import type { PyodideModule } from '../../worker/runtime.js';
import { askPage, installPolledStops, PolledStops } from '../../worker/stop-requests.js';
import { nodeRequestSync } from '../sync-request.js';
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
  /** Wall time of the loop with no buffer, and with stop requests (their answers are waited for), fastest rounds. */
  loopWallMs: number;
  loopAskingWallMs: number;
  /** Questions asked per loop. */
  questionsPerLoop: number;
}

/** The loop measured: 10 million additions in a function, the tightest loop Python runs. */
const LOOP = 'def spin(count):\n    n = 0\n    for i in range(count):\n        n += 1\n    return n\n';

const { pyodideDir, rounds, loopRounds, stopUrl } = workerData as {
  pyodideDir: string;
  rounds: number;
  loopRounds: number;
  stopUrl: string;
};
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
let questions = 0;
const ask = askPage(nodeRequestSync(), { url: stopUrl, browsingContextId: 'bench', kernelId: 'bench' });
const stops = new PolledStops(
  () => {
    questions += 1;
    return ask();
  },
  () => undefined,
);
type Mode = 'none' | 'buffer' | 'asking';
const cpu: Record<Mode, number[]> = { none: [], buffer: [], asking: [] };
const wall: Record<Mode, number[]> = { none: [], buffer: [], asking: [] };
const MODES = ['none', 'buffer', 'asking'] as const;
for (let i = 0; i < loopRounds; i++) {
  // Each round starts with another mode, so no mode always runs first (or after the same one).
  for (const mode of [...MODES.slice(i % MODES.length), ...MODES.slice(0, i % MODES.length)]) {
    const uninstall =
      mode === 'asking'
        ? installPolledStops(pyodide as unknown as Parameters<typeof installPolledStops>[0], stops)
        : undefined;
    if (mode !== 'asking') {
      pyodide.setInterruptBuffer(mode === 'buffer' ? buffer : (undefined as unknown as Int32Array));
    }
    stops.running();
    // CPU time (this process; only this thread is busy, but for stop requests' helper thread):
    // on a loaded machine, waiting for a core adds wall time but not CPU time.
    const before = process.cpuUsage();
    const started = performance.now();
    spin(10_000_000);
    wall[mode].push(performance.now() - started);
    const used = process.cpuUsage(before);
    cpu[mode].push((used.user + used.system) / 1000);
    uninstall?.();
  }
}
const fastest = (times: number[]): number => (loopRounds ? Math.min(...times) : NaN);
const result: BareResult = {
  startMs,
  emptyMs: median(times),
  loopMs: fastest(cpu.none),
  loopWithBufferMs: fastest(cpu.buffer),
  loopRoundsMs: cpu.none.map((ms, i) => [ms, cpu.buffer[i]]),
  loopWallMs: fastest(wall.none),
  loopAskingWallMs: fastest(wall.asking),
  questionsPerLoop: loopRounds ? questions / loopRounds : NaN,
};
parentPort?.postMessage(result);
