/**
 * Build the kernel's memory snapshot for browsers with standard JSPI (Chrome and
 * Edge 137+: `WebAssembly.Suspending`), in Debian's Chromium (`npm run build:snapshot`):
 *
 *     node build/node/node/make-browser-snapshot.js [path to chromium]
 *
 * Pyodide records at start-up how the engine switches stacks, and Node 20 has
 * only the older `WebAssembly.Suspender`: a snapshot made there kills the
 * kernel at its first stack switch in Chromium. So this one is made where it
 * will run: a local server hands Chromium the browser worker bundle
 * (`build/node/browser/worker.js`, the runtime the site's worker runs),
 * Pyodide and `build/wheels`; a page starts the worker, calls
 * `Runtime.makeSnapshot` through comlink and PUTs the file back, which is
 * written gzipped next to the Node ones. An engine without `Suspending` makes
 * nothing (and says so).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

import { chromium } from 'playwright-core';

import { repoPaths } from './client.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DEFAULT_CHROMIUM = '/usr/bin/chromium';
/** Booting from the wheels and snapshotting takes about 10 s; a stuck browser must not hang the build. */
const TIMEOUT_MS = 5 * 60 * 1000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** The page: start the runtime's worker, make the snapshot in it, send it back. */
const PAGE = `<!doctype html>
<script type="module">
  import { wrap } from '/comlink.mjs';
  const report = (path, body) => fetch(path, { method: 'PUT', body });
  try {
    const runtime = wrap(new Worker('/worker.js', { type: 'module' }));
    const base = location.origin + '/';
    const { name, bytes } = await runtime.makeSnapshot({
      baseUrl: base,
      pyodideUrl: base + 'pyodide/',
      wheelsUrl: base + 'wheels/',
    });
    await report('/snapshot/' + encodeURIComponent(name), bytes);
  } catch (error) {
    await report('/failed', String(error && error.stack ? error.stack : error));
  }
</script>
`;

interface Outcome {
  name?: string;
  bytes?: Buffer;
  failure?: string;
}

function body(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolveBody(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Serve `root` under `prefix` (no path may leave it). */
async function serveFile(response: ServerResponse, root: string, path: string): Promise<void> {
  const file = normalize(join(root, decodeURIComponent(path)));
  if (!file.startsWith(root)) {
    response.writeHead(403).end();
    return;
  }
  try {
    const data = await readFile(file);
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(data);
  } catch {
    response.writeHead(404).end();
  }
}

async function main(): Promise<void> {
  const executablePath = process.argv[2] ?? DEFAULT_CHROMIUM;
  const paths = repoPaths(REPO);
  const workerBundle = join(REPO, 'build', 'node', 'browser', 'worker.js');
  const comlink = join(REPO, 'node_modules', 'comlink', 'dist', 'esm', 'comlink.mjs');
  let settle: (outcome: Outcome) => void = () => undefined;
  const outcome = new Promise<Outcome>((resolveOutcome) => (settle = resolveOutcome));
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (request.method === 'PUT') {
      void body(request).then((data) => {
        response.writeHead(204).end();
        if (path.startsWith('/snapshot/')) {
          settle({ name: decodeURIComponent(path.slice('/snapshot/'.length)), bytes: data });
        } else {
          settle({ failure: data.toString('utf8') });
        }
      });
      return;
    }
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    } else if (path === '/worker.js') {
      void serveFile(response, dirname(workerBundle), 'worker.js');
    } else if (path === '/comlink.mjs') {
      void serveFile(response, dirname(comlink), 'comlink.mjs');
    } else if (path.startsWith('/pyodide/')) {
      void serveFile(response, paths.pyodideDir, path.slice('/pyodide/'.length));
    } else if (path.startsWith('/wheels/')) {
      void serveFile(response, paths.wheelsDir, path.slice('/wheels/'.length));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  let timer: NodeJS.Timeout | undefined;
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    if (!(await page.evaluate(() => 'Suspending' in WebAssembly))) {
      process.stdout.write(`${executablePath} has no WebAssembly.Suspending (JSPI): no snapshot made for it\n`);
      return;
    }
    const timeout = new Promise<Outcome>((expire) => {
      timer = setTimeout(() => expire({ failure: `no snapshot within ${TIMEOUT_MS / 1000} s` }), TIMEOUT_MS);
    });
    const { name, bytes, failure } = await Promise.race([outcome, timeout]);
    if (failure !== undefined || name === undefined || bytes === undefined) {
      throw new Error(`making the snapshot in ${executablePath} failed: ${failure ?? 'no file'}`);
    }
    if (!name.endsWith('-jspi-suspending.snapshot')) {
      throw new Error(`${executablePath} made ${name}, not a snapshot for WebAssembly.Suspending`);
    }
    const gzipped = await promisify(gzip)(bytes, { level: 6 });
    await writeFile(join(paths.wheelsDir, name), gzipped);
    const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
    process.stdout.write(`${name}: ${mib(gzipped.length)} gzipped (${mib(bytes.length)} in all), made in Chromium\n`);
  } finally {
    clearTimeout(timer);
    await browser.close();
    server.close();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  process.stderr.write(`make-browser-snapshot: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
