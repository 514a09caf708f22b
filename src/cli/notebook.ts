/**
 * Notebooks for the headless runner: read `.ipynb` (nbformat 4) or percent-format
 * `.py`, record outputs as the kernel sends them, write valid nbformat 4.5.
 */
import { KERNEL_DISPLAY_NAME, KERNEL_NAME } from '../protocol.js';
import type { RuntimeEvent } from '../protocol.js';

/** A JSON object (nbformat's dictionaries). */
export type JSONObject = { [key: string]: unknown };

/** One nbformat 4 output. */
export type Output = JSONObject & { output_type: string };

/** One nbformat 4 cell. */
export interface Cell {
  id?: string;
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  metadata: JSONObject;
  outputs?: Output[];
  execution_count?: number | null;
  attachments?: JSONObject;
}

/** An nbformat 4 notebook. */
export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: JSONObject;
  cells: Cell[];
}

/** The notebook could not be read; the message is the one-line reason. */
export class NotebookError extends Error {
  override name = 'NotebookError';
}

export const KERNELSPEC = { name: KERNEL_NAME, display_name: KERNEL_DISPLAY_NAME, language: 'python' };

/** Parse a notebook file's text; `path` decides the format (`.ipynb`, else percent `.py`). */
export function parseNotebook(path: string, text: string): Notebook {
  return path.endsWith('.ipynb') ? parseIpynb(text) : parsePercent(text);
}

function parseIpynb(text: string): Notebook {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new NotebookError(`not valid JSON (${(error as Error).message})`);
  }
  const nb = data as Partial<Notebook> | null;
  if (!nb || typeof nb !== 'object' || !Array.isArray(nb.cells)) {
    throw new NotebookError('not a notebook: no "cells" list');
  }
  if (nb.nbformat !== 4) {
    throw new NotebookError(`nbformat ${String(nb.nbformat)} is not supported (only nbformat 4)`);
  }
  nb.cells.forEach((cell, index) => {
    const ok =
      cell &&
      typeof cell === 'object' &&
      ['code', 'markdown', 'raw'].includes(cell.cell_type) &&
      (typeof cell.source === 'string' || Array.isArray(cell.source));
    if (!ok) {
      throw new NotebookError(`cell ${index + 1} is not a valid nbformat 4 cell`);
    }
  });
  return { nbformat: 4, nbformat_minor: nb.nbformat_minor ?? 5, metadata: nb.metadata ?? {}, cells: nb.cells };
}

/**
 * Percent format, as Jupytext reads it: `# %%` (or `#%%`) starts a code cell,
 * `# %% [markdown]` / `[md]` a markdown one (lines un-commented), `# %% [raw]`
 * a raw one. The codemod's command line (`sync_kernel/codemod/cli.py`) reads
 * markers the same way; `test/fixtures/percent` holds the cases both are tested on.
 */
export function parsePercent(text: string): Notebook {
  const cells: Cell[] = [];
  let current: { type: Cell['cell_type']; lines: string[] } = { type: 'code', lines: [] };
  const finish = (): void => {
    const lines = [...current.lines];
    while (lines.length && lines[lines.length - 1].trim() === '') {
      lines.pop();
    }
    while (lines.length && lines[0].trim() === '') {
      lines.shift();
    }
    if (lines.length || cells.length || current.type !== 'code') {
      const source = lines.join('\n');
      cells.push(
        current.type === 'code'
          ? { cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null }
          : { cell_type: current.type, source, metadata: {} },
      );
    }
  };
  for (const line of text.split(/\r?\n/)) {
    const marker = /^#\s*%%(?=\s|$)(.*)$/.exec(line);
    if (marker) {
      finish();
      const kind = /\[(markdown|md|raw)\]/.exec(marker[1])?.[1];
      current = { type: kind === undefined ? 'code' : kind === 'raw' ? 'raw' : 'markdown', lines: [] };
    } else {
      current.lines.push(current.type === 'code' ? line : line.replace(/^# ?/, ''));
    }
  }
  finish();
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: KERNELSPEC, language_info: { name: 'python' } },
    cells,
  };
}

/** A cell's source as one string. */
export function sourceText(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/**
 * Collects one cell's outputs the way a notebook frontend would: streams of the
 * same name merged, `update_display_data` applied to earlier outputs with the
 * same display id, `clear_output(wait=True)` deferred to the next output.
 */
export class OutputRecorder {
  readonly outputs: Output[] = [];
  private clearPending = false;

  constructor(private readonly displays: Map<string, Output[]>) {}

  /** Apply one event; returns whether it was an output (not an input request). */
  add(event: RuntimeEvent): void {
    switch (event.msgType) {
      case 'stream': {
        this.flushClear();
        const last = this.outputs[this.outputs.length - 1];
        if (last && last.output_type === 'stream' && last.name === event.content.name) {
          last.text = String(last.text) + event.content.text;
        } else {
          this.outputs.push({ output_type: 'stream', name: event.content.name, text: event.content.text });
        }
        return;
      }
      case 'display_data': {
        this.flushClear();
        const output: Output = {
          output_type: 'display_data',
          data: event.content.data,
          metadata: event.content.metadata ?? {},
        };
        this.outputs.push(output);
        this.remember(event.content.transient, output);
        return;
      }
      case 'update_display_data': {
        const id = displayId(event.content.transient);
        for (const output of (id && this.displays.get(id)) || []) {
          output.data = event.content.data;
          output.metadata = event.content.metadata ?? {};
        }
        return;
      }
      case 'execute_result':
        this.flushClear();
        this.outputs.push({
          output_type: 'execute_result',
          data: event.content.data,
          metadata: event.content.metadata ?? {},
          execution_count: event.content.execution_count,
        });
        return;
      case 'error':
        this.flushClear();
        this.outputs.push({
          output_type: 'error',
          ename: event.content.ename,
          evalue: event.content.evalue,
          traceback: event.content.traceback,
        });
        return;
      case 'clear_output':
        if (event.content.wait) {
          this.clearPending = true;
        } else {
          this.outputs.length = 0;
        }
        return;
      case 'input_request':
      case 'comm_open':
      case 'comm_msg':
      case 'comm_close':
        return;
      default: {
        const unreachable: never = event;
        throw new Error(`unknown event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private flushClear(): void {
    if (this.clearPending) {
      this.outputs.length = 0;
      this.clearPending = false;
    }
  }

  private remember(transient: unknown, output: Output): void {
    const id = displayId(transient);
    if (id) {
      this.displays.set(id, [...(this.displays.get(id) ?? []), output]);
    }
  }
}

function displayId(transient: unknown): string | undefined {
  const id = (transient as { display_id?: unknown } | undefined)?.display_id;
  return typeof id === 'string' ? id : undefined;
}

/** The notebook as nbformat 4.5 JSON text: cell ids added where missing, sources as strings. */
export function serializeNotebook(nb: Notebook): string {
  const used = new Set<string>();
  const cells = nb.cells.map((cell, index) => {
    let id = cell.id && /^[a-zA-Z0-9-_]{1,64}$/.test(cell.id) && !used.has(cell.id) ? cell.id : `cell-${index + 1}`;
    while (used.has(id)) {
      id = `${id}-${index}`;
    }
    used.add(id);
    const base = { id, cell_type: cell.cell_type, metadata: cell.metadata ?? {}, source: sourceText(cell) };
    if (cell.cell_type === 'code') {
      return { ...base, execution_count: cell.execution_count ?? null, outputs: cell.outputs ?? [] };
    }
    return cell.attachments ? { ...base, attachments: cell.attachments } : base;
  });
  const metadata = { ...nb.metadata };
  metadata.kernelspec ??= KERNELSPEC;
  return `${JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata, cells }, null, 1)}\n`;
}
