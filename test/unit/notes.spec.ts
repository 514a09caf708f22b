/**
 * Reading and summarising the codemod's notes (src/lab/notes.ts). How the bar
 * looks, and that note text is never markup, is checked in test/browser/.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { countLabel, hasWarnings, headlineNote, KIND_LABEL_KINDS, parseNotes } from '../../src/lab/notes';
import { NOTE_KINDS, WARNING_NOTE_KINDS } from '../../src/protocol';
import type { INote } from '../../src/protocol';

const note = (kind: INote['kind'], line: number, before = '', after = ''): INote => ({
  line,
  col: 0,
  kind,
  message: `${kind} at ${line}`,
  before,
  after,
});

describe('parseNotes', () => {
  test('takes the list the kernel publishes', () => {
    const notes = [note('rewrite', 3, 'time.sleep(1)', 'await asyncio.sleep(1)')];
    assert.deepEqual(parseNotes(notes), notes);
  });

  test('also takes an object with a notes list', () => {
    const notes = [note('async-def', 1, 'def f', 'async def f')];
    assert.deepEqual(parseNotes({ notes }), notes);
  });

  test('drops what is not a note, keeps the rest in order', () => {
    const good = note('await-call', 2, 'f()', 'await f()');
    const parsed = parseNotes([
      { ...good, kind: 'explode' },
      good,
      { line: '1', col: 0, kind: 'rewrite', message: 'm' },
      null,
      { line: 4, col: 0, kind: 'internal', message: 'codemod error' },
    ]);
    assert.deepEqual(parsed, [
      good,
      { line: 4, col: 0, kind: 'internal', message: 'codemod error', before: '', after: '' },
    ]);
  });

  test('anything else gives no notes', () => {
    for (const data of [undefined, 'notes', 42, { notes: 'x' }]) {
      assert.deepEqual(parseNotes(data), []);
    }
  });
});

describe('summary', () => {
  test('counts by kind, warnings first, singular and plural', () => {
    const notes = [
      note('async-def', 1),
      note('rewrite', 2),
      note('rewrite', 5),
      note('await-call', 7),
      note('kept-blocking', 9),
    ];
    assert.equal(countLabel(notes), '1 call kept blocking, 2 rewrites, 1 function made async, 1 call awaited');
    assert.equal(hasWarnings(notes), true);
    assert.equal(hasWarnings(notes.slice(0, 4)), false);
  });

  test('the headline is the first warning, else the first rewrite, else the first note', () => {
    const def = note('async-def', 1);
    const sleep = note('rewrite', 4);
    const kept = note('kept-blocking', 6);
    assert.equal(headlineNote([def, sleep, kept]), kept);
    assert.equal(headlineNote([def, sleep]), sleep);
    assert.equal(headlineNote([def]), def);
    assert.equal(headlineNote([]), undefined);
  });
});

describe('the contract', () => {
  test('every note kind of src/contract.json has a label, and the warnings are kinds', () => {
    assert.deepEqual([...KIND_LABEL_KINDS].sort(), [...NOTE_KINDS].sort());
    for (const kind of WARNING_NOTE_KINDS) {
      assert.ok(NOTE_KINDS.includes(kind));
    }
  });
});
