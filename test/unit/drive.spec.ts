/**
 * Whether a new kernel gets the files of the file browser (src/lab/drive.ts), for
 * each state JupyterLite's service worker can be in when the kernel starts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { IServiceWorkerManager } from '@jupyterlite/apputils';

import { driveOptions, ServiceWorkers } from '../../src/lab/drive';

const CONTEXT = 'browsing-context-1';

function manager(ready: 'resolves' | 'rejects'): IServiceWorkerManager {
  return {
    ready: ready === 'resolves' ? Promise.resolve() : Promise.reject(undefined),
    browsingContextId: CONTEXT,
    enabled: ready === 'resolves',
  } as unknown as IServiceWorkerManager;
}

/** `navigator.serviceWorker` with a registration in the given state; `takeOver()` claims the page. */
function serviceWorkers(
  controlled: boolean,
  registration: Partial<Record<'installing' | 'waiting', object>> & { active?: { state: string } },
): ServiceWorkers & { takeOver(): void } {
  const listeners: (() => void)[] = [];
  const container = {
    controller: controlled ? ({} as ServiceWorker) : null,
    getRegistration: async () => registration as unknown as ServiceWorkerRegistration,
    addEventListener: (type: string, listener: () => void) => {
      assert.equal(type, 'controllerchange');
      listeners.push(listener);
    },
    takeOver: () => {
      container.controller = {} as ServiceWorker;
      listeners.forEach((listener) => listener());
    },
  };
  return container as unknown as ServiceWorkers & { takeOver(): void };
}

describe('driveOptions', () => {
  test('a page the service worker controls: the kernel gets the drive at once', async () => {
    const decision = await driveOptions(manager('resolves'), serviceWorkers(true, { active: { state: 'activated' } }));
    assert.deepEqual(decision, { drive: { browsingContextId: CONTEXT } });
  });

  test('a first visit: the kernel waits until the new service worker takes over the page', async () => {
    const workers = serviceWorkers(false, { installing: {} });
    let settled = false;
    const decision = driveOptions(manager('resolves'), workers, 60_000).finally(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'still waiting while the service worker installs');
    workers.takeOver();
    assert.deepEqual(await decision, { drive: { browsingContextId: CONTEXT } });
  });

  test('a first visit whose service worker never takes over: no drive after the wait, with the reason', async () => {
    const decision = await driveOptions(manager('resolves'), serviceWorkers(false, { installing: {} }), 10);
    assert.equal(decision.drive, undefined);
    assert.match('reason' in decision ? decision.reason : '', /did not take over this page within 0.01 s/);
  });

  test('a hard reload (an active service worker that does not control the page): no drive, no wait', async () => {
    // A decision that waited would take a minute, and then give another reason.
    const decision = await driveOptions(
      manager('resolves'),
      serviceWorkers(false, { active: { state: 'activated' } }),
      60_000,
    );
    assert.equal(decision.drive, undefined);
    assert.match('reason' in decision ? decision.reason : '', /hard reload/);
  });

  test('a browser that refuses service workers, or none at all: no drive, with the reason', async () => {
    const refused = await driveOptions(manager('rejects'), serviceWorkers(false, {}));
    assert.match('reason' in refused ? refused.reason : '', /refused the service worker/);
    const absent = await driveOptions(null, undefined);
    assert.match('reason' in absent ? absent.reason : '', /no service worker/);
  });
});
