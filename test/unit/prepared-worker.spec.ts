/**
 * The worker prepared while the page loads (src/lab/prepared-worker.ts),
 * against a runtime exposed with comlink over a MessageChannel.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { PromiseDelegate } from '@lumino/coreutils';
import { expose } from 'comlink';

import type { WorkerLike } from '../../src/lab/kernel';
import { PreparedWorker } from '../../src/lab/prepared-worker';
import type { RuntimeOptions } from '../../src/protocol';

const SITE = { baseUrl: 'http://site/', pyodideUrl: 'http://site/py/', wheelsUrl: 'http://site/w/' };

/** A Worker stand-in whose runtime records what it was asked to prepare. */
function fakeWorker(prepare: (options: RuntimeOptions) => Promise<void>) {
  const channel = new MessageChannel();
  expose({ prepare }, channel.port2);
  const errorListeners: (() => void)[] = [];
  const worker = {
    terminated: false,
    postMessage: (message: unknown, transfer?: unknown) =>
      channel.port1.postMessage(message, transfer as Transferable[]),
    addEventListener: (type: string, listener: EventListenerOrEventListenerObject) => {
      if (type === 'error') {
        errorListeners.push(listener as () => void);
      } else {
        channel.port1.addEventListener(type as 'message', listener as (e: MessageEvent) => void);
        channel.port1.start();
      }
    },
    removeEventListener: (type: string, listener: EventListenerOrEventListenerObject) =>
      channel.port1.removeEventListener(type as 'message', listener as (e: MessageEvent) => void),
    terminate: () => {
      worker.terminated = true;
      channel.port1.close();
      channel.port2.close();
    },
    /** What the browser does when the worker's script cannot be loaded. */
    failToLoad: () => errorListeners.forEach((listener) => listener()),
  };
  return worker;
}

describe('PreparedWorker', () => {
  test('prepares the runtime with the site options at once, and gives the worker to the first kernel only', async () => {
    const asked = new PromiseDelegate<RuntimeOptions>();
    const worker = fakeWorker(async (options) => asked.resolve(options));
    let created = 0;
    const prepared = new PreparedWorker(() => {
      created += 1;
      return worker as WorkerLike;
    }, SITE);
    assert.deepEqual(await asked.promise, SITE);
    assert.equal(created, 1);
    assert.equal(prepared.take(), worker);
    assert.equal(prepared.take(), undefined, 'a second kernel starts its own worker');
    worker.terminate();
  });

  test('a failed preparation is only warned about: the kernel that takes the worker reports it', async () => {
    const warned = new PromiseDelegate<string>();
    const warn = console.warn;
    console.warn = (message: string) => warned.resolve(message);
    try {
      const worker = fakeWorker(async () => {
        throw new Error('step "read lock files" failed: 404');
      });
      const prepared = new PreparedWorker(() => worker as WorkerLike, SITE);
      assert.match(await warned.promise, /preparing a kernel in advance failed: .*read lock files/);
      assert.equal(prepared.take(), worker);
      worker.terminate();
    } finally {
      console.warn = warn;
    }
  });

  test('a worker whose script did not load is dropped, so that the kernel starts one of its own', () => {
    const worker = fakeWorker(() => new Promise<void>(() => undefined));
    const prepared = new PreparedWorker(() => worker as WorkerLike, SITE);
    worker.failToLoad();
    assert.equal(worker.terminated, true);
    assert.equal(prepared.take(), undefined);
  });
});
