/**
 * How the headless runner prints what cells produce, as it arrives: stream
 * text verbatim (stdout or stderr), rich results as their `text/plain`,
 * tracebacks and the codemod's notes on stderr (so stdout is what the cells
 * printed). Colours are kept only when the stream is a terminal.
 */
import type { RuntimeEvent } from '../protocol.js';
import { NOTES_MIME_TYPE } from '../protocol.js';

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Prints events as they arrive. */
export function printEvent(event: RuntimeEvent): void {
  const plain = (text: string, stream: NodeJS.WriteStream): string => (stream.isTTY ? text : text.replace(ANSI, ''));
  switch (event.msgType) {
    case 'stream':
      (event.content.name === 'stderr' ? process.stderr : process.stdout).write(event.content.text);
      return;
    case 'display_data':
    case 'update_display_data':
    case 'execute_result': {
      const data = event.content.data as Record<string, unknown>;
      const text = data['text/plain'];
      if (typeof text !== 'string') {
        return;
      }
      if (NOTES_MIME_TYPE in data) {
        process.stderr.write(
          text
            .split('\n')
            .map((line) => `note: ${line}\n`)
            .join(''),
        );
      } else {
        process.stdout.write(`${text}\n`);
      }
      return;
    }
    case 'error':
      process.stderr.write(`${plain(event.content.traceback.join('\n'), process.stderr)}\n`);
      return;
    default:
      return;
  }
}
