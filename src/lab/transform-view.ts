/**
 * Reading `%%transform`'s view (`sync_kernel.kernel.transform_view`), apart from
 * the renderer so that it is tested without a DOM.
 */
import type { ITransformView } from '../protocol';

/** The gutter mark of each line status. */
export const GUTTER: Record<ITransformView['lines'][number]['status'], string> = {
  same: ' ',
  changed: '~',
  added: '+',
  removed: '-',
};

/** The view from the output's data; `undefined` for anything malformed. */
export function parseTransformView(data: unknown): ITransformView | undefined {
  if (typeof data !== 'object' || data === null || !Array.isArray((data as ITransformView).lines)) {
    return undefined;
  }
  const lines = (data as ITransformView).lines;
  const wellFormed = lines.every(
    (line) =>
      typeof line === 'object' &&
      line !== null &&
      line.status in GUTTER &&
      Array.isArray(line.segments) &&
      line.segments.every(
        (segment) =>
          Array.isArray(segment) &&
          typeof segment[0] === 'string' &&
          typeof segment[1] === 'string' &&
          typeof segment[2] === 'boolean',
      ),
  );
  return wellFormed ? { lines } : undefined;
}
