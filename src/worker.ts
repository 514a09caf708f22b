/**
 * The browser module Worker that hosts the {@link Runtime}.
 *
 * Start it with `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`
 * (Pyodide 314 is ESM-only) and talk to it with comlink's `wrap<IRuntime>()`.
 * Pyodide is imported at run time from `RuntimeOptions.pyodideUrl`, never bundled.
 */
import { expose } from 'comlink';

import { PyodideModule, Runtime } from './runtime.js';
import { joinUrl } from './lockfile.js';

const runtime = new Runtime({
  importPyodide: (pyodideUrl: string): Promise<PyodideModule> =>
    import(/* webpackIgnore: true */ joinUrl(pyodideUrl, 'pyodide.mjs')),
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
});

expose(runtime);
