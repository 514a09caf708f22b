/**
 * The worker runtime: Pyodide, the pinned wheels and the `sync_kernel` shell,
 * behind the {@link IRuntime} contract.
 *
 * The same class runs in a browser module Worker (`worker.ts`) and in a Node
 * `worker_threads` Worker (`node/worker.ts`); each entry point only supplies
 * a {@link RuntimeEnvironment} (how to import Pyodide and read a JSON file).
 * It knows nothing about JupyterLab: requests come in as message contents,
 * and everything the running code produces goes out through one
 * {@link RuntimeEventHandler}, stamped with the header of the request that
 * was running (or ran last, for output of background tasks).
 *
 * Requests and replies cross into Python as JSON text, so no Python source is
 * ever built here and no proxy outlives a call.
 */
import type { KernelMessage } from '@jupyterlab/services';
import type { PyodideAPI, PyodideConfig } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';

import { closure, joinUrl, KERNEL_LOCK_FILE, KERNEL_PACKAGE, LockFile, mergeLockFiles } from './lockfile.js';
import {
  collectFiles,
  decodeSnapshot,
  encodeSnapshot,
  engineStackSwitching,
  restoreFiles,
  Snapshot,
  SNAPSHOT_FORMAT,
  snapshotFile,
  wheelsHash,
} from './snapshot.js';
import { IdleSteps } from './idle-steps.js';
import { lossless } from './shared-signals.js';
import { askPage, installPolledStops, PolledStops } from './stop-requests.js';
import type { RequestSync } from './stop-requests.js';
import { fetchSyncForPython } from './web-requests.js';
import type { FetchSync } from './web-requests.js';
import { defaultPackageBaseUrl, KERNEL_DISPLAY_NAME } from '../protocol.js';
import type {
  BootOrigin,
  BootReport,
  BootStepHandler,
  IRuntime,
  RuntimeEvent,
  RuntimeEventHandler,
  RuntimeOptions,
} from '../protocol.js';

/** The parts of the `pyodide` module the runtime uses. */
export interface PyodideModule {
  loadPyodide(config: PyodideConfig): Promise<PyodideAPI>;
  version: string;
}

/** Pyodide's Emscripten module factory (the default export of `pyodide.asm.mjs`). */
export type CreatePyodideModule = NonNullable<PyodideConfig['createPyodideModule']>;

/** What differs between the browser and Node: how to get Pyodide and read JSON. */
export interface RuntimeEnvironment {
  /** Import the `pyodide` module (`pyodide.mjs`) from the directory or URL `pyodideUrl`. */
  importPyodide(pyodideUrl: string): Promise<PyodideModule>;
  /** Import Pyodide's module factory (`pyodide.asm.mjs`) from the same place (for a snapshot's restore). */
  importPyodideFactory(pyodideUrl: string): Promise<CreatePyodideModule>;
  /** Gunzip, if the environment has something faster than `DecompressionStream` (Node's zlib). */
  gunzip?(gzipped: Uint8Array): Promise<Uint8Array>;
  /** Read and parse the JSON file at a URL (browser) or path (Node). */
  readJson(url: string): Promise<unknown>;
  /** Read a binary file; `undefined` if there is none at that URL or path. */
  readOptionalBytes(url: string): Promise<Uint8Array | undefined>;
  /**
   * A synchronous POST (for stop requests, see `stop-requests.ts`): the response
   * text, or `undefined` on any failure, within about a second.
   */
  requestSync?: RequestSync;
  /** A synchronous fetch, for web requests from cells (see `web-requests.ts`); none: they fail with a clear error. */
  fetchSync?: FetchSync;
  /**
   * Browser only: mount JupyterLite's files at {@link DRIVE_MOUNTPOINT} (see
   * `RuntimeOptions.drive`); `false`, with nothing mounted, if the drive does
   * not answer from this worker.
   */
  mountDrive?(pyodide: PyodideAPI, baseUrl: string, browsingContextId: string): boolean;
}

/** Where JupyterLite's files appear in Pyodide's filesystem (as in JupyterLite's Pyodide kernel). */
export const DRIVE_MOUNTPOINT = '/drive';

/**
 * Where the compiled standard-library modules go in Pyodide's filesystem
 * (`RUNTIME_PATH` in `py/wheels/stdlib_pyc.py`, which compiles them for it).
 */
const STDLIB_PYC_PATH = '/lib/sync-kernel-stdlib.zip';

/** The file name of the compiled standard library for one Pyodide version. */
export function stdlibPycFile(pyodideVersion: string): string {
  return `stdlib-pyc-${pyodideVersion}.zip`;
}

/** `initialize` failed: `step` names the boot step, `cause` says why. */
export class BootError extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`kernel start-up failed at step "${step}": ${describe(cause)}`, { cause });
    this.name = 'BootError';
  }
}

/** A Python callable as seen from here. */
type PyCallable<A extends unknown[], R> = PyProxy & ((...args: A) => R) & { callPromising(...args: A): Promise<R> };

/**
 * The methods of the Python `sync_kernel.kernel.KernelApi` (JSON in, JSON out),
 * each held as one proxy for the kernel's lifetime.
 */
interface PythonKernel {
  /** The reply JSON, or (if the cell awaited) a Python future of it. */
  execute: PyCallable<[string], string | (PyProxy & PromiseLike<string>)>;
  complete: PyCallable<[string], string>;
  inspect: PyCallable<[string], string>;
  is_complete: PyCallable<[string], string>;
  input_reply: PyCallable<[string, boolean], void>;
  interrupt: PyCallable<[], boolean>;
  set_parent: PyCallable<[string], void>;
  /** A comm message (`{content, metadata, buffers}` JSON) and its header (JSON). */
  comm_open: PyCallable<[string, string], void>;
  comm_msg: PyCallable<[string, string], void>;
  comm_close: PyCallable<[string, string], void>;
  comm_info: PyCallable<[string], string>;
  /** Work in the notebook's folder (made if missing). */
  enter_folder: PyCallable<[string], void>;
  /** Complete with jedi too (installed since the kernel started). */
  use_jedi: PyCallable<[], void>;
}

type CommMessage = KernelMessage.ICommOpenMsg | KernelMessage.ICommMsgMsg | KernelMessage.ICommCloseMsg;

/** Binary comm buffers cross into Python as base64 text (`sync_kernel.kernel.comms`). */
function toBase64(buffer: ArrayBuffer | ArrayBufferView): string {
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  let binary = '';
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

/** What the first boot step reads. */
interface BootFiles {
  pyodideModule: PyodideModule;
  /** Pyodide's lock file with ours merged in. */
  lock: LockFile;
  /** Ours alone (`sync-kernel-lock.json`). */
  ourLock: LockFile;
  /**
   * The memory snapshot for this Pyodide, these wheels and this engine, as it
   * downloads (unless `RuntimeOptions.snapshot` is `false`).
   */
  snapshot: Promise<SnapshotDownload> | undefined;
}

/** A snapshot file looked for: its name, the {@link wheelsHash} in it, its bytes if the build has it. */
interface SnapshotDownload {
  name: string;
  hash: string;
  bytes: Uint8Array | undefined;
}

/** The parts of Pyodide's Emscripten module used before a snapshot is restored. */
interface EmscriptenHeap {
  HEAP8: Int8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  jspiSupported?: boolean;
}

/**
 * Grow the wasm memory to at least `size` bytes. Pyodide sizes the memory for a
 * snapshot with a setting its module does not read, so a snapshot larger than
 * the initial 30 MiB fails to restore (pyodide#6254); allocating (and freeing)
 * that much makes the heap grow. The restore then overwrites the whole memory.
 */
function growMemory(module: EmscriptenHeap, size: number): void {
  if (module.HEAP8.length < size) {
    module._free(module._malloc(size));
  }
  if (module.HEAP8.length < size) {
    throw new Error(`could not grow the wasm memory to ${size} bytes`);
  }
}

/**
 * `sys.executable` (and `$_`), the same in every kernel however it booted:
 * Pyodide's default is the host's script path under Node and `./this.program`
 * in a browser, which a snapshot made under Node would carry into the browser.
 */
const SYS_EXECUTABLE = '/usr/bin/python3';

/**
 * The kernel's environment variables that the runtime sets. `LANG` follows the
 * engine's language as Emscripten makes it; a snapshot made elsewhere gets
 * them all again from {@link Runtime.loadFromSnapshot}.
 */
function kernelEnvironment(): Record<string, string> {
  const language = (globalThis.navigator as { language?: string } | undefined)?.language ?? 'C';
  return {
    HOME: '/home/pyodide',
    IPYTHONDIR: '/home/pyodide/.ipython',
    LANG: `${language.replace('-', '_')}.UTF-8`,
  };
}

/** The C library's time-zone globals in Pyodide's Emscripten module (their addresses). */
interface EmscriptenTimeZone {
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  _timezone: number;
  _daylight: number;
  _tzname: number;
  stringToUTF8(text: string, pointer: number, maxBytes: number): void;
}

/**
 * Write this engine's time zone into the C library's globals. Emscripten's
 * `tzset` reads it from JavaScript's `Date` once, at start-up, so a restored
 * snapshot holds the zone of the machine that made it (and `localtime` names
 * zones from it). The same computation as Emscripten's `_tzset_js`.
 */
function writeTimeZone(module: EmscriptenTimeZone): void {
  const year = new Date().getFullYear();
  const winter = new Date(year, 0, 1).getTimezoneOffset();
  const summer = new Date(year, 6, 1).getTimezoneOffset();
  module.HEAP32[module._timezone >>> 2] = Math.max(winter, summer) * 60;
  module.HEAP32[module._daylight >>> 2] = Number(winter !== summer);
  const name = (offset: number): string => {
    const minutes = Math.abs(offset);
    const hhmm = `${Math.floor(minutes / 60)}`.padStart(2, '0') + `${minutes % 60}`.padStart(2, '0');
    return `UTC${offset >= 0 ? '-' : '+'}${hhmm}`;
  };
  const [standard, daylight] = summer < winter ? [name(winter), name(summer)] : [name(summer), name(winter)];
  module.stringToUTF8(standard, module.HEAPU32[module._tzname >>> 2], 17);
  module.stringToUTF8(daylight, module.HEAPU32[(module._tzname >>> 2) + 1], 17);
}

/** Python's interpreter zip that Pyodide writes at every start (not part of a snapshot's files). */
const PYODIDE_STDLIB_ZIP = /^\/lib\/python\d+\.zip$/;

/** Where a snapshot's files are not taken from: devices, and what Pyodide writes itself. */
function notSnapshotted(path: string): boolean {
  return path === '/dev' || path === '/proc' || PYODIDE_STDLIB_ZIP.test(path);
}

/** Mount a host directory (Node only) at `location`, or at the same path if there is none. */
function mountHostDirectory(pyodide: PyodideAPI, hostDirectory: string, location: string | undefined): void {
  const target = location ?? hostDirectory;
  pyodide.FS.mkdirTree(target);
  pyodide.mountNodeFS(target, hostDirectory);
}

/** The request header of the silent cell that warms the kernel up (see {@link Runtime.warmUp}). */
const WARM_UP_HEADER: KernelMessage.IHeader = {
  msg_id: 'sync-kernel-warm-up',
  msg_type: 'execute_request',
  session: 'sync-kernel',
  username: 'sync-kernel',
  date: new Date(0).toISOString(),
  version: '5.3',
};

/** What {@link Runtime.prepare} leaves ready: the interpreter, with the kernel started. */
interface PreparedInterpreter {
  pyodide: PyodideAPI;
  kernel: PythonKernel;
}

/**
 * The options that decide how the interpreter is booted: the same for every
 * kernel of a site (a prepared interpreter is only used for those).
 */
function siteOptions(options: RuntimeOptions): string {
  const { baseUrl, pyodideUrl, wheelsUrl, packageBaseUrl, packageCacheDir, snapshot, transform } = options;
  return JSON.stringify({ baseUrl, pyodideUrl, wheelsUrl, packageBaseUrl, packageCacheDir, snapshot, transform });
}

/** Implements {@link IRuntime}; see the module comment. */
export class Runtime implements IRuntime {
  private pyodide: PyodideAPI | undefined;
  private kernel: PythonKernel | undefined;
  /** Whether this engine has WebAssembly stack switching (JSPI). */
  private jspi = false;
  /** Pyodide's interrupt buffer, shared with the main thread; `undefined` without SharedArrayBuffer. */
  private signals: Int32Array | undefined;
  /** Without shared memory: the page asked whether Stop was pressed (see `stop-requests.ts`). */
  private polledStops: PolledStops | undefined;
  private onEvent: RuntimeEventHandler = () => undefined;
  /** Hears each start-up step as it begins (see {@link IRuntime.initialize}). */
  private onStep: BootStepHandler = () => undefined;
  /** The start-up step running now, if any. */
  private stepInProgress: string | undefined;
  /** While the kernel warms up, nothing it might say reaches the page. */
  private muted = false;
  /** The cell being executed: the parent of events this side produces (package loading). */
  private parent: KernelMessage.IHeader | undefined;
  /** What loads while the kernel is idle (jedi, see `RuntimeOptions.jedi`). */
  private background: IdleSteps | undefined;
  private lastHeaderJson = '';
  private lastHeader: KernelMessage.IHeader | undefined;
  /** Deliveries of events not yet acknowledged by the main thread (see {@link publish}). */
  private readonly undelivered = new Set<Promise<unknown>>();
  /** How long each boot step took, in milliseconds (for the benchmark and diagnostics). */
  readonly bootTimes: Record<string, number> = {};
  /** Whether `initialize` started from the memory snapshot, and if not why. */
  private bootOrigin: BootOrigin = { snapshot: false, reason: 'not started' };
  /** The interpreter being (or already) prepared, and for which site options. */
  private preparing: { site: string; interpreter: Promise<PreparedInterpreter> } | undefined;

  constructor(private readonly env: RuntimeEnvironment) {}

  async prepare(options: RuntimeOptions): Promise<void> {
    await this.prepared(options);
  }

  async initialize(options: RuntimeOptions, onEvent: RuntimeEventHandler, onStep?: BootStepHandler): Promise<void> {
    this.onEvent = onEvent;
    this.onStep = onStep ?? this.onStep;
    if (this.stepInProgress) {
      // Prepared in advance and not done yet: say where it is.
      this.tellStep(this.stepInProgress);
    }
    const { pyodide, kernel } = await this.prepared(options);
    this.installStops(pyodide, options);
    let location = options.location;
    if (options.hostDirectory) {
      const { hostDirectory } = options;
      await this.step('mount notebook folder', async () => mountHostDirectory(pyodide, hostDirectory, location));
    }
    const { drive } = options;
    const { mountDrive } = this.env;
    if (drive && mountDrive) {
      const mounted = await this.step('mount files', async () =>
        mountDrive(pyodide, options.baseUrl, drive.browsingContextId),
      );
      if (mounted) {
        location = `${DRIVE_MOUNTPOINT}/${(location ?? '').replace(/^\/+/, '')}`;
      } else {
        console.warn(`JupyterLite's files are not available to the kernel: its service worker did not answer.`);
      }
    }
    if (location) {
      const folder = location;
      await this.step('enter notebook folder', async () => kernel.enter_folder(folder));
    }
    if (options.jedi) {
      // Started by the first completion request (see complete()), not at start: switching jedi on
      // runs Python for seconds, which would delay the first cell of everyone who never presses Tab.
      this.background = new IdleSteps([() => this.loadPackages(['jedi']), () => kernel.use_jedi()], (error) =>
        console.warn(`sync-kernel: completes without jedi, which did not load: ${describe(error)}`),
      );
    }
  }

  /**
   * The interpreter with the kernel started (in no folder yet), booted (or restored) once for the
   * site options of the first call; a later call with other ones rejects.
   */
  private prepared(options: RuntimeOptions): Promise<PreparedInterpreter> {
    const site = siteOptions(options);
    if (!this.preparing) {
      this.preparing = { site, interpreter: this.prepareInterpreter(options) };
    } else if (this.preparing.site !== site) {
      return Promise.reject(
        new BootError('prepare', new Error(`prepared for other site options (${this.preparing.site}), not ${site}`)),
      );
    }
    return this.preparing.interpreter;
  }

  private async prepareInterpreter(options: RuntimeOptions): Promise<PreparedInterpreter> {
    const files = await this.step('read lock files', () => this.readLockFiles(options));
    const pyodide = (await this.restoreSnapshot(options, files)) ?? (await this.bootFromWheels(options, files));
    const module = await this.step('import shell', async () => pyodide.pyimport('sync_kernel.kernel') as PyProxy);
    // Started here, before the kernel's own steps: its set-up is the first Python code to run
    // after a restore, slow while the engine compiles it, and the same for every kernel.
    const kernel = await this.step('start kernel', async () => this.startKernel(module, options));
    await this.step('warm up', () => this.warmUp());
    return { pyodide, kernel };
  }

  /**
   * Run one silent cell that leaves no trace (no output, no history, no
   * number), so that the code every cell goes through (IPython's, the
   * codemod's) is compiled by the engine before a person's first cell: after
   * a restore that first run is otherwise a good part of a second.
   */
  private async warmUp(): Promise<void> {
    const content = { code: 'None', silent: true, store_history: false, user_expressions: {}, allow_stdin: false };
    this.muted = true;
    try {
      await this.execute({ ...content, stop_on_error: false }, WARM_UP_HEADER);
    } finally {
      this.muted = false;
      this.parent = undefined;
    }
  }

  async execute(
    content: KernelMessage.IExecuteRequestMsg['content'],
    parent: KernelMessage.IHeader,
  ): Promise<KernelMessage.IExecuteReplyMsg['content']> {
    this.background?.busy();
    try {
      return await this.executeCell(content, parent);
    } finally {
      this.background?.idle();
    }
  }

  private async executeCell(
    content: KernelMessage.IExecuteRequestMsg['content'],
    parent: KernelMessage.IHeader,
  ): Promise<KernelMessage.IExecuteReplyMsg['content']> {
    this.parent = parent;
    await this.loadImportedPackages(content.code);
    this.python().set_parent(JSON.stringify(parent));
    this.polledStops?.running();
    const execute = this.python().execute;
    const request = JSON.stringify(content);
    let reply: string;
    try {
      // With JSPI the cell is entered through an async entry point, so Pyodide's
      // stack switching (run_sync, its time.sleep) works inside it.
      const started = this.jspi ? await execute.callPromising(request) : execute(request);
      if (typeof started === 'string') {
        reply = started;
      } else {
        try {
          reply = await started;
        } finally {
          started.destroy();
        }
      }
    } catch (error) {
      // Python errors in cells come back as error replies; anything else
      // (os._exit, a fatal Pyodide error) means the interpreter is gone.
      throw error instanceof Error && error.name === 'PythonError'
        ? error
        : new Error(`the kernel died: ${describe(error)}`);
    }
    await this.delivered();
    return JSON.parse(reply);
  }

  async complete(
    content: KernelMessage.ICompleteRequestMsg['content'],
    _parent: KernelMessage.IHeader,
  ): Promise<KernelMessage.ICompleteReplyMsg['content']> {
    const reply = JSON.parse(this.python().complete(JSON.stringify(content)));
    this.background?.soon(); // someone completes: load jedi (this reply came from IPython's own matchers)
    return reply;
  }

  async inspect(
    content: KernelMessage.IInspectRequestMsg['content'],
    _parent: KernelMessage.IHeader,
  ): Promise<KernelMessage.IInspectReplyMsg['content']> {
    return JSON.parse(this.python().inspect(JSON.stringify(content)));
  }

  async isComplete(
    content: KernelMessage.IIsCompleteRequestMsg['content'],
    _parent: KernelMessage.IHeader,
  ): Promise<KernelMessage.IIsCompleteReplyMsg['content']> {
    return JSON.parse(this.python().is_complete(JSON.stringify(content)));
  }

  async commInfo(
    content: KernelMessage.ICommInfoRequestMsg['content'],
    _parent: KernelMessage.IHeader,
  ): Promise<KernelMessage.ICommInfoReplyMsg['content']> {
    return JSON.parse(this.python().comm_info(JSON.stringify(content)));
  }

  async commOpen(msg: KernelMessage.ICommOpenMsg): Promise<void> {
    await this.deliverComm(this.python().comm_open, msg);
  }

  async commMsg(msg: KernelMessage.ICommMsgMsg): Promise<void> {
    await this.deliverComm(this.python().comm_msg, msg);
  }

  async commClose(msg: KernelMessage.ICommCloseMsg): Promise<void> {
    await this.deliverComm(this.python().comm_close, msg);
  }

  /**
   * Hand a comm message to Python, whose callbacks (widget observers) run
   * now; what they output belongs to this message. Entered like a cell, so
   * Pyodide's stack switching works in callbacks where the engine has JSPI.
   */
  private async deliverComm(handle: PyCallable<[string, string], void>, msg: CommMessage): Promise<void> {
    const message = JSON.stringify({
      content: msg.content,
      metadata: msg.metadata,
      buffers: (msg.buffers ?? []).map(toBase64),
    });
    const header = JSON.stringify(msg.header);
    this.polledStops?.running();
    if (this.jspi) {
      await handle.callPromising(message, header);
    } else {
      handle(message, header);
    }
    // Events travel on their own channel: the kernel must see them all before this
    // call returns and it reports idle (which ends the front end's hooks on the message).
    await this.delivered();
  }

  async inputReply(content: KernelMessage.IInputReplyMsg['content'], _parent: KernelMessage.IHeader): Promise<void> {
    if (content.status === 'ok') {
      this.python().input_reply(content.value, false);
    } else {
      this.python().input_reply('', true);
    }
  }

  async interruptBuffer(): Promise<Int32Array | undefined> {
    return this.signals;
  }

  async interrupt(stops?: number): Promise<void> {
    if (stops !== undefined) {
      this.polledStops?.delivered(stops);
    }
    if (this.signals) {
      // Python has not run since the signal was written (the cell waits at an
      // await): cancel the cell instead, and leave nothing for a later one.
      Atomics.store(this.signals, 0, 0);
    }
    this.python().interrupt();
  }

  async bootReport(): Promise<BootReport> {
    return { origin: this.bootOrigin, times: { ...this.bootTimes } };
  }

  /**
   * Import Pyodide's module and read both lock files (ours merged over
   * Pyodide's); start downloading the memory snapshot that fits them.
   */
  private async readLockFiles(options: RuntimeOptions): Promise<BootFiles> {
    const imported = this.env.importPyodide(options.pyodideUrl);
    const ours = this.env.readJson(joinUrl(options.wheelsUrl, KERNEL_LOCK_FILE)) as Promise<LockFile>;
    const snapshot =
      options.snapshot === false
        ? undefined
        : Promise.all([imported, ours]).then(async ([module, lock]): Promise<SnapshotDownload> => {
            const hash = await wheelsHash(lock);
            const name = snapshotFile(module.version, hash, engineStackSwitching());
            return { name, hash, bytes: await this.env.readOptionalBytes(joinUrl(options.wheelsUrl, name)) };
          });
    // Awaited later (or never): a failed download must not be an unhandled rejection meanwhile.
    snapshot?.catch(() => undefined);
    const [pyodideModule, pyodideLock, ourLock] = await Promise.all([
      imported,
      this.env.readJson(joinUrl(options.pyodideUrl, 'pyodide-lock.json')) as Promise<LockFile>,
      ours,
    ]);
    return { pyodideModule, lock: mergeLockFiles(pyodideLock, ourLock, options.wheelsUrl), ourLock, snapshot };
  }

  /**
   * Today's boot: load Pyodide, install the wheels, add the compiled standard
   * library; then `initialize` imports the shell. `config` adds to Pyodide's
   * configuration (`_makeSnapshot` when {@link makeSnapshot} boots).
   */
  private async bootFromWheels(
    options: RuntimeOptions,
    files: BootFiles,
    config: Partial<PyodideConfig> = {},
  ): Promise<PyodideAPI> {
    const version = files.pyodideModule.version;
    // Optional: only a zip built for this very Pyodide is used (see STDLIB_PYC_PATH).
    const stdlibPyc = this.env
      .readOptionalBytes(joinUrl(options.wheelsUrl, stdlibPycFile(version)))
      .catch(() => undefined);
    const pyodide = await this.step('load Pyodide', () =>
      this.loadPyodide(options, files, { packages: [KERNEL_PACKAGE], ...config }),
    );
    await this.step('install wheels', () => this.installKernelPackages(pyodide, files.lock));
    await this.step('add compiled standard library', () => this.addCompiledStdlib(pyodide, stdlibPyc));
    return pyodide;
  }

  /**
   * Boot from the memory snapshot, if there is one that fits; `undefined` (and
   * one console line saying why) if there is none, it does not fit or anything
   * in its restore fails: then `initialize` boots from the wheels. Never throws.
   */
  private async restoreSnapshot(options: RuntimeOptions, files: BootFiles): Promise<PyodideAPI | undefined> {
    if (!files.snapshot) {
      this.bootOrigin = { snapshot: false, reason: 'the snapshot is turned off' };
      return undefined;
    }
    const download = files.snapshot;
    let name = 'the snapshot';
    try {
      const found = await this.step('read snapshot', () => download);
      name = found.name;
      if (!found.bytes) {
        this.bootOrigin = { snapshot: false, reason: `${name} is not in the build` };
        console.info(`Starting the kernel without a memory snapshot: ${name} is not in the build.`);
        return undefined;
      }
      const { bytes, hash } = found;
      const pyodide = await this.step('restore snapshot', () => this.loadFromSnapshot(options, files, bytes, hash));
      this.bootOrigin = { snapshot: true };
      return pyodide;
    } catch (error) {
      const cause = error instanceof BootError ? error.cause : error;
      const where = error instanceof BootError ? `step "${error.step}": ` : '';
      const reason = `${name} did not restore (${where}${firstLine(cause)})`;
      this.bootOrigin = { snapshot: false, reason };
      console.warn(`Starting the kernel without a memory snapshot: ${reason}.`);
      return undefined;
    }
  }

  /**
   * Load Pyodide from a snapshot file: check that it was made for this
   * Pyodide, these wheels and this engine's stack switching, restore its memory and its
   * files, then let Python redo what depends on where it runs (environment
   * variables, time zone) and undo what Pyodide's start-up repeated.
   */
  private async loadFromSnapshot(
    options: RuntimeOptions,
    files: BootFiles,
    bytes: Uint8Array,
    hash: string,
  ): Promise<PyodideAPI> {
    const [snapshot, createModule] = await Promise.all([
      decodeSnapshot(bytes, this.env.gunzip?.bind(this.env)),
      this.env.importPyodideFactory(options.pyodideUrl),
    ]);
    const { header } = snapshot;
    const stackSwitching = engineStackSwitching();
    const { version } = files.pyodideModule;
    if (header.pyodideVersion !== version || header.stackSwitching !== stackSwitching) {
      throw new Error(
        `made for Pyodide ${header.pyodideVersion} with stack switching "${header.stackSwitching}", ` +
          `this is Pyodide ${version} with "${stackSwitching}"`,
      );
    }
    if (header.wheelsHash !== hash) {
      throw new Error(`made for other wheels (${header.wheelsHash}, these are ${hash})`);
    }
    const pyodide = await this.loadPyodide(options, files, {
      _loadSnapshot: snapshot.memory,
      createPyodideModule: async (settings) => {
        const module = await createModule(settings);
        growMemory(module as unknown as EmscriptenHeap, snapshot.memory.length);
        return module;
      },
      fsInit: async (FS) => restoreFiles(FS, snapshot),
    });
    // Pyodide's snapshot wanted `loadedPackages` empty; the wheels are installed.
    Object.assign(pyodide.loadedPackages, header.loadedPackages);
    writeTimeZone((pyodide as unknown as { _module: EmscriptenTimeZone })._module);
    // Imported with the snapshot: this only looks it up in sys.modules.
    const module = pyodide.pyimport('sync_kernel.kernel') as PyProxy & { restored: PyCallable<[string], void> };
    const restored = module.restored;
    try {
      restored(JSON.stringify(kernelEnvironment()));
    } finally {
      restored.destroy();
      module.destroy();
    }
    return pyodide;
  }

  /**
   * Build time (`npm run build:snapshot`): boot as {@link initialize} does up to
   * the import of the shell, in a Pyodide that can be snapshotted, before
   * anything of a session exists (no kernel, so no JavaScript object held by
   * Python), and return the snapshot file (not gzipped) and its name.
   */
  async makeSnapshot(
    options: RuntimeOptions,
  ): Promise<{ name: string; bytes: Uint8Array; header: Snapshot['header'] }> {
    const files = await this.step('read lock files', () => this.readLockFiles({ ...options, snapshot: false }));
    const pyodide = await this.bootFromWheels(options, files, { _makeSnapshot: true });
    await this.step('import shell', async () => (pyodide.pyimport('sync_kernel.kernel') as PyProxy).destroy());
    await this.step('prepare snapshot', async () => {
      // A session's first traceback costs up to a second: take it now, into the snapshot.
      const snapshot = pyodide.pyimport('sync_kernel.kernel.snapshot') as PyProxy & { prepare: PyCallable<[], void> };
      const prepare = snapshot.prepare;
      prepare();
      prepare.destroy();
      snapshot.destroy();
    });
    return this.step('make snapshot', async () => {
      const hash = await wheelsHash(files.ourLock);
      const stackSwitching = engineStackSwitching();
      const { version } = files.pyodideModule;
      // Pyodide's snapshot refuses a non-empty `loadedPackages`; the restore puts it back.
      const loadedPackages = { ...(pyodide.loadedPackages as Record<string, string>) };
      for (const key of Object.keys(loadedPackages)) {
        delete (pyodide.loadedPackages as Record<string, string>)[key];
      }
      const { entries, contents } = collectFiles(pyodide.FS, notSnapshotted);
      const memory = (pyodide as unknown as { makeMemorySnapshot(): Uint8Array }).makeMemorySnapshot();
      const header: Snapshot['header'] = {
        format: SNAPSHOT_FORMAT,
        pyodideVersion: version,
        wheelsHash: hash,
        stackSwitching,
        loadedPackages,
        memoryBytes: memory.length,
        files: entries,
      };
      const bytes = encodeSnapshot({ header, memory, files: contents });
      return { name: snapshotFile(version, hash, stackSwitching), bytes, header };
    });
  }

  /**
   * Boot Pyodide with `config` added to the kernel's configuration (the
   * packages to load, or a snapshot to restore). Packages download meanwhile
   * (checked by the next step).
   */
  private async loadPyodide(
    options: RuntimeOptions,
    files: BootFiles,
    config: Partial<PyodideConfig>,
  ): Promise<PyodideAPI> {
    const { loadPyodide, version } = files.pyodideModule;
    const pyodide = await loadPyodide({
      indexURL: options.pyodideUrl,
      lockFileContents: files.lock,
      packageBaseUrl: options.packageBaseUrl ?? defaultPackageBaseUrl(version),
      ...(options.packageCacheDir === undefined ? {} : { packageCacheDir: options.packageCacheDir }),
      env: kernelEnvironment(),
      _sysExecutable: SYS_EXECUTABLE,
      ...config,
    });
    // Python's sys.stdout/stderr become the kernel's batched streams; this only
    // catches what bypasses them (C code writing to file descriptors 1 and 2).
    pyodide.setStdout({ batched: (line: string) => this.publishStream('stdout', `${line}\n`) });
    pyodide.setStderr({ batched: (line: string) => this.publishStream('stderr', `${line}\n`) });
    this.pyodide = pyodide;
    // Pyodide exposes whether the engine can switch stacks only on its internal
    // module object; `callPromising` throws where it cannot, so ask first.
    this.jspi = (pyodide as unknown as { _module?: { jspiSupported?: boolean } })._module?.jspiSupported === true;
    return pyodide;
  }

  /** How Stop reaches code that never awaits: a shared buffer, stop requests, or not at all. */
  private installStops(pyodide: PyodideAPI, options: RuntimeOptions): void {
    this.signals = options.sharedMemory === false ? undefined : sharedInterruptBuffer();
    if (this.signals) {
      pyodide.setInterruptBuffer(lossless(this.signals) as unknown as Int32Array);
    } else if (options.stopRequests && this.env.requestSync) {
      const { requestSync } = this.env; // (under Node, this starts its helper thread now)
      this.polledStops = new PolledStops(askPage(requestSync, options.stopRequests), () =>
        console.warn(
          `${KERNEL_DISPLAY_NAME}: the page did not answer a stop request, so Stop reaches a running cell ` +
            'only at its next await from now on.',
        ),
      );
      installPolledStops(pyodide as unknown as Parameters<typeof installPolledStops>[0], this.polledStops);
    }
  }

  /** Put the compiled standard-library modules first on `sys.path`, if this build has them. */
  private async addCompiledStdlib(pyodide: PyodideAPI, stdlibPyc: Promise<Uint8Array | undefined>): Promise<void> {
    const bytes = await stdlibPyc;
    if (bytes) {
      pyodide.FS.writeFile(STDLIB_PYC_PATH, bytes);
      const path = pyodide.pyimport('sys').path as PyProxy & { insert(index: number, entry: string): void };
      path.insert(0, STDLIB_PYC_PATH);
      path.destroy();
    }
  }

  /** Start the Python kernel, wired to publish through {@link publish}. */
  private startKernel(module: PyProxy, options: RuntimeOptions): PythonKernel {
    const emit = (msgType: string, json: string, parentJson: string): void => {
      const parsed = JSON.parse(json);
      // Comm messages come as {content, metadata, buffers}; the rest as their content.
      this.publish(
        (msgType.startsWith('comm_')
          ? { msgType, content: parsed.content, metadata: parsed.metadata, buffers: parsed.buffers.map(fromBase64) }
          : { msgType, content: parsed }) as RuntimeEvent,
        this.parsedHeader(parentJson),
      );
    };
    const start = (module as PyProxy & { start: PyProxy }).start;
    const { fetchSync } = this.env;
    const kernel = start.callKwargs(emit, {
      transform: options.transform ?? true,
      fetch_sync: fetchSync ? fetchSyncForPython(fetchSync) : undefined,
    }) as PyProxy & PythonKernel;
    // `kernel` is kept for good: the method proxies below are borrowed from it.
    this.kernel = {
      execute: kernel.execute,
      complete: kernel.complete,
      inspect: kernel.inspect,
      is_complete: kernel.is_complete,
      input_reply: kernel.input_reply,
      interrupt: kernel.interrupt,
      set_parent: kernel.set_parent,
      comm_open: kernel.comm_open,
      comm_msg: kernel.comm_msg,
      comm_close: kernel.comm_close,
      comm_info: kernel.comm_info,
      enter_folder: kernel.enter_folder,
      use_jedi: kernel.use_jedi,
    };
    start.destroy();
    module.destroy();
    return this.kernel;
  }

  /** Tell the page a step begins; a page that cannot hear it (its tab went away) must not fail the start. */
  private tellStep(name: string): void {
    try {
      Promise.resolve(this.onStep(name)).catch(() => undefined);
    } catch {
      // As above: the start goes on.
    }
  }

  /** Run one named boot step, timing it; a failure becomes a {@link BootError} naming it. */
  private async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    this.stepInProgress = name;
    try {
      this.tellStep(name);
      return await run();
    } catch (error) {
      throw new BootError(name, error);
    } finally {
      this.stepInProgress = undefined;
      this.bootTimes[name] = performance.now() - started;
    }
  }

  /**
   * Make sure the kernel package and everything it needs are installed.
   * `loadPackage` reports failed downloads through `errorCallback` rather than
   * rejecting, so what is installed is checked against the lock file.
   */
  private async installKernelPackages(pyodide: PyodideAPI, lock: LockFile): Promise<void> {
    const wanted = closure(lock, KERNEL_PACKAGE);
    const missing = (): string[] => wanted.filter((name) => !(name in pyodide.loadedPackages));
    if (missing().length === 0) {
      return;
    }
    const errors: string[] = [];
    await pyodide.loadPackage(missing(), {
      messageCallback: () => undefined,
      errorCallback: (message: string) => errors.push(message),
    });
    const still = missing();
    if (still.length > 0) {
      throw new Error(`could not install ${still.join(', ')}${errors.length ? `: ${errors.join('; ')}` : ''}`);
    }
  }

  /** Load Pyodide distribution packages the cell imports (numpy, ...), reporting failures on stderr. */
  /** Load packages of the lock file; rejects with Pyodide's messages if one did not load. */
  private async loadPackages(names: string[]): Promise<void> {
    const errors: string[] = [];
    await (this.pyodide as PyodideAPI).loadPackage(names, {
      messageCallback: () => undefined,
      errorCallback: (message: string) => errors.push(message),
    });
    if (errors.length > 0) {
      throw new Error(errors.join('; '));
    }
  }

  private async loadImportedPackages(code: string): Promise<void> {
    if (!/\bimport\b/.test(code)) {
      return;
    }
    const errors: string[] = [];
    await (this.pyodide as PyodideAPI).loadPackagesFromImports(code, {
      messageCallback: () => undefined,
      errorCallback: (message: string) => errors.push(message),
    });
    if (errors.length > 0) {
      this.publishStream('stderr', `${errors.join('\n')}\n`);
    }
  }

  /**
   * Send one event. Through comlink the handler is a proxy on its own message
   * port, which is not ordered with the port replies travel on, so each
   * delivery is tracked and {@link delivered} waits for them before a reply.
   */
  private publish(event: RuntimeEvent, parentHeader = this.parent): void {
    if (this.muted) {
      return;
    }
    const delivery: unknown = this.onEvent({ event, parentHeader });
    if (delivery instanceof Promise) {
      this.undelivered.add(delivery);
      delivery.then(
        () => this.undelivered.delete(delivery),
        () => this.undelivered.delete(delivery),
      );
    }
  }

  /**
   * The header Python names as an event's parent (the request its code runs
   * for): the cell's, or a comm message's. Parsed once per request.
   */
  private parsedHeader(json: string): KernelMessage.IHeader | undefined {
    if (json !== this.lastHeaderJson) {
      const parsed = JSON.parse(json) as Partial<KernelMessage.IHeader>;
      this.lastHeaderJson = json;
      this.lastHeader = parsed.msg_id === undefined ? undefined : (parsed as KernelMessage.IHeader);
    }
    return this.lastHeader;
  }

  private publishStream(name: 'stdout' | 'stderr', text: string): void {
    this.publish({ msgType: 'stream', content: { name, text } });
  }

  /** Resolves once the main thread has received every event published so far. */
  private async delivered(): Promise<void> {
    while (this.undelivered.size > 0) {
      await Promise.allSettled([...this.undelivered]);
    }
  }

  private python(): PythonKernel {
    if (!this.kernel) {
      throw new Error('the kernel is not running: initialize() did not complete');
    }
    return this.kernel;
  }
}

/**
 * A buffer the main thread can write a signal into while Python runs, if this
 * worker can share memory (always under Node; in a browser only on a
 * cross-origin isolated page, elsewhere `SharedArrayBuffer` is missing).
 */
function sharedInterruptBuffer(): Int32Array | undefined {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (typeof SharedArrayBuffer !== 'function' || isolated === false) {
    return undefined;
  }
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
}

/** The first line of an error's message: Pyodide's own errors put the cause there. */
function firstLine(error: unknown): string {
  if (error instanceof Error && error.name === 'PythonError') {
    return describe(error);
  }
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    return error.message.split('\n').filter(Boolean).slice(-1)[0] ?? error.name;
  }
  return String(error);
}
