/**
 * Web requests from cells: `urllib.request`, `requests` and what uses them
 * (`pandas.read_csv(url)`) call, through `sync_kernel.kernel.web`, one
 * synchronous fetch that the environment provides — in a browser worker a
 * synchronous `XMLHttpRequest` (allowed in workers, with or without JSPI or
 * shared memory), under Node a helper thread (`src/node/sync-fetch.ts`).
 * Both follow redirects and decompress the body, as a browser does.
 */

/** One request, as Python describes it. */
export interface WebRequest {
  method: string;
  url: string;
  headers: [string, string][];
  /** Give up after this long (a request to a host that never answers must not hang the cell). */
  timeoutMs: number;
}

/** The answer: a response (any status), or why there is none. */
export type WebResponse =
  | { status: number; statusText: string; url: string; headers: [string, string][]; body: Uint8Array }
  | { error: 'network' | 'timeout'; message: string };

/** Make one request and wait for the whole answer. */
export type FetchSync = (request: WebRequest, body: Uint8Array | undefined) => WebResponse;

/**
 * Headers a browser sets itself and refuses from a script (logging "Refused to
 * set unsafe header"): `requests` and `urllib` send some of them on desktop.
 * They are dropped in Node too, so that both send the same request.
 */
const SET_BY_THE_BROWSER = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'via',
]);

/** The headers a script may send (see {@link SET_BY_THE_BROWSER}). */
export function sendableHeaders(headers: [string, string][]): [string, string][] {
  return headers.filter(([name]) => {
    const lower = name.toLowerCase();
    return !SET_BY_THE_BROWSER.has(lower) && !lower.startsWith('proxy-') && !lower.startsWith('sec-');
  });
}

/** `getAllResponseHeaders()` text as name/value pairs, in order. */
export function parseHeaderLines(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      pairs.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
  }
  return pairs;
}

/** {@link FetchSync} in a browser worker: a synchronous `XMLHttpRequest`. */
export function xhrFetchSync(request: WebRequest, body: Uint8Array | undefined): WebResponse {
  const xhr = new XMLHttpRequest();
  try {
    xhr.open(request.method, request.url, false);
    xhr.responseType = 'arraybuffer'; // allowed for synchronous requests in workers
    xhr.timeout = request.timeoutMs;
    for (const [name, value] of sendableHeaders(request.headers)) {
      xhr.setRequestHeader(name, value);
    }
    xhr.send(body && body.byteLength > 0 ? (body.slice() as Uint8Array<ArrayBuffer>) : null);
  } catch (error) {
    const { name, message } = error as Error;
    return { error: name === 'TimeoutError' ? 'timeout' : 'network', message };
  }
  if (xhr.status === 0) {
    // No answer the page may read: blocked by CORS, offline, or refused.
    return { error: 'network', message: 'no response' };
  }
  return {
    status: xhr.status,
    statusText: xhr.statusText,
    url: xhr.responseURL || request.url,
    headers: parseHeaderLines(xhr.getAllResponseHeaders()),
    body: new Uint8Array(xhr.response as ArrayBuffer),
  };
}

/**
 * The function Python calls: the request as JSON (plain strings cross the
 * Pyodide boundary without proxies to free) and the body as bytes.
 */
export function fetchSyncForPython(fetchSync: FetchSync) {
  return (requestJson: string, body: Uint8Array | undefined): WebResponse =>
    fetchSync(JSON.parse(requestJson) as WebRequest, body ?? undefined);
}
