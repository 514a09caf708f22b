/**
 * The headless runner, run as a user would: exit codes, reasons, stdin, the written notebook.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { lastLine, runCli, startCli, tempFile } from './helpers/cli';
import { REPO } from './helpers/kernel';

const PROGRAM = 'jupyterlite-sync-kernel:';

/** Validate a notebook file with the reference implementation (the `nbformat` package in .venv). */
function validateNotebook(path: string): {
  cells: { cell_type: string; execution_count?: number | null; outputs?: { output_type: string; text?: string }[] }[];
} {
  const check = spawnSync(
    join(REPO, '.venv', 'bin', 'python'),
    ['-c', 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT))', path],
    { encoding: 'utf8' },
  );
  expect(check.stderr).toBe('');
  expect(check.status).toBe(0);
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('usage', () => {
  test('--help prints usage and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: jupyterlite-sync-kernel run NOTEBOOK/);
  });

  test.each([
    [[], 'no command given'],
    [['walk', 'x.ipynb'], 'unknown command "walk" (the only command is "run")'],
    [['run'], 'no NOTEBOOK given'],
    [['run', 'x.ipynb', '--colour'], 'unknown option --colour'],
    [['run', 'x.ipynb', '--timeout', 'soon'], '--timeout needs a positive number of seconds, not "soon"'],
  ])('bad usage %j exits 2 with one line saying why', async (args, reason) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(lastLine(stderr)).toBe(`${PROGRAM} ${reason}`);
  });
});

describe('unreadable notebooks exit 2', () => {
  test.each([
    ['missing.ipynb', null, 'no such file'],
    ['broken.ipynb', '{"cells": [', 'not valid JSON (Unexpected end of JSON input)'],
    ['old.ipynb', JSON.stringify({ nbformat: 3, cells: [] }), 'nbformat 3 is not supported (only nbformat 4)'],
    [
      'odd.ipynb',
      JSON.stringify({ nbformat: 4, cells: [{ cell_type: 'code' }] }),
      'cell 1 is not a valid nbformat 4 cell',
    ],
  ])('%s', async (name, text, reason) => {
    const path = text === null ? join(REPO, 'test', 'no-such-dir', name) : tempFile(name, text);
    const { code, stderr } = await runCli(['run', path]);
    expect(code).toBe(2);
    expect(lastLine(stderr)).toBe(`${PROGRAM} cannot read ${path}: ${reason}`);
  });
});

test('an --output in a directory that does not exist exits 2 before running anything', async () => {
  const nb = tempFile('ok.py', '# %%\nprint("ran")\n');
  const out = join(dirname(nb), 'missing-dir', 'out.ipynb');
  const { code, stdout, stderr } = await runCli(['run', nb, '--output', out]);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(lastLine(stderr)).toBe(`${PROGRAM} cannot write ${out}: ${dirname(out)} is not a directory`);
});

describe('running notebooks', () => {
  test('a percent-format script runs, prints as it goes and writes a valid notebook', async () => {
    const script = tempFile(
      'script.py',
      '# %% [markdown]\n# # Title\n\n# %%\nx = 6\nprint("x is", x)\n\n# %%\nfrom IPython.display import display\ndisplay("shown")\nx * 7\n',
    );
    const out = join(dirname(script), 'out.ipynb');
    const { code, stdout, stderr } = await runCli(['run', script, '--output', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe("x is 6\n'shown'\n42\n");
    const nb = validateNotebook(out);
    expect(nb.cells.map((c) => c.cell_type)).toEqual(['markdown', 'code', 'code']);
    expect(nb.cells[1].execution_count).toBe(1);
    expect(nb.cells[2].outputs?.map((o) => o.output_type)).toEqual(['display_data', 'execute_result']);
  });

  test('a raising cell exits 1, names the cell and stops the run', async () => {
    const nb = tempFile('fails.py', '# %%\nprint("one")\n# %%\n1 / 0\n# %%\nprint("three")\n');
    const out = join(dirname(nb), 'out.ipynb');
    const { code, stdout, stderr } = await runCli(['run', nb, '--output', out]);
    expect(code).toBe(1);
    expect(stdout).toBe('one\n');
    expect(stderr).toContain('ZeroDivisionError');
    expect(lastLine(stderr)).toBe(`${PROGRAM} cell 2 raised ZeroDivisionError: division by zero`);
    const written = validateNotebook(out);
    expect(written.cells[1].outputs?.[0].output_type).toBe('error');
    expect(written.cells[2].execution_count).toBeNull();
  });

  test('--allow-errors runs every cell and still exits 1', async () => {
    const nb = tempFile('fails.py', '# %%\nprint("one")\n# %%\n1 / 0\n# %%\nprint("three")\n');
    const { code, stdout } = await runCli(['run', nb, '--allow-errors']);
    expect(code).toBe(1);
    expect(stdout).toBe('one\nthree\n');
  });

  test('input() reads standard input line by line; end of input raises EOFError', async () => {
    const nb = tempFile(
      'ask.py',
      '# %%\na = input("first? ")\nb = input("second? ")\nprint(a + b)\n# %%\ninput("third? ")\n',
    );
    const { code, stdout, stderr } = await runCli(['run', nb], 'x\ny\n');
    expect(stdout).toBe('first? second? xy\nthird? ');
    expect(code).toBe(1);
    expect(lastLine(stderr)).toBe(`${PROGRAM} cell 2 raised EOFError: EOF when reading a line`);
  });

  test('a cell that outlives --timeout is interrupted and reported', async () => {
    const nb = tempFile(
      'forever.py',
      '# %%\nimport asyncio\nprint("waiting")\nwhile True:\n    await asyncio.sleep(0.05)\n# %%\nprint("never")\n',
    );
    const started = Date.now();
    const { code, stdout, stderr } = await runCli(['run', nb, '--timeout', '1']);
    expect(Date.now() - started).toBeLessThan(30000);
    expect(code).toBe(1);
    expect(stdout).toBe('waiting\n');
    expect(stderr).toContain('KeyboardInterrupt');
    expect(lastLine(stderr)).toBe(`${PROGRAM} cell 1 timed out after 1 s and was interrupted`);
  });

  test('--timeout stops a cell that never awaits, with KeyboardInterrupt at its line, and exits 1', async () => {
    const nb = tempFile(
      'spin.py',
      '# %%\nprint("spinning", flush=True)\nwhile True:\n    pass\n# %%\nprint("never")\n',
    );
    const run = startCli(['run', nb, '--timeout', '2']);
    await run.printed('spinning\n');
    const spinning = Date.now();
    const { code, stdout, stderr } = await run.result;
    // 2 s, then the interrupt, which takes milliseconds (the runner would give up after 5 s more).
    expect(Date.now() - spinning).toBeLessThan(4500);
    expect(code).toBe(1);
    expect(stdout).toBe('spinning\n');
    expect(stderr).toMatch(/-+> [34] /);
    expect(stderr).toContain('KeyboardInterrupt');
    expect(lastLine(stderr)).toBe(`${PROGRAM} cell 1 timed out after 2 s and was interrupted`);
  });

  test('Ctrl-C stops a cell that never awaits at once, ends the run and exits 1', async () => {
    const nb = tempFile(
      'spin.py',
      '# %%\nprint("spinning", flush=True)\nwhile True:\n    pass\n# %%\nprint("never")\n',
    );
    const run = startCli(['run', nb, '--allow-errors']);
    await run.printed('spinning\n');
    const pressed = Date.now();
    run.child.kill('SIGINT');
    const { code, stdout, stderr } = await run.result;
    expect(Date.now() - pressed).toBeLessThan(3000);
    expect(code).toBe(1);
    expect(stdout).toBe('spinning\n');
    expect(stderr).toContain('KeyboardInterrupt');
    expect(lastLine(stderr)).toBe(`${PROGRAM} cell 1 was interrupted (Ctrl-C)`);
  });

  test('a kernel that dies is reported, not waited for', async () => {
    const nb = tempFile('dies.py', '# %%\nprint("alive")\n# %%\nimport os\nos._exit(3)\n# %%\nprint("never")\n');
    const { code, stdout, stderr } = await runCli(['run', nb]);
    expect(code).toBe(1);
    expect(stdout).toBe('alive\n');
    expect(lastLine(stderr)).toMatch(new RegExp(`^${PROGRAM} the kernel died: `));
  });

  test("cells run in the notebook's folder: they read the files next to it and write only there", async () => {
    const nb = tempFile(
      'reads.py',
      '# %%\nimport os\nprint(sorted(os.listdir(".")))\n' +
        '# %%\nprint(open("data.csv").read().splitlines()[1])\n' +
        '# %%\nwith open("result.txt", "w") as f:\n    f.write("written by the notebook")\n',
    );
    const folder = dirname(nb);
    writeFileSync(join(folder, 'data.csv'), 'name,score\nada,42\n');
    // Started from the notebook's folder, as a user would: nothing else appears there.
    const { code, stdout, stderr } = await runCli(['run', 'reads.py'], '', undefined, folder);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe("['data.csv', 'reads.py']\nada,42\n");
    expect(readFileSync(join(folder, 'result.txt'), 'utf8')).toBe('written by the notebook');
    expect(readdirSync(folder).sort()).toEqual(['data.csv', 'reads.py', 'result.txt']);
  });

  test("%pip -q installs from the kernel's wheels and prints only what pip -q prints", async () => {
    const nb = tempFile('pip.py', '# %%\n%pip install -q ipywidgets\nimport ipywidgets\nprint(ipywidgets.__name__)\n');
    const { code, stdout } = await runCli(['run', nb]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Note: you may need to restart the kernel to use updated packages\.\nipywidgets\n$/);
  });

  test("the worker's console goes to stderr: standard output holds only what the cells print", async () => {
    const nb = tempFile('console.py', '# %%\nimport js\njs.console.log("from the worker console")\nprint("printed")\n');
    const { code, stdout, stderr } = await runCli(['run', nb]);
    expect(code).toBe(0);
    expect(stdout).toBe('printed\n');
    expect(stderr).toMatch(/^from the worker console$/m);
  });

  test('notes go to stderr, and --no-transform runs cells as written', async () => {
    const nb = tempFile('sleepy.py', '# %%\nimport time\ntime.sleep(0.01)\nprint("slept")\n');
    const rewritten = await runCli(['run', nb]);
    expect(rewritten.code).toBe(0);
    expect(rewritten.stdout).toBe('slept\n');
    expect(rewritten.stderr).toMatch(/^note: line 2: time\.sleep\(0\.01\) → await __sync__\.sleep\(0\.01\) /m);
    const asWritten = await runCli(['run', nb, '--no-transform']);
    expect(asWritten.code).toBe(0);
    expect(asWritten.stdout).toBe('slept\n');
    expect(asWritten.stderr).toBe('');
  });
});
