/**
 * The headless runner's notebook handling, without a kernel: reading percent
 * scripts, and recording outputs the way a notebook frontend shows them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { closure, mergeLockFiles } from '../../src/worker/lockfile';
import type { LockFile } from '../../src/worker/lockfile';
import { NotebookError, Output, OutputRecorder, parseNotebook, serializeNotebook } from '../../src/cli/notebook';

describe('percent-format scripts', () => {
  test('cells split at # %%, markdown cells un-commented, blank edges trimmed', () => {
    const nb = parseNotebook(
      'x.py',
      'import os\n\n# %% [markdown]\n# # Title\n# text\n\n# %%\nx = 1\n\n\n# %% a title\ny = 2\n',
    );
    assert.deepEqual(
      nb.cells.map((c) => [c.cell_type, c.source]),
      [
        ['code', 'import os'],
        ['markdown', '# Title\ntext'],
        ['code', 'x = 1'],
        ['code', 'y = 2'],
      ],
    );
  });

  test('a notebook that is not nbformat 4 is refused with the reason', () => {
    assert.throws(
      () => parseNotebook('x.ipynb', '{"nbformat": 4}'),
      new NotebookError('not a notebook: no "cells" list'),
    );
  });
});

describe('recording outputs', () => {
  const display = (text: string, id?: string) =>
    ({
      msgType: 'display_data',
      content: { data: { 'text/plain': text }, metadata: {}, transient: id ? { display_id: id } : {} },
    }) as const;

  test('consecutive streams of one name merge; others do not', () => {
    const recorder = new OutputRecorder(new Map());
    recorder.add({ msgType: 'stream', content: { name: 'stdout', text: 'a' } });
    recorder.add({ msgType: 'stream', content: { name: 'stdout', text: 'b' } });
    recorder.add({ msgType: 'stream', content: { name: 'stderr', text: 'c' } });
    assert.deepEqual(recorder.outputs, [
      { output_type: 'stream', name: 'stdout', text: 'ab' },
      { output_type: 'stream', name: 'stderr', text: 'c' },
    ]);
  });

  test('update_display_data changes every earlier output with that display id, in any cell', () => {
    const displays = new Map<string, Output[]>();
    const first = new OutputRecorder(displays);
    first.add(display('old', 'd'));
    const second = new OutputRecorder(displays);
    second.add(display('also old', 'd'));
    second.add({
      msgType: 'update_display_data',
      content: { data: { 'text/plain': 'new' }, metadata: {}, transient: { display_id: 'd' } },
    });
    assert.deepEqual(first.outputs[0].data, { 'text/plain': 'new' });
    assert.deepEqual(
      second.outputs.map((o) => o.data),
      [{ 'text/plain': 'new' }],
    );
  });

  test('clear_output(wait=True) clears when the next output arrives; wait=False at once', () => {
    const recorder = new OutputRecorder(new Map());
    recorder.add(display('1'));
    recorder.add({ msgType: 'clear_output', content: { wait: true } });
    assert.equal(recorder.outputs.length, 1);
    recorder.add(display('2'));
    assert.deepEqual(
      recorder.outputs.map((o) => o.data),
      [{ 'text/plain': '2' }],
    );
    recorder.add({ msgType: 'clear_output', content: { wait: false } });
    assert.deepEqual(recorder.outputs, []);
  });

  test('the written notebook has unique cell ids and string sources', () => {
    const nb = parseNotebook(
      'x.ipynb',
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 4,
        metadata: {},
        cells: [
          { cell_type: 'markdown', source: ['a', 'b'], metadata: {}, id: 'same' },
          { cell_type: 'code', source: 'x', metadata: {}, id: 'same', outputs: [], execution_count: null },
        ],
      }),
    );
    const written = JSON.parse(serializeNotebook(nb));
    assert.equal(written.nbformat_minor, 5);
    assert.deepEqual(
      written.cells.map((c: { id: string; source: string }) => [c.id, c.source]),
      [
        ['same', 'ab'],
        ['cell-2', 'x'],
      ],
    );
  });
});

describe('lock files', () => {
  const entry = (name: string, depends: string[] = []) => ({
    name,
    version: '1',
    file_name: `${name}.whl`,
    install_dir: 'site' as const,
    sha256: '',
    package_type: 'package' as const,
    imports: [name],
    depends,
    shared_library: false,
  });
  const lock = (...entries: ReturnType<typeof entry>[]): LockFile =>
    ({ info: {}, packages: Object.fromEntries(entries.map((e) => [e.name, e])) }) as unknown as LockFile;

  test("ours override Pyodide's and load from the wheels URL; theirs stay relative", () => {
    const merged = mergeLockFiles(
      lock(entry('numpy'), entry('pygments')),
      lock(entry('pygments')),
      'https://site/wheels/',
    );
    assert.equal(merged.packages.pygments.file_name, 'https://site/wheels/pygments.whl');
    assert.equal(merged.packages.numpy.file_name, 'numpy.whl');
  });

  test('closure lists dependencies first and names what is missing', () => {
    assert.deepEqual(closure(lock(entry('a', ['b', 'c']), entry('b', ['c']), entry('c')), 'a'), ['c', 'b', 'a']);
    assert.throws(() => closure(lock(entry('a', ['ghost'])), 'a'), {
      message: 'package ghost (needed by a) is not in the lock file',
    });
  });
});
