/**
 * Command-line arguments of the headless runner.
 */

export const USAGE =
  'usage: jupyterlite-sync-kernel run NOTEBOOK [--output OUT.ipynb] [--allow-errors] [--no-transform] [--timeout S]';

/** What `run` was asked to do. */
export interface RunArguments {
  notebook: string;
  output?: string;
  allowErrors: boolean;
  transform: boolean;
  /** Seconds a cell may run before it is interrupted; `undefined` for no limit. */
  timeout?: number;
}

/** Bad usage; the message is the one-line reason. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parse `process.argv.slice(2)`; `undefined` means help was asked for. */
export function parseArguments(args: string[]): RunArguments | undefined {
  if (args.includes('--help') || args.includes('-h')) {
    return undefined;
  }
  if (args.length === 0) {
    throw new UsageError('no command given');
  }
  const [command, ...rest] = args;
  if (command !== 'run') {
    throw new UsageError(`unknown command "${command}" (the only command is "run")`);
  }
  const parsed: Partial<RunArguments> & { allowErrors: boolean; transform: boolean } = {
    allowErrors: false,
    transform: true,
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = (): string => {
      const next = rest[++i];
      if (next === undefined) {
        throw new UsageError(`${arg} needs a value`);
      }
      return next;
    };
    if (arg === '--output' || arg === '-o') {
      parsed.output = value();
    } else if (arg === '--allow-errors') {
      parsed.allowErrors = true;
    } else if (arg === '--no-transform') {
      parsed.transform = false;
    } else if (arg === '--timeout') {
      const text = value();
      const seconds = Number(text);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        throw new UsageError(`--timeout needs a positive number of seconds, not "${text}"`);
      }
      parsed.timeout = seconds;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg}`);
    } else if (parsed.notebook === undefined) {
      parsed.notebook = arg;
    } else {
      throw new UsageError(`unexpected argument "${arg}" (one notebook at a time)`);
    }
  }
  if (parsed.notebook === undefined) {
    throw new UsageError('no NOTEBOOK given');
  }
  return parsed as RunArguments;
}
