/**
 * The Node `worker_threads` Worker that hosts the {@link Runtime}, for the
 * headless runner, the benchmark and the tests: the same runtime as the
 * browser's, with Pyodide and the wheels read from the local disk.
 */
import { parentPort } from 'node:worker_threads';

import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';

import { Runtime } from '../worker/runtime.js';
import { nodeEnvironment } from './environment.js';

if (!parentPort) {
  throw new Error('node/worker.js must run in a worker thread');
}

expose(new Runtime(nodeEnvironment), nodeEndpoint(parentPort));
