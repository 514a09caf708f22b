/**
 * Run a Python script or module inside Pyodide under Node, like `python`.
 *
 *     node build/node/node/run-python.js [--lock FILE]... [--package NAME]... [--path DIR]... -- ARGS...
 *
 * ARGS are `script.py args...` or `-m module args...`, with paths relative to
 * the current directory, which is mounted into Pyodide's filesystem at the
 * same absolute path (so files written there land on the host). `--lock`
 * adds a lock file of ours (its wheels resolved next to it), `--package`
 * installs a package from the merged lock file, `--path` prepends a directory
 * to `sys.path`. The exit code is the script's.
 *
 * Used by `npm run build:wheels` (bytecode for the wheels must be compiled by
 * Pyodide's own Python) and `npm run test:pyodide` (pytest on Python 3.14).
 * With `--experimental-wasm-stack-switching` the script is entered through
 * `callPromising`, so Pyodide's `asyncio.run` works inside it. If Pyodide
 * stops before the script returns (a fatal error), the exit code is 1, never
 * a silent 0.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { PyodideAPI } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';

import { LockFile, mergeLockFiles } from '../worker/lockfile.js';
import type { PyodideModule } from '../worker/runtime.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const pyodideDir = join(repoRoot, 'node_modules', 'pyodide');

interface Arguments {
  locks: string[];
  packages: string[];
  paths: string[];
  argv: string[];
}

function parseArguments(args: string[]): Arguments {
  const parsed: Arguments = { locks: [], packages: [], paths: [], argv: [] };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--') {
      parsed.argv = args.slice(i + 1);
      break;
    }
    const value = args[++i];
    if (value === undefined) {
      throw new Error(`${flag} needs a value`);
    }
    if (flag === '--lock') {
      parsed.locks.push(resolve(value));
    } else if (flag === '--package') {
      parsed.packages.push(value);
    } else if (flag === '--path') {
      parsed.paths.push(resolve(value));
    } else {
      throw new Error(`unknown option ${flag}`);
    }
  }
  if (parsed.argv.length === 0) {
    throw new Error('nothing to run: give -- script.py ... or -- -m module ...');
  }
  return parsed;
}

async function readLock(path: string): Promise<LockFile> {
  return JSON.parse(await readFile(path, 'utf8')) as LockFile;
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  const pyodideModule = (await import(pathToFileURL(join(pyodideDir, 'pyodide.mjs')).href)) as PyodideModule;
  let lock = await readLock(join(pyodideDir, 'pyodide-lock.json'));
  for (const path of args.locks) {
    lock = mergeLockFiles(lock, await readLock(path), dirname(path));
  }
  const pyodide: PyodideAPI = await pyodideModule.loadPyodide({ indexURL: pyodideDir, lockFileContents: lock });
  pyodide.setStdout({ write: (bytes: Uint8Array) => process.stdout.write(bytes) && bytes.length });
  pyodide.setStderr({ write: (bytes: Uint8Array) => process.stderr.write(bytes) && bytes.length });
  if (args.packages.length > 0) {
    const errors: string[] = [];
    await pyodide.loadPackage(args.packages, {
      messageCallback: () => undefined,
      errorCallback: (message: string) => errors.push(message),
    });
    const missing = args.packages.filter((name) => !(name in pyodide.loadedPackages));
    if (missing.length > 0) {
      throw new Error(`could not install ${missing.join(', ')}: ${errors.join('; ')}`);
    }
  }
  const { NODEFS } = (pyodide.FS as unknown as { filesystems: { NODEFS: unknown } }).filesystems;
  for (const dir of new Set([process.cwd(), repoRoot])) {
    pyodide.FS.mkdirTree(dir);
    pyodide.FS.mount(NODEFS as Parameters<typeof pyodide.FS.mount>[0], { root: dir }, dir);
  }
  pyodide.FS.chdir(process.cwd());
  const sysPath = pyodide.pyimport('sys').path as PyProxy & { insert(index: number, path: string): void };
  for (const path of [join(repoRoot, 'py', 'tools'), ...args.paths].reverse()) {
    sysPath.insert(0, path);
  }
  sysPath.destroy();
  const entry = pyodide.pyimport('run_in_pyodide').main as PyProxy & {
    (argv: string[]): number;
    callPromising?: (argv: PyProxy) => Promise<number>;
  };
  const argv = pyodide.toPy(args.argv) as PyProxy;
  const jspi =
    typeof (WebAssembly as unknown as { Suspending?: unknown }).Suspending === 'function' ||
    process.execArgv.includes('--experimental-wasm-stack-switching');
  try {
    return jspi && entry.callPromising ? await entry.callPromising(argv) : entry(args.argv);
  } finally {
    argv.destroy();
    entry.destroy();
  }
}

let finished = false;
process.on('exit', () => {
  if (!finished) {
    process.stderr.write('run-python: Pyodide stopped before the script returned\n');
    process.exitCode = 1;
  }
});

main().then(
  (code) => {
    finished = true;
    process.exit(code);
  },
  (error: unknown) => {
    finished = true;
    process.stderr.write(`run-python: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
