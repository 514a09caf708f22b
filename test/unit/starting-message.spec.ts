/**
 * What the status bar says while kernels start (src/lab/starting-message.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startingMessage } from '../../src/lab/starting-message';

test('names the step of the kernel that starts, counts several, says nothing when none starts', () => {
  assert.equal(startingMessage([]), undefined);
  assert.equal(startingMessage([undefined]), 'Python (sync, Pyodide) is starting…');
  assert.equal(startingMessage(['restore snapshot']), 'Python (sync, Pyodide) is starting: restore snapshot…');
  assert.equal(startingMessage(['restore snapshot', 'load Pyodide']), '2 Python (sync, Pyodide) kernels are starting…');
});
