#!/usr/bin/env node
/**
 * A first visit to the built demo site over a slow link, in Chromium: what it
 * downloads and how long it takes from opening the site to the first printed
 * result of a new notebook, with the kernel's memory snapshot and without it.
 *
 * usage: bin/bench-site.mjs [--mbps N] [--latency MS] [--runs N]   (npm run bench:site)
 *
 * The link is simulated in the browser's request routing, so it covers the
 * page, the kernel's worker and the service worker alike: every response is
 * delayed by the round trip and then shares one pipe of N Mbit/s with the
 * others. Bytes are counted as a static host sends them: text (HTML, CSS,
 * JavaScript, JSON, SVG) gzipped, as GitHub Pages does; everything else
 * (wasm, wheels, the standard library zip, the snapshot, which is gzipped
 * already) as is. Each visit is a fresh browser profile (empty cache), JSPI
 * off in the kernel's worker (as in Safari, and in Firefox before 153) and on
 * (Chromium), each with the snapshot made for that engine and without it.
 * Reports medians.
 */
import { gzipSync } from 'node:zlib';

import { KERNEL_TIMEOUT, launchChromium, serveSite, Visit } from '../test/browser/lite.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  if (at === -1) {
    return fallback;
  }
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`bench-site: --${name} needs a positive number\n`);
    process.exit(2);
  }
  return value;
};
const MBPS = option('mbps', 20);
const LATENCY_MS = option('latency', 40);
const RUNS = option('runs', 3);

const TEXT = /^(text\/|application\/(json|javascript|manifest\+json)|image\/svg)/;

/** One simulated link: each response waits for the round trip, then for its turn on the pipe. */
class Link {
  constructor(mbps, latencyMs) {
    this.bytesPerMs = (mbps * 1e6) / 8 / 1000;
    this.latencyMs = latencyMs;
    this.freeAt = 0;
    this.bytes = 0;
  }

  /** Resolves when `size` bytes requested now would have arrived. */
  async carry(size) {
    const start = performance.now() + this.latencyMs;
    const done = Math.max(start, this.freeAt) + size / this.bytesPerMs;
    this.freeAt = done;
    this.bytes += size;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, done - performance.now())));
  }
}

/** Bytes on the wire for a response body of this type. */
function wireSize(body, contentType) {
  return TEXT.test(contentType ?? '') ? gzipSync(body).length : body.length;
}

/**
 * One first visit: open the site, click the launcher's notebook card, run a
 * cell as soon as JupyterLab takes it. Resolves with milliseconds and bytes.
 */
async function firstVisit(browser, siteUrl, { jspi, snapshot }) {
  const visit = await Visit.open(browser, siteUrl, { jspi });
  const link = new Link(MBPS, LATENCY_MS);
  try {
    await visit.context.route(
      (url) => url.origin === new URL(siteUrl).origin,
      async (route) => {
        const response = await route.fetch();
        const body = await response.body();
        if (!snapshot && route.request().url() === `${siteUrl}jupyter-lite.json`) {
          const config = JSON.parse(body.toString());
          config['jupyter-config-data'].litePluginSettings = {
            'jupyterlite-sync-kernel:kernel': { snapshot: false },
          };
          const changed = Buffer.from(JSON.stringify(config));
          await link.carry(wireSize(changed, response.headers()['content-type']));
          await route.fulfill({ response, body: changed });
          return;
        }
        await link.carry(wireSize(body, response.headers()['content-type']));
        // On to the routes Visit.open registered (the worker prelude that hides JSPI), or the server.
        await route.fallback();
      },
    );
    const opened = Date.now();
    await visit.page.goto(`${siteUrl}lab/index.html`);
    const { notebook, shown } = await visit.newNotebookFromLauncher({ timeout: 4 * KERNEL_TIMEOUT });
    const cell = await notebook.typeAndRun('print("first result")');
    await cell.locator('.jp-OutputArea', { hasText: 'first result' }).waitFor({ timeout: 4 * KERNEL_TIMEOUT });
    const done = Date.now();
    return { total: done - opened, launcher: shown - opened, kernel: done - shown, bytes: link.bytes };
  } finally {
    await visit.close();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const MiB = (bytes) => (bytes / 2 ** 20).toFixed(1);
const s = (ms) => (ms / 1000).toFixed(1);

const site = await serveSite();
const browser = await launchChromium();
try {
  const configs = [
    { name: 'JSPI off, with the snapshot', jspi: false, snapshot: true },
    { name: 'JSPI off, without the snapshot', jspi: false, snapshot: false },
    { name: 'JSPI on, with the snapshot', jspi: true, snapshot: true },
    { name: 'JSPI on, without the snapshot', jspi: true, snapshot: false },
  ];
  const results = new Map(configs.map((config) => [config.name, []]));
  for (let run = 0; run < RUNS; run += 1) {
    for (const config of configs) {
      results.get(config.name).push(await firstVisit(browser, site.url, config));
    }
  }
  console.log(`First visit over ${MBPS} Mbit/s with ${LATENCY_MS} ms round trips, medians of ${RUNS}:\n`);
  console.log('| | downloaded | open → launcher | click → first result | open → first result |');
  console.log('|---|---|---|---|---|');
  for (const { name } of configs) {
    const runs = results.get(name);
    const m = (key) => median(runs.map((r) => r[key]));
    console.log(
      `| ${name} | ${MiB(m('bytes'))} MiB | ${s(m('launcher'))} s | ${s(m('kernel'))} s | ${s(m('total'))} s |`,
    );
  }
} finally {
  await browser.close();
  await site.close();
}
