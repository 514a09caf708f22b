/**
 * The synchronous fetch of `src/worker/web-requests.ts` under Node, which has
 * no synchronous XMLHttpRequest: a helper thread makes the request with
 * Node's `fetch` and posts the answer on a message port, then wakes the
 * calling thread, which waits on shared memory (`Atomics.wait`) and takes the
 * answer off the port with `receiveMessageOnPort` (no size limit, no copy of
 * the body: its buffer is transferred).
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

import type { FetchSync, WebRequest, WebResponse } from '../worker/web-requests.js';
import { sendableHeaders } from '../worker/web-requests.js';

/** How long past the request's own timeout the caller waits for the helper thread. */
const HELPER_GRACE_MS = 5000;

/** The helper thread (CommonJS, evaluated): one request at a time, answered on the port. */
const HELPER = `
const { workerData } = require('node:worker_threads');
const { port, shared } = workerData;
const answered = new Int32Array(shared);
async function fetchOne({ method, url, headers, timeoutMs }, body) {
  try {
    const response = await fetch(url, { method, headers, body, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    const data = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, statusText: response.statusText, url: response.url, headers: [...response.headers], body: data };
  } catch (error) {
    const timedOut = error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const cause = error && error.cause && error.cause.message;
    return { error: timedOut ? 'timeout' : 'network', message: String(cause || (error && error.message) || error) };
  }
}
port.on('message', async ({ id, request, body }) => {
  const answer = await fetchOne(request, body);
  port.postMessage({ id, answer }, answer.body ? [answer.body.buffer] : []);
  Atomics.add(answered, 0, 1);
  Atomics.notify(answered, 0);
});
`;

/** A {@link FetchSync} backed by its own helper thread (which does not keep the process alive). */
export function nodeFetchSync(): FetchSync {
  const shared = new SharedArrayBuffer(4);
  const answered = new Int32Array(shared);
  const { port1, port2 } = new MessageChannel();
  const helper = new Worker(HELPER, { eval: true, workerData: { port: port2, shared }, transferList: [port2] });
  helper.unref();
  port1.unref();
  let lastId = 0;
  return (request: WebRequest, body: Uint8Array | undefined): WebResponse => {
    const id = ++lastId;
    const sent: WebRequest = { ...request, headers: sendableHeaders(request.headers) };
    port1.postMessage({ id, request: sent, body: body && body.byteLength > 0 ? body.slice() : undefined });
    const deadline = Date.now() + request.timeoutMs + HELPER_GRACE_MS;
    for (;;) {
      const seen = Atomics.load(answered, 0);
      // Answers to earlier requests this thread gave up on are dropped here.
      for (let received = receiveMessageOnPort(port1); received; received = receiveMessageOnPort(port1)) {
        const { id: answerId, answer } = received.message as { id: number; answer: WebResponse };
        if (answerId === id) {
          return answer;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(answered, 0, seen, left) === 'timed-out') {
        return { error: 'timeout', message: 'the request thread did not answer' };
      }
    }
  };
}

/** {@link nodeFetchSync}, its helper thread started by the first request (most kernels make none). */
export function lazyNodeFetchSync(): FetchSync {
  let fetchSync: FetchSync | undefined;
  return (request, body) => (fetchSync ??= nodeFetchSync())(request, body);
}
