/**
 * Reading `%%transform`'s view (src/lab/transform-view.ts): what the kernel sends is taken as
 * is; anything else is refused, so the renderer shows the plain text instead. How the view looks,
 * and that its code is never markup, is checked in test/browser/.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseTransformView } from '../../src/lab/transform-view';
import type { ITransformView } from '../../src/protocol';

const view: ITransformView = {
  lines: [
    {
      status: 'changed',
      segments: [
        ['await', 'keyword', true],
        [' asyncio', '', true],
        ['.sleep(1)', '', false],
      ],
    },
    { status: 'removed', segments: [['time.sleep(1)', '', false]] },
  ],
};

describe('parseTransformView', () => {
  test('takes the view the kernel sends', () => {
    assert.deepEqual(parseTransformView(view), view);
    assert.deepEqual(parseTransformView({ lines: [] }), { lines: [] });
  });

  test('refuses anything else', () => {
    for (const bad of [
      null,
      'await asyncio.sleep(1)',
      { lines: 'x' },
      { lines: [{ status: 'moved', segments: [] }] },
      { lines: [{ status: 'same', segments: [['x', 'keyword']] }] },
      { lines: [{ status: 'same', segments: [[1, '', false]] }] },
      { lines: [null] },
    ]) {
      assert.equal(parseTransformView(bad), undefined, JSON.stringify(bad));
    }
  });
});
