/**
 * The contract between the worker runtime and whoever drives it.
 *
 * The runtime (Pyodide + IPython + the codemod) runs in a module Worker in the
 * browser and in a `worker_threads` Worker under Node. The main-thread side
 * (the JupyterLite kernel, or the headless runner) calls the runtime through
 * comlink and receives everything the running code produces as
 * {@link RuntimeEvent}s, one typed channel, stamped with the parent header of
 * the request they belong to.
 *
 * This file holds types and the shared constants of `contract.json` (also read
 * by the Python side), so both sides can import it without pulling in the
 * other's code.
 */
import type { KernelMessage } from '@jupyterlab/services';

import contract from './contract.json';

/**
 * Something the running code produced: an IOPub message (streams, displays,
 * results, errors, comms) or a stdin `input_request`.
 *
 * `msgType` is the Jupyter message type to publish and `content` is exactly
 * that message's content, so the main thread forwards it without looking
 * inside.
 */
export type RuntimeEvent =
  | { msgType: 'stream'; content: KernelMessage.IStreamMsg['content'] }
  | { msgType: 'display_data'; content: KernelMessage.IDisplayDataMsg['content'] }
  | {
      msgType: 'update_display_data';
      content: KernelMessage.IUpdateDisplayDataMsg['content'];
    }
  | { msgType: 'execute_result'; content: KernelMessage.IExecuteResultMsg['content'] }
  | { msgType: 'error'; content: KernelMessage.IErrorMsg['content'] }
  | { msgType: 'clear_output'; content: KernelMessage.IClearOutputMsg['content'] }
  | { msgType: 'input_request'; content: KernelMessage.IInputRequestMsg['content'] }
  | {
      msgType: 'comm_open' | 'comm_msg' | 'comm_close';
      content: KernelMessage.ICommMsgMsg['content'];
      metadata: KernelMessage.ICommMsgMsg['metadata'];
      buffers: KernelMessage.ICommMsgMsg['buffers'];
    };

/** A {@link RuntimeEvent} with the header of the request it answers. */
export interface StampedEvent {
  event: RuntimeEvent;
  /**
   * The header of the request that was running (or ran last) when the event
   * was produced; `undefined` before the first request.
   */
  parentHeader: KernelMessage.IHeader | undefined;
}

/** Receives the runtime's events on the main thread (a comlink proxy). */
export type RuntimeEventHandler = (stamped: StampedEvent) => void;

/** Told the name of each start-up step as it begins (`load Pyodide`, `install wheels`, ...). */
export type BootStepHandler = (step: string) => void;

/** Where the runtime finds its files and how it behaves. */
export interface RuntimeOptions {
  /** The base URL of the JupyterLite site (`IWorkerKernel.IOptions.baseUrl`). */
  baseUrl: string;
  /**
   * Where Pyodide's own files (`pyodide.mjs`, `pyodide.asm.wasm`,
   * `python_stdlib.zip`) are: a URL in the browser, a URL or directory path
   * under Node. Always local to the site; never a CDN.
   */
  pyodideUrl: string;
  /**
   * Where the pinned Python wheels (IPython, its dependencies, `sync_kernel`)
   * and their lock file are: a URL in the browser, a URL or path under Node.
   */
  wheelsUrl: string;
  /**
   * Base URL for Pyodide distribution packages (numpy, pandas, ...) that
   * cells load on demand. Defaults to Pyodide's CDN for the bundled version.
   */
  packageBaseUrl?: string;
  /**
   * Node only: the directory where Pyodide keeps the packages it downloads
   * from `packageBaseUrl`. Without it Pyodide uses `packageBaseUrl` itself as a
   * directory name, which makes an `https:` folder in the working directory.
   */
  packageCacheDir?: string;
  /**
   * Directory of the notebook (the cells' working directory): relative to
   * JupyterLite's files when they are mounted (`drive`), otherwise a
   * path in Pyodide's own filesystem.
   */
  location?: string;
  /**
   * Browser only: mount JupyterLite's files (what its file browser shows) at
   * `/drive` through JupyterLite's service worker, which relays
   * each file operation to the page that `browsingContextId` names. Left out,
   * or if the drive does not answer, cells see only Pyodide's own filesystem.
   */
  drive?: { browsingContextId: string };
  /**
   * Where a worker without shared memory asks whether Stop was pressed while
   * Python computes (see `src/worker/stop-requests.ts`): a synchronous POST to
   * `url` with a {@link StopQuestion}, answered with a {@link StopAnswer}. In the
   * browser, JupyterLite's service worker relays it to the page (a stdin
   * handler for {@link STOP_REQUEST_SUFFIX}). Left out, Stop reaches a cell
   * without shared memory only at its next `await`.
   */
  stopRequests?: { url: string; browsingContextId: string; kernelId: string };
  /**
   * Use a shared interrupt buffer where the engine has SharedArrayBuffer
   * (default `true`); `false` stands in for a page that is not cross-origin
   * isolated (tests, the benchmark).
   */
  sharedMemory?: boolean;
  /**
   * Node only: a directory of the host mounted at `location`, so cells read
   * and write the files next to the notebook, as on desktop Jupyter.
   */
  hostDirectory?: string;
  /** Rewrite cells with the codemod (`%transform on`); default `true`. */
  transform?: boolean;
  /**
   * Complete with jedi too (inference, as desktop IPython does): loaded after
   * the first completion request, whose reply comes from IPython's own
   * matchers at once, in steps taken while no cell runs. Default `false` (the
   * headless runner never completes).
   */
  jedi?: boolean;
  /**
   * Start from the kernel's memory snapshot (`kernel-*.snapshot` next to the
   * wheels) when the build has one for this Pyodide, these wheels and this
   * engine; anything else boots from the wheels. Default `true`; `false`
   * always boots from the wheels (for tests, and sites that prefer it).
   */
  snapshot?: boolean;
}

/**
 * What the runtime exposes over comlink. Mirrors `IWorkerKernel` from
 * `@jupyterlite/services` (one method per kernel request, each given the
 * request's content and parent header) plus what a running cell needs:
 * replies reach Python at its next `await`; interrupts there too, or at once
 * through the shared {@link IRuntime.interruptBuffer} where there is one.
 */
export interface IRuntime {
  /**
   * Load Pyodide, install the wheels, import the shell and wire outputs.
   * Rejects with the name of the step that failed. `onStep`, if given, hears
   * each step's name as it begins, for a page that shows the kernel starting.
   */
  initialize(options: RuntimeOptions, onEvent: RuntimeEventHandler, onStep?: BootStepHandler): Promise<void>;
  /**
   * Do the start-up steps that are the same for every kernel of the site
   * (read lock files, restore the snapshot or load Pyodide and the wheels,
   * import the shell, start the kernel in no folder yet) before a kernel
   * needs them, so that {@link initialize},
   * called later with the same site options (the URLs, `packageBaseUrl`,
   * `snapshot`, `transform`), has only the kernel's own steps left (its
   * files, its folder). Optional; rejects as
   * `initialize` would, naming the step.
   */
  prepare(options: RuntimeOptions): Promise<void>;
  execute(
    content: KernelMessage.IExecuteRequestMsg['content'],
    parent: KernelMessage.IHeader,
  ): Promise<KernelMessage.IExecuteReplyMsg['content']>;
  complete(
    content: KernelMessage.ICompleteRequestMsg['content'],
    parent: KernelMessage.IHeader,
  ): Promise<KernelMessage.ICompleteReplyMsg['content']>;
  inspect(
    content: KernelMessage.IInspectRequestMsg['content'],
    parent: KernelMessage.IHeader,
  ): Promise<KernelMessage.IInspectReplyMsg['content']>;
  isComplete(
    content: KernelMessage.IIsCompleteRequestMsg['content'],
    parent: KernelMessage.IHeader,
  ): Promise<KernelMessage.IIsCompleteReplyMsg['content']>;
  commInfo(
    content: KernelMessage.ICommInfoRequestMsg['content'],
    parent: KernelMessage.IHeader,
  ): Promise<KernelMessage.ICommInfoReplyMsg['content']>;
  /** A comm the front end opened (a widget manager's control comm, say). */
  commOpen(msg: KernelMessage.ICommOpenMsg): Promise<void>;
  /** A message from the front end to a comm: a widget's new state, a button click. */
  commMsg(msg: KernelMessage.ICommMsgMsg): Promise<void>;
  /** The front end closed a comm. */
  commClose(msg: KernelMessage.ICommCloseMsg): Promise<void>;
  /** Answer the pending `input()`; the cell resumes at its `await`. */
  inputReply(content: KernelMessage.IInputReplyMsg['content'], parent: KernelMessage.IHeader): Promise<void>;
  /**
   * The buffer that stops the running cell from another thread, wherever it is
   * (Pyodide's interrupt buffer: one `Int32Array` element over a
   * `SharedArrayBuffer`), or `undefined` where SharedArrayBuffer is not
   * available (a page that is not cross-origin isolated). Ask once, after
   * {@link initialize}; to interrupt, write {@link INTERRUPT_SIGNAL} into it
   * (see {@link requestInterrupt}) and then call {@link interrupt}. Comlink calls
   * cannot reach a worker that is busy in a loop; the buffer can.
   */
  interruptBuffer(): Promise<Int32Array | undefined>;
  /**
   * Stop the running cell, which reports `KeyboardInterrupt` once. Reaches it
   * at its next `await`; with the interrupt buffer written first, also where
   * it never awaits. A signal still in the buffer when this arrives is dropped
   * (the cell is cancelled instead), so it cannot hit a later cell. `stops`:
   * how many Stops the page has counted (see `RuntimeOptions.stopRequests`);
   * those are delivered by this call, so later answers do not repeat them.
   */
  interrupt(stops?: number): Promise<void>;
  /** How `initialize` booted, and how long each of its steps took (milliseconds). */
  bootReport(): Promise<BootReport>;
}

/** How a runtime booted: from the memory snapshot, or from the wheels and why. */
export type BootOrigin = { snapshot: true } | { snapshot: false; reason: string };

/** What {@link IRuntime.bootReport} tells. */
export interface BootReport {
  origin: BootOrigin;
  /** Milliseconds per boot step, by the step's name. */
  times: Record<string, number>;
}

/** The signal written into the interrupt buffer: `SIGINT`, which Python turns into `KeyboardInterrupt`. */
export const INTERRUPT_SIGNAL = 2;

/**
 * Ask the runtime owning `buffer` to stop its running cell, from any thread,
 * without waiting for it (then call `IRuntime.interrupt`).
 */
export function requestInterrupt(buffer: Int32Array): void {
  Atomics.store(buffer, 0, INTERRUPT_SIGNAL);
}

/**
 * The stdin handler suffix of JupyterLite's service worker that answers stop
 * requests: a worker POSTs to `<baseUrl>api/stdin/<suffix>`.
 */
export const STOP_REQUEST_SUFFIX = 'sync-kernel-stop';

/** A stop request's body, in the form JupyterLite's service worker relays to a page. */
export interface StopQuestion {
  browsingContextId: string;
  data: { kernelId: string };
}

/** The answer: how many times Stop was pressed for the kernel since it started. */
export interface StopAnswer {
  kernelId: string;
  stops: number;
}

/** The MIME type of the codemod's notes, shown under a rewritten cell. */
export const NOTES_MIME_TYPE: string = contract.notesMimeType;

/** The MIME type of `%%transform`'s diff view: the rewritten cell as segments (see {@link ITransformView}). */
export const TRANSFORM_MIME_TYPE: string = contract.transformMimeType;

/** `%%transform`'s view (`sync_kernel.kernel.transform_view`): the rewritten lines, and the removed ones. */
export interface ITransformView {
  lines: {
    status: 'same' | 'changed' | 'added' | 'removed';
    /** The line's text in pieces: (text, token kind or "", whether the rewrite added it). */
    segments: [string, string, boolean][];
  }[];
}

/** What a note says happened: the codemod's `NoteKind` (checked against `contract.json` by a test). */
export type NoteKind = 'rewrite' | 'async-def' | 'await-call' | 'kept-blocking' | 'internal';

/** Every note kind, in the order the contract lists them. */
export const NOTE_KINDS: readonly NoteKind[] = contract.noteKinds as NoteKind[];

/** The kinds that tell the user a cell may not behave as on desktop Jupyter. */
export const WARNING_NOTE_KINDS: ReadonlySet<NoteKind> = new Set(contract.warningNoteKinds as NoteKind[]);

/** The kernel spec name, as notebooks record it in their metadata. */
export const KERNEL_NAME: string = contract.kernelName;

/** The kernel's display name, also used in its error messages. */
export const KERNEL_DISPLAY_NAME: string = contract.kernelDisplayName;

/** The JupyterLite plugin id, which is also the key of the kernel's `litePluginSettings`. */
export const KERNEL_PLUGIN_ID: string = contract.pluginId;

/** The default base URL of Pyodide's distribution packages (numpy, pandas, ...) for a Pyodide version. */
export function defaultPackageBaseUrl(pyodideVersion: string): string {
  return contract.packageBaseUrl.replace('{version}', pyodideVersion);
}

/** One thing the codemod did (or refused to do) to a cell. */
export interface INote {
  /** 1-based line in the cell, as the user wrote it. */
  line: number;
  /** 0-based column. */
  col: number;
  kind: NoteKind;
  /** A short human sentence. */
  message: string;
  /** The source text before the edit. */
  before: string;
  /** The source text after the edit. */
  after: string;
}
