/**
 * Standard input for the headless runner's `input()`: one line at a time, read
 * only once a cell asks (so a run that never asks does not wait on a terminal).
 */
import { createInterface, Interface } from 'node:readline';

/** Standard input, one line at a time, read only once a cell asks for input. */
export class StdinLines {
  private reader: Interface | undefined;
  private readonly buffered: string[] = [];
  private readonly waiting: ((line: string | null) => void)[] = [];
  private ended = false;

  next(): Promise<string | null> {
    this.open();
    const line = this.buffered.shift();
    if (line !== undefined) {
      return Promise.resolve(line);
    }
    if (this.ended) {
      return Promise.resolve(null);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): void {
    this.reader?.close();
  }

  private open(): void {
    if (this.reader) {
      return;
    }
    this.reader = createInterface({ input: process.stdin, terminal: false });
    this.reader.on('line', (line) => {
      const waiter = this.waiting.shift();
      if (waiter) {
        waiter(line);
      } else {
        this.buffered.push(line);
      }
    });
    this.reader.on('close', () => {
      this.ended = true;
      this.waiting.splice(0).forEach((waiter) => waiter(null));
    });
  }
}
