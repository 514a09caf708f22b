/**
 * What the synchronous fetch sends and how it reads the answer's headers (src/worker/web-requests.ts).
 * The requests themselves are made in test/runtime.test.ts (Node) and the browser suite.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseHeaderLines, sendableHeaders } from '../../src/worker/web-requests';

describe('request headers', () => {
  test('those a browser sets itself are dropped, whatever their case; the rest are sent in order', () => {
    const fromRequests: [string, string][] = [
      ['User-Agent', 'python-requests/2.33.1'],
      ['Accept-Encoding', 'gzip, deflate'],
      ['Accept', '*/*'],
      ['Connection', 'keep-alive'],
      ['host', 'example.org'],
      ['Content-Length', '7'],
      ['Proxy-Authorization', 'x'],
      ['Sec-Fetch-Mode', 'cors'],
      ['Content-Type', 'application/json'],
      ['X-Api-Key', 'k'],
    ];
    assert.deepEqual(sendableHeaders(fromRequests), [
      ['Accept', '*/*'],
      ['Content-Type', 'application/json'],
      ['X-Api-Key', 'k'],
    ]);
  });
});

describe('response headers', () => {
  test('getAllResponseHeaders() text becomes pairs; a value keeps its colons; repeated names stay', () => {
    const text =
      'content-type: text/csv\r\nlast-modified: Mon, 30 Nov 2026 19:00:00 GMT\r\nset-cookie: a=1\r\nset-cookie: b=2\r\n';
    assert.deepEqual(parseHeaderLines(text), [
      ['content-type', 'text/csv'],
      ['last-modified', 'Mon, 30 Nov 2026 19:00:00 GMT'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
  });
});
