/**
 * The MIME renderers of the extension (`jupyterlab.mimeExtension` in package.json):
 * the codemod's notes under a rewritten cell, and `%%transform`'s diff view.
 * Both only ever insert text.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { notesExtension } from './notes-renderer';
import { transformExtension } from './transform-renderer';

const extensions: IRenderMime.IExtension[] = [notesExtension, transformExtension];

export default extensions;
