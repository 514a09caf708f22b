/**
 * The snapshot file format (src/worker/snapshot.ts): what is written reads
 * back, gzipped or not, with the memory aligned as Pyodide needs; anything
 * else is refused with a reason; names and hashes follow the wheels. Restoring
 * real snapshots, and falling back when that fails, is in test/runtime.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import type { LockFile } from '../../src/worker/lockfile';
import {
  collectFiles,
  decodeSnapshot,
  encodeSnapshot,
  restoreFiles,
  Snapshot,
  SNAPSHOT_FORMAT,
  SnapshotFS,
  snapshotFile,
  wheelsHash,
} from '../../src/worker/snapshot';

function sample(): Snapshot {
  const memory = new Uint8Array(64).map((_, i) => i);
  return {
    header: {
      format: SNAPSHOT_FORMAT,
      pyodideVersion: '314.0.7',
      wheelsHash: '0123456789abcdef',
      stackSwitching: 'none',
      loadedPackages: { ipython: 'default channel' },
      memoryBytes: memory.length,
      files: [
        ['/lib/', 0],
        ['/lib/a.py', 3],
        ['/lib/é.txt', 2],
      ],
    },
    memory,
    files: [new Uint8Array(0), new TextEncoder().encode('x=1'), new Uint8Array([7, 8])],
  };
}

test('a snapshot reads back as written, gzipped or not, its memory 4-byte aligned', async () => {
  const bytes = encodeSnapshot(sample());
  for (const file of [bytes, new Uint8Array(gzipSync(bytes))]) {
    const read = await decodeSnapshot(file);
    assert.deepEqual(read.header, sample().header);
    assert.deepEqual([...read.memory], [...sample().memory]);
    assert.equal(read.memory.byteOffset % 4, 0);
    assert.deepEqual(
      read.files.map((data) => [...data]),
      sample().files.map((data) => [...data]),
    );
  }
});

test('the memory is copied when the file itself is not aligned', async () => {
  const bytes = encodeSnapshot(sample());
  const shifted = new Uint8Array(bytes.length + 1).subarray(1);
  shifted.set(bytes);
  const read = await decodeSnapshot(shifted);
  assert.equal(read.memory.byteOffset % 4, 0);
  assert.deepEqual([...read.memory], [...sample().memory]);
});

test('what is not a whole snapshot of this format is refused, saying why', async () => {
  await assert.rejects(
    decodeSnapshot(new TextEncoder().encode('<html>not found</html>')),
    /not a sync-kernel snapshot/,
  );
  const bytes = encodeSnapshot(sample());
  await assert.rejects(decodeSnapshot(bytes.subarray(0, bytes.length - 1)), /truncated/);
  const other = sample();
  other.header.format = SNAPSHOT_FORMAT + 1;
  await assert.rejects(decodeSnapshot(encodeSnapshot(other)), /snapshot format 2, this runtime reads 1/);
});

test('names carry the Pyodide version, the wheels and the kind of engine', async () => {
  const lock = {
    info: {},
    packages: {
      a: { name: 'a', version: '1', sha256: 'aa' },
      b: { name: 'b', version: '2', sha256: 'bb' },
    },
  } as unknown as LockFile;
  const hash = await wheelsHash(lock);
  assert.match(hash, /^[0-9a-f]{16}$/);
  const reordered = { ...lock, packages: { b: lock.packages.b, a: lock.packages.a } };
  assert.equal(await wheelsHash(reordered), hash);
  const rebuilt = { ...lock, packages: { ...lock.packages, b: { ...lock.packages.b, sha256: 'cc' } } };
  assert.notEqual(await wheelsHash(rebuilt), hash);
  assert.equal(snapshotFile('314.0.7', hash, 'none'), `kernel-314.0.7-${hash}.snapshot`);
  assert.equal(snapshotFile('314.0.7', hash, 'suspender'), `kernel-314.0.7-${hash}-jspi-suspender.snapshot`);
  assert.equal(snapshotFile('314.0.7', hash, 'suspending'), `kernel-314.0.7-${hash}-jspi-suspending.snapshot`);
});

/** A small in-memory stand-in for Emscripten's FS: directories are Maps. */
function memoryFS(): SnapshotFS & { root: Map<string, unknown> } {
  const DIR = 0o040000;
  const FILE = 0o100000;
  const root = new Map<string, unknown>();
  const lookup = (path: string): unknown =>
    path
      .split('/')
      .filter(Boolean)
      .reduce<unknown>((node, part) => (node instanceof Map ? node.get(part) : undefined), root);
  const parent = (path: string): Map<string, unknown> => lookup(path.slice(0, path.lastIndexOf('/'))) as never;
  return {
    root,
    readdir: (path) => ['.', '..', ...(lookup(path) as Map<string, unknown>).keys()],
    lstat: (path) => ({ mode: lookup(path) instanceof Map ? DIR : FILE }),
    isDir: (mode) => mode === DIR,
    isFile: (mode) => mode === FILE,
    readFile: (path) => lookup(path) as Uint8Array,
    mkdirTree: (path) => {
      let node = root;
      for (const part of path.split('/').filter(Boolean)) {
        if (!node.has(part)) {
          node.set(part, new Map());
        }
        node = node.get(part) as Map<string, unknown>;
      }
    },
    writeFile: (path, data) => {
      parent(path).set(path.slice(path.lastIndexOf('/') + 1), data.slice());
    },
  };
}

test('the files collected (but the skipped ones) are restored, empty directories too', () => {
  const source = memoryFS();
  source.mkdirTree('/lib/site/pkg');
  source.mkdirTree('/home/user/.ipython');
  source.mkdirTree('/dev');
  source.writeFile('/lib/site/pkg/__init__.py', new TextEncoder().encode('x = 1'));
  source.writeFile('/lib/python314.zip', new Uint8Array([1]));
  source.writeFile('/dev/null', new Uint8Array(0));
  const { entries, contents } = collectFiles(source, (path) => path === '/dev' || path === '/lib/python314.zip');
  assert.deepEqual(entries, [
    ['/home/', 0],
    ['/home/user/', 0],
    ['/home/user/.ipython/', 0],
    ['/lib/', 0],
    ['/lib/site/', 0],
    ['/lib/site/pkg/', 0],
    ['/lib/site/pkg/__init__.py', 5],
  ]);
  const snapshot = { ...sample(), files: contents };
  snapshot.header = { ...snapshot.header, files: entries };
  const target = memoryFS();
  restoreFiles(target, snapshot);
  assert.deepEqual(
    collectFiles(target, () => false),
    { entries, contents },
  );
});
