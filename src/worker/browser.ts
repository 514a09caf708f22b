/**
 * The browser module Worker that hosts the {@link Runtime}.
 *
 * Start it with `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`
 * (Pyodide 314 is ESM-only) and talk to it with comlink's `wrap<IRuntime>()`.
 * Pyodide is imported at run time from `RuntimeOptions.pyodideUrl`, never bundled.
 */
import { expose } from 'comlink';
import type { PyodideAPI } from 'pyodide';

import { DriveFS } from '@jupyterlite/services/lib/contents/drivefs';

import { CreatePyodideModule, DRIVE_MOUNTPOINT, PyodideModule, Runtime } from './runtime.js';
import { joinUrl } from './lockfile.js';
import { xhrFetchSync } from './web-requests.js';

/**
 * Mount JupyterLite's files with its own `DriveFS`: each file operation is a
 * synchronous request that the service worker relays to the page. A worker the
 * service worker does not control gets an error answer to the first request;
 * then nothing is mounted.
 */
function mountDrive(pyodide: PyodideAPI, baseUrl: string, browsingContextId: string): boolean {
  const { FS, PATH, ERRNO_CODES } = pyodide;
  // Pyodide's and JupyterLite's typings of the Emscripten FS differ (casts below); the objects are the same.
  const drive = new DriveFS({
    FS: FS as unknown as DriveFS.IOptions['FS'],
    PATH,
    ERRNO_CODES,
    baseUrl,
    driveName: '',
    mountpoint: DRIVE_MOUNTPOINT,
    browsingContextId,
  });
  try {
    if (!drive.API.lookup(DRIVE_MOUNTPOINT).ok) {
      return false;
    }
  } catch {
    return false;
  }
  FS.mkdirTree(DRIVE_MOUNTPOINT);
  FS.mount(drive as unknown as Parameters<typeof FS.mount>[0], {}, DRIVE_MOUNTPOINT);
  return true;
}

/**
 * A synchronous POST, as JupyterLite's `DriveFS` makes for files: JupyterLite's
 * service worker relays it to the page. Workers may time out a synchronous
 * request (pages may not), so a page that never answers costs a second, once.
 */
function requestSync(url: string, body: string): string | undefined {
  try {
    const request = new XMLHttpRequest();
    request.open('POST', url, false);
    request.timeout = 1000;
    request.send(body);
    return request.status === 200 ? request.responseText : undefined;
  } catch {
    return undefined;
  }
}

const runtime = new Runtime({
  importPyodide: (pyodideUrl: string): Promise<PyodideModule> =>
    import(/* webpackIgnore: true */ joinUrl(pyodideUrl, 'pyodide.mjs')),
  importPyodideFactory: async (pyodideUrl: string): Promise<CreatePyodideModule> =>
    (
      (await import(/* webpackIgnore: true */ joinUrl(pyodideUrl, 'pyodide.asm.mjs'))) as {
        default: CreatePyodideModule;
      }
    ).default,
  readJson: async (url: string): Promise<unknown> => {
    const response = await fetch(url);
    if (!response.ok) {
      throw new Error(`${url}: ${response.status} ${response.statusText}`);
    }
    return response.json();
  },
  readOptionalBytes: async (url: string): Promise<Uint8Array | undefined> => {
    const response = await fetch(url);
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
  },
  mountDrive,
  requestSync,
  fetchSync: xhrFetchSync,
});

expose(runtime);
