/**
 * Pyodide lock files: one that knows both Pyodide's distribution and our wheels.
 *
 * Pyodide resolves `loadPackage` names and their dependencies through one lock
 * file. Ours (`sync-kernel-lock.json`, written by `py/wheels/build.py`) names
 * IPython, its dependencies and `sync_kernel`, with file names relative to
 * where it is served; Pyodide's own lock names numpy, pandas and the rest,
 * relative to the distribution's base URL. {@link mergeLockFiles} puts ours on
 * top with absolute file names, so both resolve from one `packageBaseUrl`.
 */

import type { Lockfile, LockfilePackage } from 'pyodide';

/** A Pyodide lock file (`pyodide-lock.json` format). */
export type LockFile = Lockfile;

/** One package entry of a Pyodide lock file. */
export type LockPackage = LockfilePackage;

/** The package the runtime installs; it depends on everything the shell imports. */
export const KERNEL_PACKAGE = 'sync-kernel';

/** The name of our lock file next to our wheels. */
export const KERNEL_LOCK_FILE = 'sync-kernel-lock.json';

/**
 * Pyodide's lock with our packages added (replacing same-named ones), their
 * `file_name`s resolved against `wheelsUrl` so they load from there whatever
 * `packageBaseUrl` Pyodide's own packages use.
 */
export function mergeLockFiles(pyodideLock: LockFile, ours: LockFile, wheelsUrl: string): LockFile {
  const packages: Record<string, LockPackage> = { ...pyodideLock.packages };
  for (const [key, entry] of Object.entries(ours.packages)) {
    packages[key] = { ...entry, file_name: joinUrl(wheelsUrl, entry.file_name) };
  }
  return { ...pyodideLock, packages };
}

/**
 * Every package `name` needs, itself included, in dependency order, according to `lock`.
 * Throws when a dependency is missing from the lock file.
 */
export function closure(lock: LockFile, name: string): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (key: string, from: string): void => {
    if (seen.has(key)) {
      return;
    }
    seen.add(key);
    const entry = lock.packages[key];
    if (!entry) {
      throw new Error(`package ${key} (needed by ${from}) is not in the lock file`);
    }
    entry.depends.forEach((dep) => visit(dep, key));
    order.push(key);
  };
  visit(name, 'the kernel');
  return order;
}

/** `base` and `name` joined with exactly one `/` (works for URLs and paths). */
export function joinUrl(base: string, name: string): string {
  return `${base.replace(/\/+$/, '')}/${name}`;
}
