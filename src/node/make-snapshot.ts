/**
 * Build the kernel's memory snapshot for this engine (`npm run build:snapshot`):
 *
 *     node [--experimental-wasm-stack-switching] build/node/node/make-snapshot.js
 *
 * Boots the runtime from `build/wheels` up to the import of the shell (see
 * `Runtime.makeSnapshot`) and writes `build/wheels/kernel-<Pyodide version>-
 * <wheels hash>[-jspi-<API>].snapshot`, gzipped. Pyodide records at start-up
 * whether and how the engine switches stacks, so the build runs this once on
 * plain Node and once with JSPI (Node 20's `WebAssembly.Suspender`); a runtime
 * only restores the snapshot made like its engine (`StackSwitching`).
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

import { Runtime } from '../worker/runtime.js';
import { repoPaths } from './client.js';
import { nodeEnvironment } from './environment.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function main(): Promise<void> {
  const paths = repoPaths(REPO);
  const runtime = new Runtime(nodeEnvironment);
  const { name, bytes, header } = await runtime.makeSnapshot({
    baseUrl: '/',
    pyodideUrl: paths.pyodideDir,
    wheelsUrl: paths.wheelsDir,
    packageCacheDir: paths.pyodideDir,
  });
  const gzipped = await promisify(gzip)(bytes, { level: 6 });
  await writeFile(join(paths.wheelsDir, name), gzipped);
  const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
  const filesBytes = header.files.reduce((sum, [, size]) => sum + size, 0);
  process.stdout.write(
    `${name}: ${mib(gzipped.length)} gzipped (memory ${mib(header.memoryBytes)}, ` +
      `${header.files.filter(([path]) => !path.endsWith('/')).length} files ${mib(filesBytes)}, ` +
      `${mib(bytes.length)} in all)\n`,
  );
}

await main();
process.exit(0);
