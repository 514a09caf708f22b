/**
 * The notebooks in examples/ print, through the headless runner, exactly what
 * their cells print when run as one script by CPython (same standard input).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { runCli } from './helpers/cli';
import { REPO } from './helpers/kernel';

/** Standard input for the examples that ask for some. */
const STDIN: Record<string, string> = {
  'input.ipynb': 'Ada\nseven\n3\n4\n',
};

const EXAMPLES = [
  'progress.ipynb',
  'asyncio_script.ipynb',
  'input.ipynb',
  'helpers.ipynb',
  'files.ipynb',
  'threads.ipynb',
];

/** The notebook's code cells joined into one script, run by the host's CPython in the notebook's folder. */
function runAsScript(path: string, stdin: string): string {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
  const script = nb.cells
    .filter((cell) => cell.cell_type === 'code')
    .map((cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source))
    .join('\n\n');
  const result = spawnSync(join(REPO, '.venv', 'bin', 'python'), ['-c', script], {
    cwd: dirname(path),
    input: stdin,
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

test.each(EXAMPLES)('%s prints what CPython prints', async (name) => {
  const path = join(REPO, 'examples', name);
  const stdin = STDIN[name] ?? '';
  const expected = runAsScript(path, stdin);
  expect(expected.length).toBeGreaterThan(0);
  const { code, stdout, stderr } = await runCli(['run', path], stdin);
  expect({ code, stdout }).toEqual({ code: 0, stdout: expected });
  expect(stderr).not.toMatch(/Error|Traceback/);
});
