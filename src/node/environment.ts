/**
 * The {@link RuntimeEnvironment} under Node: Pyodide and the wheels read from
 * the local disk. Used by the worker thread and by the snapshot builder.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

import { joinUrl } from '../worker/lockfile.js';
import type { CreatePyodideModule, PyodideModule, RuntimeEnvironment } from '../worker/runtime.js';
import type { RequestSync } from '../worker/stop-requests.js';
import { lazyNodeFetchSync } from './sync-fetch.js';
import { nodeRequestSync } from './sync-request.js';

const gunzipAsync = promisify(gunzip);

export const nodeEnvironment: RuntimeEnvironment = {
  importPyodide: (pyodideDir: string): Promise<PyodideModule> =>
    import(pathToFileURL(joinUrl(pyodideDir, 'pyodide.mjs')).href),
  importPyodideFactory: async (pyodideDir: string): Promise<CreatePyodideModule> =>
    ((await import(pathToFileURL(joinUrl(pyodideDir, 'pyodide.asm.mjs')).href)) as { default: CreatePyodideModule })
      .default,
  readJson: async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8')),
  readOptionalBytes: async (path: string): Promise<Uint8Array | undefined> => {
    try {
      const data = await readFile(path);
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
  },
  // Started on first use: only a runtime told to ask for stops (RuntimeOptions.stopRequests) needs it.
  get requestSync(): RequestSync {
    const requestSync = nodeRequestSync();
    Object.defineProperty(this, 'requestSync', { value: requestSync });
    return requestSync;
  },
  fetchSync: lazyNodeFetchSync(),
  // zlib in the thread pool: a few times faster than Node's DecompressionStream.
  gunzip: async (gzipped: Uint8Array): Promise<Uint8Array> => {
    const data = await gunzipAsync(gzipped);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  },
};
