/**
 * A MIME renderer for `%%transform`'s diff view (`application/vnd.sync-kernel.transform+json`):
 * the rewritten cell as code, coloured by token kind, with what the rewrite
 * added marked and lines it added or changed flagged in a gutter, e.g.
 *
 *     ~ │ «async »def tick(n):
 *       │     for i in range(n):
 *     ~ │         «await __sync__».sleep(1)
 *
 * The kernel sends the cell already cut into segments (text, token kind,
 * added or not: `sync_kernel.kernel.transform_view`); every segment goes in as
 * text (`textContent`), never as markup: it is the user's code.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import type { ITransformView } from '../protocol';
import { TRANSFORM_MIME_TYPE } from '../protocol';
import { GUTTER, parseTransformView } from './transform-view';

const CLASS = 'jp-SyncTransform';

/** The token kinds the kernel sends (anything else is shown plain). */
const KINDS = new Set(['keyword', 'definition', 'builtin', 'string', 'number', 'comment', 'operator']);

/**
 * Build the view: a `<pre>` with one row per line (gutter mark, then the
 * code), token kinds as classes, added text in `<mark>`.
 *
 * @param doc - The document to create elements in.
 * @param view - The kernel's view of the rewritten cell.
 */
export function buildTransformView(doc: Document, view: ITransformView): HTMLElement {
  const pre = doc.createElement('pre');
  pre.className = `${CLASS}-code`;
  for (const line of view.lines) {
    const row = doc.createElement('div');
    row.className = `${CLASS}-line ${CLASS}-${line.status}`;
    const gutter = doc.createElement('span');
    gutter.className = `${CLASS}-gutter`;
    gutter.textContent = GUTTER[line.status];
    gutter.setAttribute('aria-hidden', 'true');
    const code = doc.createElement('span');
    code.className = `${CLASS}-text`;
    let mark: HTMLElement | undefined; // consecutive added segments share one mark
    for (const [text, kind, added] of line.segments) {
      const piece = doc.createElement('span');
      if (KINDS.has(kind)) {
        piece.className = `${CLASS}-${kind}`;
      }
      piece.textContent = text;
      if (added) {
        if (!mark) {
          mark = doc.createElement('mark');
          code.append(mark);
        }
        mark.append(piece);
      } else {
        mark = undefined;
        code.append(piece);
      }
    }
    row.append(gutter, code, doc.createTextNode('\n'));
    pre.append(row);
  }
  return pre;
}

/** Renders one view; shows the plain text instead if the view is malformed. */
export class TransformRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass(CLASS);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const doc = this.node.ownerDocument;
    const view = parseTransformView(model.data[this._mimeType]);
    if (view) {
      this.node.replaceChildren(buildTransformView(doc, view));
    } else {
      const pre = doc.createElement('pre');
      pre.textContent = String(model.data['text/plain'] ?? '');
      this.node.replaceChildren(pre);
    }
  }

  private readonly _mimeType: string;
}

/** The renderer factory; `safe` because it only ever shows text. */
export const transformRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [TRANSFORM_MIME_TYPE],
  defaultRank: 50,
  createRenderer: (options) => new TransformRenderer(options),
};

export const transformExtension: IRenderMime.IExtension = {
  id: 'jupyterlite-sync-kernel:transform',
  description: "Shows %%transform's rewrite of a cell as code, with what the rewrite added marked.",
  rendererFactory: transformRendererFactory,
  rank: 50,
  dataType: 'json',
};
