/**
 * Test helpers: run the headless runner (`bin/jupyterlite-sync-kernel`) as a user would.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { JSPI, REPO } from './kernel';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running CLI: its process, what it printed so far, and how it ended. */
export interface CliRun {
  child: ChildProcessWithoutNullStreams;
  /** Resolves once standard output contains `text`. */
  printed(text: string): Promise<void>;
  /** Resolves when the process has ended; rejects if it outlives the time limit. */
  result: Promise<CliResult>;
}

/**
 * Start the CLI with `args` in the directory `cwd`, feeding `stdin` (then end of
 * input); its `result` rejects only if it outlives `timeoutMs`.
 */
export function startCli(args: string[], stdin = '', timeoutMs = 50000, cwd = REPO): CliRun {
  const node = JSPI ? ['--experimental-wasm-stack-switching'] : [];
  const child = spawn(process.execPath, [...node, join(REPO, 'bin', 'jupyterlite-sync-kernel'), ...args], {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const watcher of watchers.filter((w) => stdout.includes(w.text))) {
      watcher.resolve();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(stdin);
  const printed = (text: string): Promise<void> =>
    stdout.includes(text) ? Promise.resolve() : new Promise((resolve) => watchers.push({ text, resolve }));
  const result = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI hung: ${args.join(' ')}\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, printed, result };
}

/**
 * Run the CLI with `args` in the directory `cwd`, feeding `stdin` (then end of
 * input); rejects only if it outlives `timeoutMs`.
 */
export function runCli(args: string[], stdin = '', timeoutMs = 50000, cwd = REPO): Promise<CliResult> {
  return startCli(args, stdin, timeoutMs, cwd).result;
}

/** Write `text` to a fresh temporary file named `name`; returns its path. */
export function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sync-kernel-')), name);
  writeFileSync(path, text);
  return path;
}

/** The last line of `text` (without the trailing newline). */
export function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1];
}
