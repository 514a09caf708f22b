/**
 * Memory snapshots of the booted kernel: one file that restores a Pyodide with
 * the kernel's wheels installed and `sync_kernel.kernel` imported, skipping
 * Python's start-up, the wheels' unpacking and IPython's import.
 *
 * A snapshot is made at build time (`npm run build:snapshot`, by
 * {@link Runtime.makeSnapshot}) and holds three parts:
 * - a JSON {@link SnapshotHeader}: what it was made from (Pyodide version,
 *   {@link wheelsHash}, the engine's {@link StackSwitching}) and what the restore needs;
 * - Pyodide's memory snapshot (`makeMemorySnapshot`): the whole wasm memory;
 * - the files the boot wrote to Pyodide's in-memory filesystem (the installed
 *   wheels, the compiled standard library), which are JavaScript objects and so
 *   not in the wasm memory: they are written back before the interpreter resumes.
 *
 * File layout (gzipped as a whole): the bytes of {@link MAGIC}, the header's
 * length (4 bytes, little-endian), the header (JSON, ASCII), the memory, then
 * each file's bytes in the header's order.
 *
 * Pyodide calls its snapshots private API; the runtime checks everything it
 * can before a restore and starts without the snapshot when anything is off.
 */
import type { LockFile } from './lockfile.js';

/** The first bytes of a snapshot file (after gunzip). */
const MAGIC = new TextEncoder().encode('sync-kernel-snapshot\n');

/** Bumped when the layout or the meaning of a field changes; older files are ignored. */
export const SNAPSHOT_FORMAT = 1;

/** What a snapshot was made from and what its restore needs. */
export interface SnapshotHeader {
  format: number;
  /** The `pyodide` version it was made with; only that exact version restores it. */
  pyodideVersion: string;
  /** {@link wheelsHash} of the kernel's lock file it was made with. */
  wheelsHash: string;
  /** The stack switching of the engine that made it: only a like engine restores it. */
  stackSwitching: StackSwitching;
  /** `pyodide.loadedPackages` at snapshot time (Pyodide's snapshot wants it empty). */
  loadedPackages: Record<string, string>;
  /** The length of the memory part. */
  memoryBytes: number;
  /**
   * The files part: absolute paths in Pyodide's filesystem and their sizes, in
   * order; a directory's path ends in `/` (see {@link collectFiles}).
   */
  files: [path: string, size: number][];
}

/** A decoded snapshot. */
export interface Snapshot {
  header: SnapshotHeader;
  memory: Uint8Array;
  /** The file contents, in the order of `header.files`. */
  files: Uint8Array[];
}

/**
 * The engine's WebAssembly stack switching (JSPI), as Pyodide picks it: the
 * standard `WebAssembly.Suspending` (Chrome 137+, Firefox 153+, Safari 27+),
 * the older `WebAssembly.Suspender` (Node 20 and 22 with
 * `--experimental-wasm-stack-switching`), or none. Pyodide records at start-up
 * whether and how it switches stacks: a snapshot made without JSPI breaks
 * `run_sync` where there is JSPI, and one made with `Suspender` kills the
 * kernel at its first stack switch with `Suspending` ("trying to suspend JS
 * frames", seen in Chromium). So a snapshot only restores on a like engine.
 */
export type StackSwitching = 'none' | 'suspender' | 'suspending';

/** This engine's {@link StackSwitching}, by the test Pyodide itself makes. */
export function engineStackSwitching(): StackSwitching {
  if ('Suspending' in WebAssembly) {
    return 'suspending';
  }
  return 'Suspender' in WebAssembly ? 'suspender' : 'none';
}

/** The file name of the snapshot for one Pyodide version, set of wheels and kind of engine. */
export function snapshotFile(pyodideVersion: string, hash: string, stackSwitching: StackSwitching): string {
  return `kernel-${pyodideVersion}-${hash}${stackSwitching === 'none' ? '' : `-jspi-${stackSwitching}`}.snapshot`;
}

/**
 * A short hash of the kernel's own lock file (each package's name and wheel
 * hash): a snapshot is only restored with the very wheels it was made from.
 */
export async function wheelsHash(lock: LockFile): Promise<string> {
  const lines = Object.values(lock.packages)
    .map((entry) => `${entry.name} ${entry.version} ${entry.sha256}\n`)
    .sort();
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(lines.join('')));
  return Array.from(new Uint8Array(digest).subarray(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A snapshot file's bytes (not yet gzipped). */
export function encodeSnapshot(snapshot: Snapshot): Uint8Array {
  // Pyodide reads the memory as 32-bit words: it must start at a multiple of 4
  // (16 here), so the header is padded with spaces.
  let json = JSON.stringify(snapshot.header).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  json += ' '.repeat((16 - ((MAGIC.length + 4 + json.length) % 16)) % 16);
  const header = new TextEncoder().encode(json);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, header.length, true);
  const parts = [MAGIC, length, header, snapshot.memory];
  parts.push(...snapshot.files);
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Read a snapshot file (gzipped or not; `gunzip` is used when it is).
 * The parts are views into one buffer. Throws when the bytes are not a
 * snapshot of this {@link SNAPSHOT_FORMAT}.
 */
export async function decodeSnapshot(
  bytes: Uint8Array,
  gunzip: (gzipped: Uint8Array) => Promise<Uint8Array> = gunzipWithStreams,
): Promise<Snapshot> {
  const data = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : bytes;
  if (data.length < MAGIC.length + 4 || !MAGIC.every((byte, i) => data[i] === byte)) {
    throw new Error('not a sync-kernel snapshot');
  }
  let offset = MAGIC.length;
  const headerLength = new DataView(data.buffer, data.byteOffset + offset, 4).getUint32(0, true);
  offset += 4;
  const header = JSON.parse(new TextDecoder().decode(data.subarray(offset, offset + headerLength))) as SnapshotHeader;
  offset += headerLength;
  if (header.format !== SNAPSHOT_FORMAT) {
    throw new Error(`snapshot format ${header.format}, this runtime reads ${SNAPSHOT_FORMAT}`);
  }
  const take = (length: number): Uint8Array => {
    if (offset + length > data.length) {
      throw new Error('the snapshot file is truncated');
    }
    const part = data.subarray(offset, offset + length);
    offset += length;
    return part;
  };
  // Pyodide reads the memory as 32-bit words: copy it if it is not aligned.
  const taken = take(header.memoryBytes);
  const memory = taken.byteOffset % 4 === 0 ? taken : taken.slice();
  const files = header.files.map(([, size]) => take(size));
  return { header, memory, files };
}

/** Gunzip with the web platform's `DecompressionStream` (browsers and Node alike). */
async function gunzipWithStreams(gzipped: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([gzipped as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The parts of Emscripten's `FS` used to save and restore files. */
export interface SnapshotFS {
  readdir(path: string): string[];
  lstat(path: string): { mode: number };
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  readFile(path: string): Uint8Array;
  mkdirTree(path: string): void;
  writeFile(path: string, data: Uint8Array): void;
}

/**
 * Every directory and regular file of Pyodide's filesystem except those under
 * a path that `skip` accepts, in a stable order. A directory is listed as its
 * path with a trailing `/` and size 0 (so empty ones are kept too).
 */
export function collectFiles(
  FS: SnapshotFS,
  skip: (path: string) => boolean,
): { entries: [string, number][]; contents: Uint8Array[] } {
  const entries: [string, number][] = [];
  const contents: Uint8Array[] = [];
  const visit = (directory: string): void => {
    for (const name of FS.readdir(directory).sort()) {
      const path = `${directory === '/' ? '' : directory}/${name}`;
      if (name === '.' || name === '..' || skip(path)) {
        continue;
      }
      const { mode } = FS.lstat(path);
      if (FS.isDir(mode)) {
        entries.push([`${path}/`, 0]);
        contents.push(new Uint8Array(0));
        visit(path);
      } else if (FS.isFile(mode)) {
        const data = FS.readFile(path);
        entries.push([path, data.length]);
        contents.push(data);
      }
    }
  };
  visit('/');
  return { entries, contents };
}

/**
 * Write a snapshot's files back. Each is copied, so the decoded file (memory
 * part included) is not kept alive by the file system.
 */
export function restoreFiles(FS: SnapshotFS, snapshot: Snapshot): void {
  const made = new Set<string>();
  const makeDirectory = (path: string): void => {
    if (!made.has(path)) {
      FS.mkdirTree(path);
      made.add(path);
    }
  };
  snapshot.header.files.forEach(([path], i) => {
    if (path.endsWith('/')) {
      makeDirectory(path.slice(0, -1));
    } else {
      makeDirectory(path.slice(0, path.lastIndexOf('/')) || '/');
      FS.writeFile(path, snapshot.files[i]);
    }
  });
}
