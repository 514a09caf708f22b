/**
 * The Node `worker_threads` Worker that hosts the {@link Runtime}, for the
 * headless runner, the benchmark and the tests: the same runtime as the
 * browser's, with Pyodide and the wheels read from the local disk.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';

import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';

import { joinUrl } from '../worker/lockfile.js';
import { PyodideModule, Runtime } from '../worker/runtime.js';

if (!parentPort) {
  throw new Error('node/worker.js must run in a worker thread');
}

const runtime = new Runtime({
  importPyodide: (pyodideDir: string): Promise<PyodideModule> =>
    import(pathToFileURL(joinUrl(pyodideDir, 'pyodide.mjs')).href),
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
});

expose(runtime, nodeEndpoint(parentPort));
