/**
 * A synchronous HTTP POST under Node, which has no synchronous XMLHttpRequest:
 * a helper thread makes the request (`node:http`, `http:` URLs, a kept-alive
 * connection) while the calling thread waits
 * on shared memory (`Atomics.wait`). It gives the runtime under Node the same
 * stop requests as a browser worker without shared memory (see
 * `src/worker/stop-requests.ts`), for the tests and the benchmark.
 */
import { Worker } from 'node:worker_threads';

import type { RequestSync } from '../worker/stop-requests.js';

/** The longest answer read (a stop answer is a few dozen bytes). */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** The helper thread (CommonJS, evaluated): answers each request by filling the shared buffer. */
const HELPER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const state = new Int32Array(workerData, 0, 2);
const bytes = new Uint8Array(workerData, 8);
const agent = new http.Agent({ keepAlive: true });
function answer(length) {
  Atomics.store(state, 1, length);
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
}
parentPort.on('message', ({ url, body }) => {
  let answered = false;
  const once = (length) => {
    if (!answered) {
      answered = true;
      answer(length);
    }
  };
  const request = http.request(url, { method: 'POST', agent, timeout: 1000 }, (response) => {
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => {
      const data = Buffer.concat(chunks);
      if (response.statusCode !== 200 || data.length > bytes.length) {
        once(-1);
        return;
      }
      bytes.set(data);
      once(data.length);
    });
  });
  request.on('timeout', () => request.destroy());
  request.on('error', () => once(-1));
  request.end(body);
});
`;

/** A {@link RequestSync} backed by its own helper thread (which does not keep the process alive). */
export function nodeRequestSync(): RequestSync {
  const shared = new SharedArrayBuffer(8 + MAX_RESPONSE_BYTES);
  const state = new Int32Array(shared, 0, 2);
  const bytes = new Uint8Array(shared, 8);
  const helper = new Worker(HELPER, { eval: true, workerData: shared });
  helper.unref();
  const decoder = new TextDecoder();
  return (url: string, body: string): string | undefined => {
    Atomics.store(state, 0, 0);
    helper.postMessage({ url, body });
    if (Atomics.wait(state, 0, 0, 2000) === 'timed-out') {
      return undefined;
    }
    const length = Atomics.load(state, 1);
    return length < 0 ? undefined : decoder.decode(bytes.slice(0, length));
  };
}
