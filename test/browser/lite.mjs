/**
 * Helpers for the browser tests: serve the built site from 127.0.0.1 with a
 * plain static server (no COOP/COEP: not cross-origin isolated, like GitHub
 * Pages), drive Debian's Chromium with playwright-core, and use JupyterLab the
 * way a person does (menus, keyboard, what is on screen).
 *
 * Nothing here sleeps for a fixed time: every wait is for a condition.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SITE_DIR = `${ROOT}build/site`;
export const EXAMPLES_DIR = `${ROOT}examples`;
export const FIXTURES_DIR = `${ROOT}test/fixtures`;
export const RESULTS_DIR = `${ROOT}test-results`;

/** How long a kernel may take to start, or a cell to finish (generous: CI has 2 cores). */
export const KERNEL_TIMEOUT = 60_000;

/** Debian's Chromium; bin/ensure-chromium installs it. */
const CHROMIUM = '/usr/bin/chromium';

/** As the machine notes say: no background traffic, so no request leaves 127.0.0.1 by itself. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * JSPI off. Chromium 156 has no switch that removes it: V8 dropped
 * `--experimental-wasm-jspi` when JSPI shipped, and neither
 * `--disable-features=WebAssemblyJSPromiseIntegration` nor
 * `--disable-blink-features=WebAssemblyJSPromiseIntegration` hides
 * `WebAssembly.Suspending` (checked in the page and in a module worker).
 * Pyodide decides with `"Suspending" in WebAssembly`, so the kernel's worker
 * script is served with this prelude, which makes the worker look like Safari
 * before 27 or Firefox ESR 140. The tests check in the worker that it worked.
 */
const NO_JSPI_PRELUDE = 'delete WebAssembly.Suspending; delete WebAssembly.Suspender; delete WebAssembly.promising;\n';

/**
 * Start bin/serve-site on a free port, under a path prefix as GitHub Pages
 * serves a project site (https://USER.github.io/REPOSITORY/); resolves with the
 * site's URL and a way to stop the server.
 */
export async function serveSite() {
  const args = [`${ROOT}bin/serve-site`, SITE_DIR, '--port', '0', '--prefix', '/jupyterlite-sync-kernel/'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /at (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
      if (match) {
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve-site exited (${code}): ${out}`)));
  });
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill();
      }),
  };
}

export async function launchChromium() {
  mkdirSync(RESULTS_DIR, { recursive: true });
  // launch() gives every run a fresh, empty profile (--user-data-dir in a temp dir).
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Run in every page before its own scripts: record each kernel status the page shows
 * (`data-status` attributes) in `window.__statuses`, so a test can wait for a kernel that said
 * "starting" before it says "idle" (JupyterLab shows "idle" for a moment before a session has one);
 * and each text of the status bar's start-up item ("… is starting: restore snapshot…") in
 * `window.__bootSteps`.
 */
export function recordStatuses() {
  window.__statuses = [];
  window.__bootSteps = [];
  new MutationObserver((records) => {
    for (const record of records) {
      const item = record.target instanceof Element && record.target.closest('.jp-SyncKernel-StartingStatus');
      if (item && item.textContent) {
        window.__bootSteps.push(item.textContent);
      }
      if (record.type === 'attributes') {
        window.__statuses.push(record.target.getAttribute('data-status'));
      }
      for (const node of record.addedNodes) {
        if (node instanceof Element) {
          const marked = [node, ...node.querySelectorAll('[data-status]')].filter((e) => e.hasAttribute('data-status'));
          window.__statuses.push(...marked.map((e) => e.getAttribute('data-status')));
        }
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
}

/**
 * A fresh browser context (empty storage) on the site, with watchers for what
 * must not happen: errors in the page or worker consoles, uncaught errors,
 * dialogs (`alert`), and requests to anything but the site's own server.
 */
export class Visit {
  /**
   * @param {import('playwright-core').Browser} browser
   * @param {string} siteUrl
   * @param {{ jspi: boolean, serviceWorkers?: 'allow' | 'block', otherOrigins?: string[] }} options
   *   (`block`: as a browser that refuses them; `otherOrigins`: local servers a test reads from, as data hosts)
   */
  static async open(browser, siteUrl, { jspi, serviceWorkers = 'allow', otherOrigins = [] }) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers });
    const visit = new Visit(context, siteUrl);
    const allowed = new Set([new URL(siteUrl).origin, ...otherOrigins]);
    await context.route(
      (url) => !allowed.has(url.origin) && url.protocol.startsWith('http'),
      async (route) => {
        visit.offsite.push(route.request().url());
        await route.abort();
      },
    );
    if (!jspi) {
      await context.route('**/sync-kernel.worker.*.js', async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, body: NO_JSPI_PRELUDE + (await response.text()) });
      });
    }
    // Every page records the kernel statuses its notebooks show (see waitForKernelIdle).
    await context.addInitScript(recordStatuses);
    await visit.newPage();
    return visit;
  }

  /**
   * Close the page (without asking the page first) and open a new one in the same browser
   * profile, as a person coming back to the site: the HTTP cache and the service worker stay.
   */
  async newPage() {
    await this.page?.close({ runBeforeUnload: false });
    this.page = await this.context.newPage();
    this.page.on('console', (message) => this._console('page', message));
    this.page.on('pageerror', (error) => this.errors.push(`uncaught: ${error.stack ?? error}`));
    this.page.on('dialog', (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    this.page.on('worker', (worker) => {
      worker.on('console', (message) => this._console(`worker ${worker.url()}`, message));
    });
  }

  constructor(context, siteUrl) {
    this.context = context;
    this.siteUrl = siteUrl;
    /** @type {import('playwright-core').Page} */
    this.page = undefined;
    /** Console errors and uncaught errors, with where they came from. */
    this.errors = [];
    /** Every URL requested outside the site's origin (all were aborted). */
    this.offsite = [];
    /** Messages of alert/confirm/prompt dialogs the page opened. */
    this.dialogs = [];
    /** The kernel's console lines saying it booted from the wheels instead of a memory snapshot. */
    this.withoutSnapshot = [];
    /** Console errors a test causes on purpose (see {@link expectConsoleError}). */
    this.expectedErrors = [];
  }

  /** Console errors matching `pattern` are what the test asks for (a request the browser blocks). */
  expectConsoleError(pattern) {
    this.expectedErrors.push(pattern);
  }

  _console(where, message) {
    if (/without a memory snapshot/.test(message.text())) {
      this.withoutSnapshot.push(`${where}: ${message.text()}`);
    }
    if (message.type() !== 'error') {
      return;
    }
    const { url } = message.location();
    // Chromium asks for /favicon.ico before JupyterLab sets its icon; the site has
    // none at its root, and a static host answers 404. Nothing a person sees.
    if (/Failed to load resource/.test(message.text()) && url.endsWith('/favicon.ico')) {
      return;
    }
    // JupyterLab 4.6 turns path-like text in outputs into links by asking the
    // server (/api/resolvePath, /api/contents/.../all.json) whether the file
    // exists: a frame in Pyodide's own library (/lib/python314.zip/...) or in a
    // package (/lib/python3.14/site-packages/...), the path of a URL in an
    // error, or tqdm's "3/3" and "it/s". A static site has no such server; the
    // first 404s tell JupyterLab so, and it stops asking. The output shows fine.
    if (
      /Failed to load resource/.test(message.text()) &&
      /\/api\/(resolvePath\?path=|contents\/.*\/all\.json$)/.test(url)
    ) {
      return;
    }
    if (this.expectedErrors.some((pattern) => pattern.test(`${message.text()} (${url})`))) {
      return;
    }
    this.errors.push(`${where}: ${message.text()} (${url})`);
  }

  /** Open a notebook in JupyterLab and wait until its kernel is idle. */
  async openNotebook(path) {
    await this.page.goto(`${this.siteUrl}lab/index.html?path=${encodeURIComponent(path)}`);
    const notebook = new Notebook(this.page);
    await notebook.waitForKernelIdle();
    return notebook;
  }

  /** Create a new notebook from the launcher with the default kernel. */
  async newNotebook() {
    await this.page.goto(`${this.siteUrl}lab/index.html`);
    await this.page
      .locator('.jp-LauncherCard[data-category="Notebook"]', { hasText: 'Python (sync, Pyodide)' })
      .click();
    const notebook = new Notebook(this.page);
    await notebook.waitForKernelIdle();
    return notebook;
  }

  /**
   * Click the launcher's card for a new notebook with our kernel, and wait until JupyterLab
   * takes a cell: the notebook's kernel has said it is starting (it says so while the front end
   * connects, and until its start is over, a second or more; JupyterLab drops a cell run before
   * the notebook's session has a kernel). Resolves with the notebook and when the card showed
   * (`Date.now()`); the page's `window.__clicked` is when it was clicked (`performance.now()`).
   */
  async newNotebookFromLauncher({ timeout = KERNEL_TIMEOUT } = {}) {
    const card = this.page.locator('.jp-LauncherCard[data-category="Notebook"]', {
      hasText: 'Python (sync, Pyodide)',
    });
    await card.waitFor({ timeout });
    const shown = Date.now();
    await this.page.evaluate(() => {
      window.__statuses = [];
      window.__clicked = performance.now();
    });
    await card.click();
    await this.page.waitForFunction(() => window.__statuses.includes('starting'), null, { timeout });
    return { notebook: new Notebook(this.page), shown };
  }

  /** The kernel's Worker: the one whose script is our worker bundle. */
  kernelWorker() {
    return this.page.workers().find((worker) => /sync-kernel\.worker\.[0-9a-f]+\.js$/.test(worker.url()));
  }

  /** Save a screenshot of the page, or of one element, as test-results/NAME.png. */
  async screenshot(name, locator = undefined) {
    await (locator ?? this.page).screenshot({ path: `${RESULTS_DIR}/${name}.png` });
  }

  async close() {
    await this.context.close();
  }
}

/** The notebook in the current JupyterLab tab. */
export class Notebook {
  /** @param {import('playwright-core').Page} page */
  constructor(page) {
    this.page = page;
    this.panel = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
    this.codeCells = this.panel.locator('.jp-CodeCell');
  }

  /**
   * Wait until the kernel is idle; fail at once, with its reason, if it cannot start. JupyterLab
   * shows "idle" for a moment before the notebook's session has a kernel (a cell run then is
   * dropped), so first wait for the kernel to have said it is starting, which it does from the
   * moment it is there until its start is over.
   */
  async waitForKernelIdle() {
    const idle = this.panel.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]');
    const failed = this.page.locator('.jp-Dialog', { hasText: 'could not start' });
    const there = this.page.waitForFunction(() => window.__statuses.includes('starting'), null, {
      timeout: KERNEL_TIMEOUT,
    });
    await Promise.race([there, failed.waitFor({ timeout: KERNEL_TIMEOUT })]).catch(() => undefined);
    await idle.or(failed).first().waitFor({ timeout: KERNEL_TIMEOUT });
    if (await failed.isVisible()) {
      throw new Error(`the kernel did not start: ${await failed.innerText()}`);
    }
  }

  /** Choose an item of a menu in the menu bar, as a person does. */
  async menu(menu, item) {
    await this.page.locator('.lm-MenuBar-itemLabel', { hasText: new RegExp(`^${menu}$`) }).click();
    await this.page.locator('.lm-Menu-itemLabel', { hasText: new RegExp(`^${item}$`) }).click();
  }

  /** Run > Run All Cells. */
  async runAll() {
    await this.menu('Run', 'Run All Cells');
  }

  /** Wait until every code cell shows an execution count (none queued or running). */
  async waitUntilAllRan() {
    await this.page.waitForFunction(
      (panel) =>
        [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].every((prompt) =>
          /^\[\d+\]:$/.test(prompt.textContent.trim()),
        ),
      await this.panel.elementHandle(),
      { timeout: KERNEL_TIMEOUT },
    );
  }

  /** What a person reads in the outputs of code cell `i` (0-based). */
  async outputText(i) {
    return this.codeCells.nth(i).locator('.jp-OutputArea').innerText();
  }

  /** The notes bars under code cell `i`. */
  notes(i) {
    return this.codeCells.nth(i).locator('.jp-SyncNotes');
  }

  /**
   * Type `code` into a new cell at the end and run it with Shift+Enter.
   * `insertText` enters the text as one input, as a paste does, so the
   * editor does not re-indent it.
   */
  async typeAndRun(code) {
    const cell = await this.typeInNewCell(code);
    await this.page.keyboard.press('Shift+Enter');
    return cell;
  }

  /** Type `code` into a new cell at the end (as {@link typeAndRun}), leaving the cursor after it. */
  async typeInNewCell(code) {
    const count = await this.codeCells.count();
    const last = this.codeCells.nth(count - 1);
    const empty = (await last.locator('.cm-content').innerText()).trim() === '';
    if (!empty) {
      await last.click();
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('b'); // insert a cell below, in command mode
    }
    const cell = this.codeCells.nth(empty ? count - 1 : count);
    await cell.locator('.cm-content').click();
    await this.page.keyboard.insertText(code);
    return cell;
  }

  /** Wait until `cell` shows an execution count. */
  async waitForCell(cell) {
    await cell.locator('.jp-InputPrompt', { hasText: /^\s*\[\d+\]:\s*$/ }).waitFor({ timeout: KERNEL_TIMEOUT });
  }
}
