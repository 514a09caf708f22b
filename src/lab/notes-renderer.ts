/**
 * A MIME renderer for the codemod's notes (`application/vnd.sync-kernel.notes+json`):
 * a compact, collapsible bar under a rewritten cell, e.g.
 *
 *     ⟳ 2 rewrites · line 3 time.sleep(1) → await asyncio.sleep(1)   +1 more
 *
 * Every piece of note content is inserted as text (`textContent`), never as
 * markup: the notes quote the user's code, and code may contain anything.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import type { INote } from '../protocol';
import { NOTES_MIME_TYPE } from '../protocol';
import { countLabel, hasChange, hasWarnings, headlineNote, parseNotes, WARNING_KINDS } from './notes';

const CLASS = 'jp-SyncNotes';

/** Renders one notes output. */
export class NotesRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass(CLASS);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const notes = parseNotes(model.data[this._mimeType]);
    this.toggleClass('jp-mod-warning', hasWarnings(notes));
    this.node.replaceChildren(...(notes.length ? [buildNotesView(this.node.ownerDocument, notes)] : []));
  }

  private readonly _mimeType: string;
}

/**
 * Build the bar: a `<details>` whose `<summary>` counts the notes and shows
 * the first one (warnings first), and whose body lists them all.
 *
 * @param doc - The document to create elements in.
 * @param notes - At least one note.
 */
export function buildNotesView(doc: Document, notes: readonly INote[]): HTMLElement {
  const el = (tag: string, className: string, text?: string): HTMLElement => {
    const node = doc.createElement(tag);
    node.className = className;
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  };

  const details = el('details', `${CLASS}-details`) as HTMLDetailsElement;
  const summary = el('summary', `${CLASS}-summary`);
  summary.append(
    el('span', `${CLASS}-icon`, hasWarnings(notes) ? '⚠' : '⟳'),
    el('span', `${CLASS}-count`, countLabel(notes)),
  );
  const headline = headlineNote(notes);
  if (headline) {
    const preview = el('span', `${CLASS}-headline`);
    preview.append(...spaced(doc, noteParts(el, headline, false)));
    summary.append(preview);
  }
  if (notes.length > 1) {
    summary.append(el('span', `${CLASS}-more`, `+${notes.length - 1} more`));
  }

  const list = el('ol', `${CLASS}-list`);
  for (const note of notes) {
    const item = el('li', `${CLASS}-note ${CLASS}-kind-${note.kind}`);
    if (WARNING_KINDS.has(note.kind)) {
      item.classList.add('jp-mod-warning');
    }
    item.append(...spaced(doc, noteParts(el, note, true)));
    list.append(item);
  }

  details.append(summary, list);
  return details;
}

/** `line N`, then `before → after` when the note changed code, then (in the list) the message. */
function noteParts(
  el: (tag: string, className: string, text?: string) => HTMLElement,
  note: INote,
  withMessage: boolean,
): HTMLElement[] {
  const parts = [el('span', `${CLASS}-line`, `line ${note.line}`)];
  if (note.before) {
    parts.push(el('code', `${CLASS}-before`, note.before));
  }
  if (note.after) {
    parts.push(el('span', `${CLASS}-arrow`, '→'), el('code', `${CLASS}-after`, note.after));
  }
  if (withMessage || !hasChange(note)) {
    parts.push(el('span', `${CLASS}-message`, note.message));
  }
  return parts;
}

/** Real spaces between the parts, so the text reads (and copies) as a sentence. */
function spaced(doc: Document, parts: HTMLElement[]): Node[] {
  return parts.flatMap((part, i) => (i ? [doc.createTextNode(' '), part] : [part]));
}

/** The renderer factory; `safe` because it only ever shows text. */
export const notesRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [NOTES_MIME_TYPE],
  defaultRank: 50,
  createRenderer: (options) => new NotesRenderer(options),
};

export const notesExtension: IRenderMime.IExtension = {
  id: 'jupyterlite-sync-kernel:notes',
  description: 'Shows what the sync kernel rewrote in a cell, under the cell.',
  rendererFactory: notesRendererFactory,
  rank: 50,
  dataType: 'json',
};
