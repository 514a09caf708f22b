/**
 * The codemod's notes as the renderer sees them: validation of the MIME data
 * and the one-line summary. Pure functions, no DOM, tested under Node.
 */
import type { INote } from '../protocol';
import { NOTE_KINDS, WARNING_NOTE_KINDS } from '../protocol';
import type { NoteKind } from '../protocol';

/** The kinds that tell the user a cell may not behave as on desktop Jupyter. */
export const WARNING_KINDS = WARNING_NOTE_KINDS;

const KINDS: ReadonlySet<string> = new Set(NOTE_KINDS);

/** How each kind is counted in the summary: [singular, plural]. */
const KIND_LABELS: Record<INote['kind'], [string, string]> = {
  rewrite: ['rewrite', 'rewrites'],
  'async-def': ['function made async', 'functions made async'],
  'await-call': ['call awaited', 'calls awaited'],
  'kept-blocking': ['call kept blocking', 'calls kept blocking'],
  internal: ['internal error', 'internal errors'],
};

/** The kinds that have a label: every {@link NoteKind} (tested against `contract.json`). */
export const KIND_LABEL_KINDS = Object.keys(KIND_LABELS) as NoteKind[];

/** Summary order: warnings first, so they are seen even when the bar is collapsed. */
const SUMMARY_ORDER: INote['kind'][] = ['kept-blocking', 'internal', 'rewrite', 'async-def', 'await-call'];

/**
 * Read notes from the MIME bundle's value: a list of notes, or an object with
 * a `notes` list. Entries that are not well-formed notes are dropped.
 *
 * @param data - The JSON value stored under `application/vnd.sync-kernel.notes+json`.
 * @returns The valid notes, in order.
 */
export function parseNotes(data: unknown): INote[] {
  const list = Array.isArray(data) ? data : isRecord(data) && Array.isArray(data.notes) ? data.notes : [];
  return list.filter(isNote).map((note) => ({
    line: note.line,
    col: note.col,
    kind: note.kind,
    message: note.message,
    before: note.before ?? '',
    after: note.after ?? '',
  }));
}

/** Whether any note is a warning (see {@link WARNING_KINDS}). */
export function hasWarnings(notes: readonly INote[]): boolean {
  return notes.some((note) => WARNING_KINDS.has(note.kind));
}

/**
 * Count the notes by kind, warnings first: `"1 call kept blocking, 2 rewrites"`.
 *
 * @example
 * ```ts
 * countLabel([{ kind: 'rewrite', ... }, { kind: 'rewrite', ... }]); // '2 rewrites'
 * ```
 */
export function countLabel(notes: readonly INote[]): string {
  const counts = new Map<INote['kind'], number>();
  for (const note of notes) {
    counts.set(note.kind, (counts.get(note.kind) ?? 0) + 1);
  }
  return SUMMARY_ORDER.filter((kind) => counts.has(kind))
    .map((kind) => {
      const count = counts.get(kind) ?? 0;
      const [one, many] = KIND_LABELS[kind];
      return `${count} ${count === 1 ? one : many}`;
    })
    .join(', ');
}

/**
 * The note shown in the collapsed bar: the first warning, else the first
 * rewrite of a blocking call (the change that matters most), else the first note.
 */
export function headlineNote(notes: readonly INote[]): INote | undefined {
  return (
    notes.find((note) => WARNING_KINDS.has(note.kind)) ?? notes.find((note) => note.kind === 'rewrite') ?? notes[0]
  );
}

/** Whether a note has a code change to show as `before → after`. */
export function hasChange(note: INote): boolean {
  return note.before !== '' || note.after !== '';
}

type RawNote = Omit<INote, 'before' | 'after'> & { before?: string; after?: string };

function isNote(value: unknown): value is RawNote {
  return (
    isRecord(value) &&
    Number.isInteger(value.line) &&
    Number.isInteger(value.col) &&
    typeof value.kind === 'string' &&
    KINDS.has(value.kind) &&
    typeof value.message === 'string' &&
    (value.before === undefined || typeof value.before === 'string') &&
    (value.after === undefined || typeof value.after === 'string')
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
