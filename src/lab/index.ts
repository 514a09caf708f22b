/**
 * The JupyterLite plugin: registers the `python-sync` kernel spec and creates
 * a {@link SyncKernel} (main thread) with its runtime in a module Worker.
 *
 * Pyodide's files and the Python wheels ship as this extension's static
 * assets, so starting a kernel fetches nothing from a third-party host. Only
 * Pyodide distribution packages (numpy, ...) that a cell imports come from
 * `packageBaseUrl` (see `settings.ts`).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { IStatusBar } from '@jupyterlab/statusbar';
import { IServiceWorkerManager } from '@jupyterlite/apputils';
import type { IKernel } from '@jupyterlite/services';
import { IKernelClient, IKernelSpecs } from '@jupyterlite/services';

import logoSvg from '../../style/logo.svg';
import { driveOptions } from './drive';
import { KERNEL_DISPLAY_NAME, KERNEL_NAME, KERNEL_PLUGIN_ID, STOP_REQUEST_SUFFIX } from '../protocol';
import type { StopAnswer, StopQuestion } from '../protocol';
import { SyncKernel } from './kernel';
import { PreparedWorker } from './prepared-worker';
import { readSettings } from './settings';
import { StartingStatus } from './starting-status';

/**
 * The URL this extension's static assets are served from, as the bundler
 * computed it at run time (`publicPath: 'auto'` in the federated build).
 */
declare let __webpack_public_path__: string;

export { KERNEL_NAME };

const LOGO_URL = `data:image/svg+xml;base64,${btoa(logoSvg)}`;

/**
 * Start the worker script that the build emits next to the bundle. The
 * indirection keeps the bundler from treating `new Worker(new URL(...))` as a
 * worker entry point to re-bundle: the script is already a self-contained ES
 * module (Pyodide 314 only runs in module workers).
 */
function createModuleWorker(url: URL): Worker {
  return new Worker(url, { type: 'module', name: KERNEL_DISPLAY_NAME });
}

const kernelPlugin: JupyterFrontEndPlugin<void> = {
  id: KERNEL_PLUGIN_ID,
  description: `Registers the ${KERNEL_DISPLAY_NAME} kernel.`,
  autoStart: true,
  requires: [IKernelSpecs],
  optional: [IKernelClient, IServiceWorkerManager],
  activate: (
    _app: JupyterFrontEnd,
    kernelSpecs: IKernelSpecs,
    kernelClient: IKernelClient | null,
    serviceWorkerManager: IServiceWorkerManager | null,
  ): void => {
    const baseUrl = new URL(PageConfig.getBaseUrl(), window.location.href).href;
    const { settings, problems } = readSettings(
      JSON.parse(PageConfig.getOption('litePluginSettings') || '{}'),
      baseUrl,
    );
    for (const problem of problems) {
      console.warn(`${KERNEL_DISPLAY_NAME} settings (jupyter-lite.json): ${problem}`);
    }
    const staticUrl = new URL(__webpack_public_path__, window.location.href).href;
    // Where service workers are refused, JupyterLite rejects `ready` (with no
    // reason) during start-up; the kernels ask later, so handle it now, or the
    // page reports an uncaught rejection.
    serviceWorkerManager?.ready.catch(() => undefined);
    const running = new Map<string, SyncKernel>();
    // A worker without shared memory asks, while it computes, whether Stop was pressed;
    // JupyterLite's service worker relays the question here (see `src/worker/stop-requests.ts`).
    serviceWorkerManager?.registerStdinHandler(
      STOP_REQUEST_SUFFIX,
      async (question: StopQuestion['data']): Promise<StopAnswer> => ({
        kernelId: question.kernelId,
        stops: running.get(question.kernelId)?.stopsRequested ?? 0,
      }),
    );
    // What every kernel of this site starts with; one kernel is prepared with it right away.
    const site = {
      baseUrl,
      pyodideUrl: `${staticUrl}pyodide/`,
      wheelsUrl: `${staticUrl}wheels/`,
      packageBaseUrl: settings.packageBaseUrl,
      transform: settings.transform,
      snapshot: settings.snapshot,
      jedi: settings.jedi,
    };
    const createWorker = () => createModuleWorker(new URL('../sync-kernel.worker.js', import.meta.url));
    // Only on a page the service worker already controls (a return visit): a worker started
    // before it takes over is not controlled, and cannot reach the files or answer Stop.
    const prepared =
      settings.prepare && navigator.serviceWorker?.controller ? new PreparedWorker(createWorker, site) : undefined;
    const starting = startingStatus();
    if (kernelClient) {
      routeInterrupts(kernelClient, running);
    } else {
      console.warn(`${KERNEL_DISPLAY_NAME}: no kernel client; interrupt only cancels queued cells.`);
    }

    kernelSpecs.register({
      spec: {
        name: KERNEL_NAME,
        display_name: KERNEL_DISPLAY_NAME,
        language: 'python',
        argv: [],
        resources: {
          'logo-32x32': LOGO_URL,
          'logo-64x64': LOGO_URL,
          'logo-svg': LOGO_URL,
        },
      },
      create: async (options: IKernel.IOptions): Promise<IKernel> => {
        // Returns the kernel at once and decides about the files meanwhile: JupyterLab drops a
        // cell run before the notebook's session has its kernel.
        const runtime = (async () => {
          const decision = await driveOptions(serviceWorkerManager, navigator.serviceWorker);
          if (!decision.drive) {
            console.warn(
              `${KERNEL_DISPLAY_NAME}: cells will not see the files of the file browser: ${decision.reason}.`,
            );
          }
          return {
            ...site,
            drive: decision.drive,
            // The service worker that serves the drive also relays stop requests.
            stopRequests: decision.drive && {
              url: `${baseUrl}api/stdin/${STOP_REQUEST_SUFFIX}`,
              browsingContextId: decision.drive.browsingContextId,
              kernelId: options.id,
            },
          };
        })();
        const start = {};
        starting.step(start);
        const kernel = new SyncKernel({
          ...options,
          onBootStep: (step) => starting.step(start, step),
          createWorker: () => prepared?.take() ?? createWorker(),
          runtime,
        });
        running.set(kernel.id, kernel);
        kernel.disposed.connect(() => {
          if (running.get(kernel.id) === kernel) {
            running.delete(kernel.id);
          }
        });
        kernel.started.then(
          () => starting.done(start),
          (error: unknown) => {
            starting.done(start);
            if (!kernel.isDisposed) {
              console.error(error);
              const reason = error instanceof Error ? (error.cause ?? error.message) : error;
              void showErrorMessage(
                `${KERNEL_DISPLAY_NAME} could not start`,
                `${String(reason)}\n\nReload the page to try again.`,
              );
            }
          },
        );
        return kernel;
      },
    });
  },
};

/**
 * Make "Interrupt kernel" reach the running cell.
 *
 * JupyterLite's kernel client serialises messages through a lock, and its
 * `interrupt()` only cancels the messages still waiting for that lock; the
 * kernel itself is never told (`IKernel` has no interrupt). Our kernel queues
 * its cells itself (see {@link SyncKernel.handleMessage}), so wrap the
 * client's `interrupt` to stop our running cell ({@link SyncKernel.interrupt}:
 * at once on a cross-origin isolated page, else at its next `await`); the
 * cells queued behind it are then aborted, as on desktop.
 */
function routeInterrupts(client: IKernelClient, running: Map<string, SyncKernel>): void {
  const cancelWaiting = client.interrupt.bind(client);
  client.interrupt = async (kernelId: string): Promise<void> => {
    await cancelWaiting(kernelId);
    await running.get(kernelId)?.interrupt();
  };
}

/**
 * The status bar item that names the start-up step of starting kernels. Its own plugin, so that
 * waiting for the status bar does not delay the kernel plugin (which must catch the service
 * worker's early rejection, see above).
 */
const startingStatusPlugin: JupyterFrontEndPlugin<void> = {
  id: `${KERNEL_PLUGIN_ID}-starting-status`,
  description: `Shows the start-up step of ${KERNEL_DISPLAY_NAME} kernels in the status bar.`,
  autoStart: true,
  requires: [IStatusBar],
  activate: (_app: JupyterFrontEnd, statusBar: IStatusBar): void => {
    statusBar.registerStatusItem(`${KERNEL_PLUGIN_ID}:starting`, { item: startingStatus(), align: 'left', rank: 10 });
  },
};

let sharedStartingStatus: StartingStatus | undefined;

/** The one status item both plugins use (made on first use: a widget needs the page). */
function startingStatus(): StartingStatus {
  sharedStartingStatus ??= new StartingStatus();
  return sharedStartingStatus;
}

const plugins: JupyterFrontEndPlugin<void>[] = [kernelPlugin, startingStatusPlugin];

export default plugins;
export { SyncKernel } from './kernel';
export { NOTES_MIME_TYPE } from '../protocol';
