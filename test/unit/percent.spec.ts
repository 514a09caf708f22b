/**
 * The headless runner's percent-format reader (src/cli/notebook.ts) on the
 * cases in test/fixtures/percent, which py/tests/test_percent_format.py checks
 * the codemod's command line against: both find the same cells, of the same types.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { parsePercent } from '../../src/cli/notebook';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'percent');
const CASES = readdirSync(FIXTURES).filter((name) => name.endsWith('.py'));

test('there are shared cases', () => {
  assert.ok(CASES.length >= 2);
});

for (const name of CASES) {
  test(`${name}: the cells and their types`, () => {
    const expected = JSON.parse(readFileSync(join(FIXTURES, name.replace(/\.py$/, '.cells.json')), 'utf8')) as {
      type: string;
      source?: string;
    }[];
    const cells = parsePercent(readFileSync(join(FIXTURES, name), 'utf8')).cells;
    assert.deepEqual(
      cells.map((cell) => cell.cell_type),
      expected.map((cell) => cell.type),
    );
    cells.forEach((cell, index) => {
      if (cell.cell_type === 'code') {
        assert.equal(cell.source, expected[index].source);
      }
    });
  });
}
