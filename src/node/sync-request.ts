/**
 * A synchronous HTTP POST under Node, which has no synchronous XMLHttpRequest:
 * a helper thread makes the request with `fetch` while the calling thread waits
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
const state = new Int32Array(workerData, 0, 2);
const bytes = new Uint8Array(workerData, 8);
// Load fetch's HTTP client now, not during the first request (a refused connection is enough).
fetch('http://127.0.0.1:9/').catch(() => undefined);
parentPort.on('message', async ({ url, body }) => {
  let length = -1;
  try {
    const response = await fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(1000) });
    if (response.ok) {
      const data = new Uint8Array(await response.arrayBuffer());
      if (data.length <= bytes.length) {
        bytes.set(data);
        length = data.length;
      }
    }
  } catch {}
  Atomics.store(state, 1, length);
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
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
