/**
 * The headless runner: `jupyterlite-sync-kernel run NOTEBOOK [...]`.
 *
 * Runs a notebook in a fresh kernel — the browser's worker runtime and Python
 * code, in a Node worker thread — printing outputs as they arrive (stream text
 * verbatim, rich results as their `text/plain`, tracebacks and notes on
 * stderr), answering `input()` from standard input line by line (end of input
 * raises `EOFError`), and optionally writing the executed notebook.
 *
 * Exit codes: 0 when no cell raised; 1 when one did (the run stops there
 * unless `--allow-errors`), a cell timed out or Ctrl-C interrupted it (either
 * stops any cell, with `KeyboardInterrupt`, and ends the run), or the kernel failed or died;
 * 2 for bad usage, an unreadable notebook or an unwritable `--output`. Each
 * failure ends with one line on stderr saying why.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { KernelMessage } from '@jupyterlab/services';

import { executeContent, NodeRuntime, repoPaths, startRuntime } from '../node/client.js';
import type { StampedEvent } from '../protocol.js';
import { parseArguments, RunArguments, USAGE, UsageError } from './args.js';
import { CtrlC } from './ctrl-c.js';
import {
  Notebook,
  NotebookError,
  Output,
  OutputRecorder,
  parseNotebook,
  serializeNotebook,
  sourceText,
} from './notebook.js';
import { printEvent } from './printer.js';
import { StdinLines } from './stdin.js';

const PROGRAM = 'jupyterlite-sync-kernel';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** How long an interrupted cell gets to stop after its timeout before the kernel is stopped. */
const INTERRUPT_GRACE_MS = 5000;

type ExecuteReply = KernelMessage.IExecuteReplyMsg['content'];

/** A run that ended early or failed; `code` is the exit code, the message the one-line reason. */
class RunFailure extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2,
  ) {
    super(message);
  }
}

function header(msgType: string, id: string): KernelMessage.IHeader {
  return {
    msg_id: id,
    msg_type: msgType as KernelMessage.MessageType,
    session: PROGRAM,
    username: PROGRAM,
    date: new Date().toISOString(),
    version: '5.3',
  };
}

async function readNotebook(path: string): Promise<Notebook> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new RunFailure(`cannot read ${path}: ${reason}`, 2);
  }
  try {
    return parseNotebook(path, text);
  } catch (error) {
    if (error instanceof NotebookError) {
      throw new RunFailure(`cannot read ${path}: ${error.message}`, 2);
    }
    throw error;
  }
}

/** Run every code cell; returns the reason the run failed, if it did. */
async function runCells(
  kernel: NodeRuntime,
  nb: Notebook,
  args: RunArguments,
  ctrlC: CtrlC,
  route: (r: OutputRecorder) => void,
): Promise<RunFailure | undefined> {
  const displays = new Map<string, Output[]>();
  let failure: RunFailure | undefined;
  let number = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') {
      continue;
    }
    number += 1;
    const recorder = new OutputRecorder(displays);
    cell.outputs = recorder.outputs;
    cell.execution_count = null;
    const code = sourceText(cell);
    if (code.trim() === '') {
      continue;
    }
    route(recorder);
    const content = executeContent(code);
    const reply = await awaitCell(
      kernel,
      kernel.call((r) => r.execute(content, header('execute_request', `cell-${number}`))),
      args.timeout,
      ctrlC,
      number,
    );
    cell.execution_count = reply.execution_count ?? null;
    if (reply.status === 'error') {
      failure ??= new RunFailure(`cell ${number} raised ${reply.ename}: ${reply.evalue}`, 1);
      if (!args.allowErrors) {
        break;
      }
    }
  }
  return failure;
}

/**
 * The cell's reply, unless it outlives `seconds` or Ctrl-C is pressed: then
 * interrupt it (which stops even a loop that never awaits) and end the run; if
 * it does not stop within {@link INTERRUPT_GRACE_MS} (or at a second Ctrl-C),
 * give up on the kernel.
 */
async function awaitCell(
  kernel: NodeRuntime,
  reply: Promise<ExecuteReply>,
  seconds: number | undefined,
  ctrlC: CtrlC,
  cell: number,
): Promise<ExecuteReply> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    if (seconds !== undefined) {
      timer = setTimeout(() => resolve('timeout'), seconds * 1000);
    }
  });
  try {
    const first = await Promise.race([reply, timedOut, ctrlC.pressed()]);
    if (first !== 'timeout' && first !== 'ctrl-c') {
      return first;
    }
    const why = first === 'timeout' ? `timed out after ${seconds} s` : 'was interrupted (Ctrl-C)';
    // Not awaited: the worker takes the request only once the cell has stopped.
    kernel.interrupt().catch(() => undefined);
    clearTimeout(timer);
    const grace = new Promise<'stuck'>((resolve) => {
      timer = setTimeout(() => resolve('stuck'), INTERRUPT_GRACE_MS);
    });
    // A (further) Ctrl-C gives up at once.
    const after = await Promise.race([reply, grace, ctrlC.pressed(first === 'ctrl-c' ? 1 : 0)]);
    if (after === 'stuck' || after === 'ctrl-c') {
      throw new RunFailure(`cell ${cell} ${why} and did not stop when interrupted`, 1);
    }
    throw new RunFailure(first === 'timeout' ? `cell ${cell} ${why} and was interrupted` : `cell ${cell} ${why}`, 1);
  } finally {
    clearTimeout(timer);
  }
}

/** Fail before running anything if `--output` names a file in a directory that does not exist. */
async function checkOutput(path: string | undefined): Promise<void> {
  if (path === undefined) {
    return;
  }
  const where = dirname(resolve(path));
  const isDirectory = await stat(where).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    throw new RunFailure(`cannot write ${path}: ${where} is not a directory`, 2);
  }
}

async function run(args: RunArguments): Promise<number> {
  const nb = await readNotebook(args.notebook);
  await checkOutput(args.output);
  const stdin = new StdinLines();
  let recorder: OutputRecorder | undefined;
  let kernel: NodeRuntime | undefined;
  let ctrlC: CtrlC | undefined;
  const onEvent = (stamped: StampedEvent): void => {
    const { event } = stamped;
    recorder?.add(event);
    printEvent(event);
    if (event.msgType === 'input_request') {
      process.stdout.write(event.content.prompt);
      void stdin.next().then((line) => {
        const content: KernelMessage.IInputReplyMsg['content'] =
          line === null
            ? { status: 'error', ename: 'EOFError', evalue: 'EOF when reading a line', traceback: [] }
            : { status: 'ok', value: line };
        return kernel?.call((r) => r.inputReply(content, header('input_reply', 'stdin')));
      });
    }
  };
  let failure: RunFailure | undefined;
  try {
    // As on desktop Jupyter, cells run in the notebook's folder and see the files next to it.
    const folder = dirname(resolve(args.notebook));
    kernel = await startRuntime(
      repoPaths(REPO_ROOT),
      { transform: args.transform, location: folder, hostDirectory: folder },
      onEvent,
    );
    ctrlC = new CtrlC();
    failure = await runCells(kernel, nb, args, ctrlC, (r) => (recorder = r));
  } catch (error) {
    failure =
      error instanceof RunFailure ? error : new RunFailure(error instanceof Error ? error.message : String(error), 1);
  } finally {
    ctrlC?.dispose();
    stdin.close();
    await kernel?.terminate();
  }
  if (args.output) {
    try {
      await writeFile(args.output, serializeNotebook(nb));
    } catch (error) {
      failure ??= new RunFailure(`cannot write ${args.output}: ${(error as Error).message}`, 2);
    }
  }
  if (failure) {
    process.stderr.write(`${PROGRAM}: ${failure.message}\n`);
    return failure.code;
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let args: RunArguments | undefined;
  try {
    args = parseArguments(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${USAGE}\n${PROGRAM}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (!args) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    return await run(args);
  } catch (error) {
    if (error instanceof RunFailure) {
      process.stderr.write(`${PROGRAM}: ${error.message}\n`);
      return error.code;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Flush stdout/stderr, then leave even if stdin is still open.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`${PROGRAM}: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
