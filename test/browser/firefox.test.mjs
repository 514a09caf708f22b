/**
 * The core set of the demo site's notebooks in a second engine: Debian's
 * Firefox ESR (JSPI on), driven by puppeteer-core over WebDriver BiDi
 * (Playwright's Firefox is its own patched build, and its BiDi mode needs a
 * newer Firefox than the ESR). Each test opens an example notebook, runs all
 * its cells from the Run menu, and reads what appears, as site.test.mjs does
 * in Chromium, with no console error in the page.
 *
 * Run with `npm run test:browser` (bin/ensure-firefox installs the browser).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import puppeteer from 'puppeteer-core';

import { EXAMPLES_DIR, KERNEL_TIMEOUT, recordStatuses, RESULTS_DIR, serveSite } from './lite.mjs';

const FIREFOX = '/usr/bin/firefox-esr';

let site;
let browser;

before(async () => {
  site = await serveSite();
  browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

/** A page on the site in a fresh browser context, recording console errors and kernel statuses. */
async function openNotebook(path) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 900 }); // at 800 px the toolbar hides the kernel status
  const errors = [];
  page.on('console', (message) => {
    const text = message.text();
    // As in Chromium (see lite.mjs): JupyterLab asks a static site about path-like output text.
    if (message.type() === 'error' && !/api\/(resolvePath|contents\/.*\/all\.json)/.test(text)) {
      errors.push(text);
    }
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  await page.evaluateOnNewDocument(recordStatuses);
  await page.goto(`${site.url}lab/index.html?path=${encodeURIComponent(path)}`);
  // JupyterLab shows "idle" for a moment before the session has its kernel: wait for "starting" first.
  await page.waitForFunction(() => window.__statuses.includes('starting'), { timeout: KERNEL_TIMEOUT, polling: 250 });
  await page.waitForFunction(
    () => document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]') !== null,
    { timeout: KERNEL_TIMEOUT, polling: 250 },
  );
  return { page, context, errors };
}

/** Click the menu bar's `menu`, then its `item`, as a person does. */
async function menu(page, menu, item) {
  const click = async (selector, label) => {
    const handle = await page.waitForFunction(
      (selector, label) => [...document.querySelectorAll(selector)].find((e) => e.textContent.trim() === label),
      { timeout: KERNEL_TIMEOUT, polling: 250 },
      selector,
      label,
    );
    await handle.asElement().click();
  };
  await click('.lm-MenuBar-itemLabel', menu);
  await click('.lm-Menu-itemLabel', item);
}

/**
 * Run > Run All Cells, then wait until every code cell shows its execution count; the outputs' text
 * (`textContent`: Firefox gives no `innerText` for cells scrolled out of view, which JupyterLab does
 * not render).
 */
async function runAll(page) {
  await menu(page, 'Run', 'Run All Cells');
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')].every(
        (prompt) => /^\[\d+\]:$/.test(prompt.textContent.trim()),
      ),
    { timeout: KERNEL_TIMEOUT, polling: 250 },
  );
  return page.$$eval('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell', (cells) =>
    cells.map((cell) => cell.querySelector('.jp-OutputArea')?.textContent ?? ''),
  );
}

/** Open `path`, run `body` with the page, check what must hold on every visit, save a screenshot. */
const visit = (name, path, body) =>
  test(`${name} (firefox)`, { timeout: 3 * KERNEL_TIMEOUT }, async () => {
    const { page, context, errors } = await openNotebook(path);
    try {
      assert.equal(await page.evaluate(() => 'Suspending' in WebAssembly), true, 'Firefox ESR has JSPI');
      await body(page);
      assert.deepEqual(errors, [], 'no errors in the page console');
      // The snapshot made in Chromium (standard JSPI, as Firefox has) restores here too.
      const steps = await page.evaluate(() => window.__bootSteps);
      assert.ok(
        steps.some((step) => step.includes('restore snapshot')) &&
          !steps.some((step) => step.includes('install wheels')),
        `the kernel starts from the memory snapshot: ${JSON.stringify(steps)}`,
      );
    } finally {
      await page.screenshot({ path: `${RESULTS_DIR}/${name.replace(/\W+/g, '-')}-firefox.png` }).catch(() => undefined);
      await context.close();
    }
  });

describe('demo site in Firefox ESR', () => {
  visit('progress.ipynb streams a bar to its end, with notes', 'progress.ipynb', async (page) => {
    const outputs = await runAll(page);
    assert.match(outputs[1], /\[#{20}\] 10\/10\s+done/);
    const notes = await page.$$eval('.jp-SyncNotes', (bars) => bars.map((bar) => bar.innerText));
    assert.match(notes[0], /1 rewrite, 1 function made async/);
  });

  visit('asyncio_script.ipynb: asyncio.run on the kernel loop', 'asyncio_script.ipynb', async (page) => {
    const outputs = await runAll(page);
    assert.match(outputs[1], /slow finished after 0\.2 s\s+fast finished after 0\.1 s/);
  });

  visit('talk_chain_reaction.ipynb: callers become async all the way up', 'talk_chain_reaction.ipynb', async (page) => {
    const outputs = await runAll(page);
    assert.match(outputs[0], /3\n2\n1\nApollo: liftoff!/);
    assert.match(outputs[1], /Gemini: liftoff![\s\S]*Mercury: liftoff!/);
  });

  visit('threads.ipynb: threads, a pool and a progress thread', 'threads.ipynb', async (page) => {
    const outputs = await runAll(page);
    assert.match(outputs[0], /consumer done/);
    assert.match(outputs[1], /squares: \[0, 1, 4, 9\][\s\S]*overlapped: True/);
    assert.match(outputs[2], /\[#####\] 5\/5\s+done/);
  });

  visit('files.ipynb reads the file next to it through the service worker', 'files.ipynb', async (page) => {
    const outputs = await runAll(page);
    const rows = readFileSync(`${EXAMPLES_DIR}/measurements.csv`, 'utf8').trim().split('\n').slice(1);
    assert.match(outputs[0], new RegExp(`^${rows.length} measurements$`, 'm'));
  });

  visit('transform_magic.ipynb shows the rewrite as a diff view', 'transform_magic.ipynb', async (page) => {
    const outputs = await runAll(page);
    assert.match(outputs[0], /async def tick\(n\):/);
    assert.match(outputs[1], /tick 0\ntick 1\ntick 2/);
    const marked = await page.evaluate(() =>
      [...document.querySelector('.jp-CodeCell .jp-SyncTransform').querySelectorAll('mark')].map((m) => m.textContent),
    );
    assert.deepEqual(marked, ['async ', 'await __sync__', 'await ']);
  });
});
