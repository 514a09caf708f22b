/**
 * Whether a new kernel can reach the files of JupyterLite's file browser.
 *
 * The runtime mounts them with JupyterLite's `DriveFS`, whose synchronous
 * requests JupyterLite's service worker relays to this page. That works once
 * the service worker controls the page: on a first visit it takes over a
 * moment after registering (it claims its clients when it activates), so a
 * kernel started then waits for it; after a hard reload (which bypasses
 * service workers) it never will, and where service workers are refused
 * (some private windows) there is none. Then cells see only the kernel's own
 * in-memory files, and the reason is given for the browser console.
 */
import type { IServiceWorkerManager } from '@jupyterlite/apputils';

import type { RuntimeOptions } from '../protocol';

/** The most a kernel start waits for the service worker to take over the page. */
export const SERVICE_WORKER_WAIT_MS = 10_000;

/** What {@link driveOptions} needs of `navigator.serviceWorker`. */
export type ServiceWorkers = Pick<ServiceWorkerContainer, 'controller' | 'getRegistration' | 'addEventListener'>;

/** The drive a kernel gets, or why it gets none. */
export type DriveDecision = { drive: NonNullable<RuntimeOptions['drive']> } | { drive: undefined; reason: string };

/**
 * Decide, waiting for the service worker to take over the page if it is
 * about to (at most `waitMs`).
 */
export async function driveOptions(
  manager: IServiceWorkerManager | null,
  serviceWorkers: ServiceWorkers | undefined,
  waitMs = SERVICE_WORKER_WAIT_MS,
): Promise<DriveDecision> {
  const none = (reason: string): DriveDecision => ({ drive: undefined, reason });
  if (!manager || !serviceWorkers) {
    return none('this page has no service worker');
  }
  if (
    !(await manager.ready.then(
      () => true,
      () => false,
    ))
  ) {
    return none('the browser refused the service worker (as some private windows do)');
  }
  if (!serviceWorkers.controller) {
    const registration = await serviceWorkers.getRegistration();
    const arriving = registration?.installing || registration?.waiting || registration?.active?.state === 'activating';
    if (!arriving) {
      return none('the service worker does not control this page (after a hard reload?); reload the page');
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controlled = await Promise.race([
      new Promise<boolean>((resolve) =>
        serviceWorkers.addEventListener('controllerchange', () => resolve(true), { once: true }),
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
    ]);
    clearTimeout(timer);
    if (!controlled) {
      return none(`the service worker did not take over this page within ${waitMs / 1000} s; reload the page`);
    }
  }
  return { drive: { browsingContextId: manager.browsingContextId } };
}
