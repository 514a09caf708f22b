/**
 * `npm run bench`: the kernel against bare Pyodide, side by side, on plain
 * Node and (in a child process) with JSPI. Prints one table; asserts nothing.
 *
 * - start: worker start to the first cell's result, from the memory snapshot
 *   and from the wheels, vs bare `loadPyodide()` to the first `runPythonAsync`
 *   result (each the median of a few rounds, alternating, each in a fresh
 *   worker thread);
 * - empty cell: an empty `execute_request` round trip (through comlink) vs an
 *   empty `runPythonAsync` inside the worker (medians);
 * - 10 background tasks + a rewritten `time.sleep(1)`: wall time of the cell
 *   and how far the slowest task got (it ticks every 10 ms);
 * - 100,000 `print` calls: time and number of stream messages;
 * - what the interrupt buffer (which lets Stop reach a loop that never awaits)
 *   costs: 10 million additions in bare Pyodide without and with it installed,
 *   alternating within each round (each round starting with another); CPU time, the fastest round of each (other
 *   load only adds time to a CPU-bound loop), as a ratio;
 * - what asking the page for Stops costs where there is no shared memory (see
 *   `src/worker/stop-requests.ts`; a local HTTP server stands in for the service
 *   worker and the page): the same loop, alternating with the two above; wall
 *   time (the questions wait for their answers), the fastest round, as a ratio,
 *   and how many questions one loop asked.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import type { KernelMessage } from '@jupyterlab/services';

import { NodeRuntime, repoPaths, startRuntime } from '../client.js';
import type { StampedEvent } from '../../protocol.js';
import type { BareResult } from './bare-worker.js';
import { median } from './stats.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..', '..', '..');
const JSPI_FLAG = '--experimental-wasm-stack-switching';
const START_ROUNDS = 3;
const EMPTY_ROUNDS = 300;
const LOOP_ROUNDS = 9;

interface Measurements {
  engine: string;
  bareStartMs: number;
  snapshotStartMs: number;
  kernelStartMs: number;
  bareEmptyMs: number;
  kernelEmptyMs: number;
  sleepWallMs: number;
  slowestTaskTicks: number;
  printsMs: number;
  printMessages: number;
  loopMs: number;
  loopWithBufferMs: number;
  loopWallMs: number;
  loopAskingWallMs: number;
  questionsPerLoop: number;
}

let counter = 0;
function header(): KernelMessage.IHeader {
  counter += 1;
  return {
    msg_id: `bench-${counter}`,
    msg_type: 'execute_request',
    session: 'bench',
    username: 'bench',
    date: '',
    version: '5.3',
  };
}

async function execute(kernel: NodeRuntime, code: string): Promise<KernelMessage.IExecuteReplyMsg['content']> {
  const content = {
    code,
    silent: false,
    store_history: true,
    user_expressions: {},
    allow_stdin: false,
    stop_on_error: true,
  };
  const reply = await kernel.call((r) => r.execute(content, header()));
  if (reply.status !== 'ok') {
    throw new Error(`benchmark cell failed: ${code}\n${JSON.stringify(reply)}`);
  }
  return reply;
}

/** Bare Pyodide in a worker; a local HTTP server in this thread answers its stop requests (no Stop). */
async function bare(rounds: number, loopRounds: number): Promise<BareResult> {
  const page = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end(JSON.stringify({ kernelId: 'bench', stops: 0 })));
  });
  await new Promise<void>((resolveListen) => page.listen(0, '127.0.0.1', resolveListen));
  const stopUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/api/stdin/sync-kernel-stop`;
  const worker = new Worker(join(HERE, 'bare-worker.js'), {
    workerData: { pyodideDir: repoPaths(REPO).pyodideDir, rounds, loopRounds, stopUrl },
  });
  try {
    return await new Promise<BareResult>((resolvePromise, reject) => {
      worker.once('message', resolvePromise);
      worker.once('error', reject);
    });
  } finally {
    void worker.terminate();
    page.close();
  }
}

/** Worker start to the first cell's result, for a kernel started with or without the snapshot. */
async function kernelStart(snapshot: boolean): Promise<number> {
  const started = performance.now();
  const kernel = await startRuntime(repoPaths(REPO), { snapshot }, () => undefined);
  await execute(kernel, '1 + 1');
  const ms = performance.now() - started;
  const { origin } = await kernel.call((r) => r.bootReport());
  await kernel.terminate();
  if (origin.snapshot !== snapshot) {
    throw new Error(
      `the kernel was to start ${snapshot ? 'from the snapshot' : 'from the wheels'}: ${JSON.stringify(origin)}`,
    );
  }
  return ms;
}

async function measure(): Promise<Measurements> {
  const bareStarts: number[] = [];
  const snapshotStarts: number[] = [];
  const kernelStarts: number[] = [];
  let bareEmptyMs = 0;
  let loops = { loopMs: NaN, loopWithBufferMs: NaN, loopWallMs: NaN, loopAskingWallMs: NaN, questionsPerLoop: NaN };
  for (let round = 0; round < START_ROUNDS; round++) {
    const baseline = await bare(round === 0 ? EMPTY_ROUNDS : 0, round === 0 ? LOOP_ROUNDS : 0);
    bareStarts.push(baseline.startMs);
    if (round === 0) {
      bareEmptyMs = baseline.emptyMs;
      loops = {
        loopMs: baseline.loopMs,
        loopWithBufferMs: baseline.loopWithBufferMs,
        loopWallMs: baseline.loopWallMs,
        loopAskingWallMs: baseline.loopAskingWallMs,
        questionsPerLoop: baseline.questionsPerLoop,
      };
    }
    snapshotStarts.push(await kernelStart(true));
    kernelStarts.push(await kernelStart(false));
  }

  let streams = 0;
  let ticks = '';
  const onEvent = (stamped: StampedEvent): void => {
    if (stamped.event.msgType === 'stream') {
      streams += 1;
      ticks = stamped.event.content.text;
    }
  };
  const kernel = await startRuntime(repoPaths(REPO), {}, onEvent);
  await execute(kernel, 'pass');
  const empties: number[] = [];
  for (let i = 0; i < EMPTY_ROUNDS; i++) {
    const t = performance.now();
    await execute(kernel, '');
    empties.push(performance.now() - t);
  }

  await execute(
    kernel,
    'import asyncio\nticks = [0] * 10\nasync def tick(i):\n    while True:\n        ticks[i] += 1\n        await asyncio.sleep(0.01)\ntasks = [asyncio.create_task(tick(i)) for i in range(10)]',
  );
  let t = performance.now();
  await execute(kernel, '%transform notes off\nimport time\nbefore = list(ticks)\ntime.sleep(1)');
  const sleepWallMs = performance.now() - t;
  ticks = '';
  await execute(kernel, 'for task in tasks: task.cancel()\nprint(min(after - b for after, b in zip(ticks, before)))');
  const slowestTaskTicks = Number(ticks.trim());

  streams = 0;
  t = performance.now();
  await execute(kernel, 'for i in range(100_000): print(i)');
  const printsMs = performance.now() - t;
  const printMessages = streams;
  await kernel.terminate();

  return {
    engine: process.execArgv.includes(JSPI_FLAG) ? 'Node + JSPI' : 'Node',
    bareStartMs: median(bareStarts),
    snapshotStartMs: median(snapshotStarts),
    kernelStartMs: median(kernelStarts),
    bareEmptyMs,
    kernelEmptyMs: median(empties),
    sleepWallMs,
    slowestTaskTicks,
    printsMs,
    printMessages,
    ...loops,
  };
}

function table(runs: Measurements[]): string {
  const ms = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
  const rows: [string, (m: Measurements) => string, string][] = [
    ['kernel start → first result, from the snapshot', (m) => ms(m.snapshotStartMs), ''],
    ['kernel start → first result, from the wheels', (m) => ms(m.kernelStartMs), ''],
    ['bare loadPyodide() → first result', (m) => ms(m.bareStartMs), ''],
    ['start ratio, from the snapshot', (m) => `${(m.snapshotStartMs / m.bareStartMs).toFixed(2)}×`, '≤ 0.5×'],
    ['start ratio, from the wheels', (m) => `${(m.kernelStartMs / m.bareStartMs).toFixed(2)}×`, '≤ 1.5×'],
    ['empty cell round trip', (m) => ms(m.kernelEmptyMs), '≤ 2 ms'],
    ['bare empty runPythonAsync', (m) => ms(m.bareEmptyMs), ''],
    ['empty cell ratio', (m) => `${(m.kernelEmptyMs / m.bareEmptyMs).toFixed(1)}×`, ''],
    ['10 tasks + rewritten time.sleep(1): wall', (m) => ms(m.sleepWallMs), '≈ 1000 ms'],
    ['  ticks of the slowest task (10 ms period)', (m) => String(m.slowestTaskTicks), '≈ 100'],
    ['100,000 prints: time', (m) => ms(m.printsMs), '≤ 1000 ms'],
    ['100,000 prints: stream messages', (m) => String(m.printMessages), '≤ 200'],
    ['10M additions, no interrupt buffer (CPU)', (m) => ms(m.loopMs), ''],
    ['10M additions, interrupt buffer (CPU)', (m) => ms(m.loopWithBufferMs), ''],
    ['  interrupt buffer cost', (m) => `${((m.loopWithBufferMs / m.loopMs - 1) * 100).toFixed(1)} %`, '≤ 5 %'],
    ['10M additions, no interrupt buffer (wall)', (m) => ms(m.loopWallMs), ''],
    ['10M additions, stop requests (wall)', (m) => ms(m.loopAskingWallMs), ''],
    ['  questions per loop', (m) => m.questionsPerLoop.toFixed(0), ''],
    ['  stop requests cost', (m) => `${((m.loopAskingWallMs / m.loopWallMs - 1) * 100).toFixed(1)} %`, '≤ 5 %'],
  ];
  const header = ['', ...runs.map((m) => m.engine), 'goal'];
  const body = rows.map(([label, value, goal]) => [label, ...runs.map(value), goal]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
  const line = (row: string[]): string => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const mine = await measure();
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(mine));
    return;
  }
  const child = spawnSync(process.execPath, [JSPI_FLAG, fileURLToPath(import.meta.url), '--json'], {
    encoding: 'utf8',
  });
  const runs = [mine];
  if (child.status === 0) {
    runs.push(JSON.parse(child.stdout) as Measurements);
  } else {
    process.stderr.write(`the JSPI run failed:\n${child.stderr}\n`);
  }
  process.stdout.write(`${table(runs)}\n`);
}

await main();
process.exit(0);
