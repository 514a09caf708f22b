/**
 * The kernel on the main thread: a thin adapter between JupyterLite's kernel
 * protocol and the runtime in a module Worker.
 *
 * Every request is forwarded to the runtime in one comlink call; everything
 * the runtime produces comes back as a {@link StampedEvent} and is published
 * by one exhaustive `switch`. No Python runs, and no Python source is built,
 * on this side.
 *
 * Works on a page that is not cross-origin isolated (GitHub Pages): nothing
 * here needs SharedArrayBuffer. `input()` is answered by message, because the
 * codemod turned it into an `await` inside the worker. Interrupt also writes
 * into the runtime's shared interrupt buffer when the page is isolated, which
 * stops even a cell that never awaits; elsewhere it reaches the cell at its
 * next `await`.
 */
import type { Remote } from 'comlink';
import { proxy, releaseProxy, wrap } from 'comlink';

import { KernelMessage } from '@jupyterlab/services';
import type { IKernel } from '@jupyterlite/services';
import { BaseKernel } from '@jupyterlite/services';
import { PromiseDelegate } from '@lumino/coreutils';

import { KERNEL_DISPLAY_NAME, requestInterrupt } from '../protocol';
import type { BootStepHandler, IRuntime, RuntimeOptions, StampedEvent } from '../protocol';

/** What the kernel needs from a Worker (a real one, or a test double). */
export type WorkerLike = Pick<Worker, 'postMessage' | 'addEventListener' | 'removeEventListener' | 'terminate'>;

export { KERNEL_DISPLAY_NAME };

/**
 * A Python kernel whose runtime (Pyodide, IPython and the codemod) lives in a
 * module Worker.
 */
export class SyncKernel extends BaseKernel implements IKernel {
  /**
   * Start the worker and the runtime in it. The kernel takes messages at once
   * (its `ready`, which JupyterLite's client awaits before each message, is
   * settled from the start); {@link started} settles when the runtime has.
   */
  constructor(options: SyncKernel.IOptions) {
    super(options);
    this._send = options.sendMessage;
    this._onBootStep = options.onBootStep;
    this._worker = options.createWorker();
    this._worker.addEventListener('error', this._onWorkerError);
    this._worker.addEventListener('messageerror', this._onWorkerError);
    this._runtime = wrap<IRuntime>(this._worker);
    // Both are awaited by whoever needs them; a rejection nobody awaits (a kernel
    // shut down while starting) must not surface as an unhandled rejection.
    this._started.promise.catch(() => undefined);
    this._workerStopped.promise.catch(() => undefined);
    void this._start(options.runtime);
  }

  /**
   * Settles when the runtime has started; rejects with an `Error` naming the
   * start-up step that failed (or saying the worker script did not load).
   * Until then the front end is told the kernel is `starting`, and requests
   * wait: a cell sent meanwhile runs as soon as the runtime has started.
   */
  get started(): Promise<void> {
    return this._started.promise;
  }

  /** The start-up step in progress (`load Pyodide`, ...); `undefined` once the start is over. */
  get bootStep(): string | undefined {
    return this._bootStep;
  }

  /** Stop the worker. Pending requests are abandoned; `started` rejects if still pending. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._settleStarted(new Error(`${KERNEL_DISPLAY_NAME}: kernel ${this.id} was shut down`));
    this._workerStopped.reject(new Error('the kernel was shut down'));
    this._worker.removeEventListener('error', this._onWorkerError);
    this._worker.removeEventListener('messageerror', this._onWorkerError);
    this._runtime[releaseProxy]();
    this._worker.terminate();
    super.dispose();
  }

  /**
   * Take a message from a client; returns before it is handled.
   *
   * JupyterLite's kernel client lets one message in at a time, through a lock
   * held until this returns. Holding it for a whole cell would keep a click or
   * a slider's new value waiting until the cell ends (as ipykernel does on
   * desktop). Cells wait with `await` here, so the runtime can run a widget's
   * callback at the cell's next `await`: this kernel orders messages itself.
   * `execute_request`s run one after another, in arrival order; every other
   * request is handed to the runtime at once, which handles it between the
   * running cell's steps. (So the client's lock never has a waiter its
   * cancel-on-error could drop.) Adds what `BaseKernel.handleMessage` leaves
   * out: `comm_info_request`, and an `input_reply` delivered straight to the
   * waiting cell.
   */
  async handleMessage(msg: KernelMessage.IMessage): Promise<void> {
    switch (msg.header.msg_type) {
      case 'execute_request':
        this._queueExecute(msg as KernelMessage.IExecuteRequestMsg);
        return;
      case 'input_reply':
        this._forwardInputReply(msg as KernelMessage.IInputReplyMsg);
        return;
      default:
        void this._handleNow(msg);
    }
  }

  /**
   * Handle a request other than `execute_request`, with the usual busy, reply,
   * idle. The front end needs that idle (a completer's request is done only
   * with it; a widget sends its next update only after it), and it would show
   * the kernel idle while a cell still runs: so the cell's busy follows.
   * While the runtime starts, requests wait for it, in arrival order; the
   * `kernel_info_request` a front end sends when it connects is told
   * `starting` at once (any idle would show the kernel ready, even for a
   * moment), and is answered when the start is over, either way.
   */
  private async _handleNow(msg: KernelMessage.IMessage): Promise<void> {
    if (!this._startSettled) {
      if (msg.header.msg_type === 'kernel_info_request') {
        this._publishStatus('starting', msg);
      }
      await this._startSettledPromise;
      if (this.isDisposed) {
        return;
      }
    }
    try {
      if (msg.header.msg_type === 'comm_info_request') {
        await this._replyToCommInfo(msg as KernelMessage.ICommInfoRequestMsg);
      } else {
        await super.handleMessage(msg);
      }
    } catch (error) {
      console.error(`${KERNEL_DISPLAY_NAME}: could not handle ${msg.header.msg_type}:`, error);
    }
    if (this.isDisposed) {
      return;
    }
    const running = this._runningCell;
    if (running) {
      this._publishStatus('busy', running);
    }
  }

  /** Run `msg` after the cells before it (see {@link handleMessage}). */
  private _queueExecute(msg: KernelMessage.IExecuteRequestMsg): void {
    const position = ++this._cellsQueued;
    this._cells = this._cells.then(() => this._runQueued(msg, position));
  }

  /**
   * Run one queued cell, unless a cell before it failed: then, as ipykernel
   * does with `stop_on_error`, the cells queued behind the failure are
   * aborted (their prompts are cleared) instead of run.
   */
  private async _runQueued(msg: KernelMessage.IExecuteRequestMsg, position: number): Promise<void> {
    await this._startSettledPromise;
    if (this.isDisposed) {
      return;
    }
    if (position <= this._abortThrough) {
      this._replyAborted(msg);
      return;
    }
    this._runningCell = msg;
    this._lastExecuteStatus = undefined;
    try {
      await super.handleMessage(msg);
    } catch (error) {
      console.error(`${KERNEL_DISPLAY_NAME}: could not run a cell:`, error);
      this._lastExecuteStatus = 'error';
    } finally {
      this._runningCell = undefined;
    }
    if (this._lastExecuteStatus !== 'ok' && msg.content.stop_on_error !== false) {
      this._abortThrough = this._cellsQueued;
    }
  }

  /** An `execute_reply` saying the cell was not run, with its busy and idle. */
  private _replyAborted(msg: KernelMessage.IExecuteRequestMsg): void {
    this._publishStatus('busy', msg);
    this._send(
      KernelMessage.createMessage<KernelMessage.IExecuteReplyMsg>({
        msgType: 'execute_reply',
        channel: 'shell',
        session: msg.header.session,
        parentHeader: msg.header,
        content: { status: 'aborted', execution_count: null },
      }),
    );
    this._publishStatus('idle', msg);
  }

  /**
   * Stop the running cell; it ends with `KeyboardInterrupt`, at the user's
   * line, wherever it is. A comlink message cannot reach a worker busy in a
   * loop, so on a cross-origin isolated page the signal goes through the shared
   * interrupt buffer; on other pages the page counts the Stop, and the worker
   * asks for that count while Python computes (through JupyterLite's service
   * worker: `RuntimeOptions.stopRequests`). Without either (a hard reload
   * bypasses the service worker) the cell stops at its next `await`, as the
   * console says once. While the runtime starts, the cells sent meanwhile are
   * aborted instead of run.
   */
  async interrupt(): Promise<void> {
    if (!this._startSettled) {
      this._abortThrough = this._cellsQueued;
      return;
    }
    if (this._interruptBuffer) {
      requestInterrupt(this._interruptBuffer);
    } else {
      this._stopsRequested += 1;
      if (!this._stopRequests && !this._saidInterruptWaits) {
        this._saidInterruptWaits = true;
        console.warn(
          `${KERNEL_DISPLAY_NAME}: this page is not cross-origin isolated and its service worker is not active, ` +
            'so Stop reaches a running cell only at its next await (a loop that never awaits runs to its end).',
        );
      }
    }
    const stops = this._stopsRequested;
    await this._call(() => this._runtime.interrupt(stops));
  }

  /** How many times Stop was pressed (the answer to the worker's stop requests). */
  get stopsRequested(): number {
    return this._stopsRequested;
  }

  /** Static facts about the kernel; needs no round trip to the worker. */
  async kernelInfoRequest(): Promise<KernelMessage.IInfoReplyMsg['content']> {
    return {
      status: 'ok',
      protocol_version: '5.3',
      implementation: 'jupyterlite-sync-kernel',
      implementation_version: '0.1.0',
      language_info: {
        name: 'python',
        version: '3.14',
        mimetype: 'text/x-python',
        codemirror_mode: { name: 'ipython', version: 3 },
        pygments_lexer: 'ipython3',
        nbconvert_exporter: 'python',
        file_extension: '.py',
      },
      banner:
        `${KERNEL_DISPLAY_NAME}: runs synchronous notebooks in the browser; ` +
        'blocking calls are rewritten to awaits (see the notes under each cell, or %%transform).',
      help_links: [{ text: 'Pyodide', url: 'https://pyodide.org' }],
    };
  }

  /** Run a cell in the runtime; its outputs arrive as events while it runs. */
  async executeRequest(
    content: KernelMessage.IExecuteRequestMsg['content'],
  ): Promise<KernelMessage.IExecuteReplyMsg['content']> {
    const parent = this._requestHeader();
    try {
      const reply = await this._call<Reply<'execute'>>(() => this._runtime.execute(content, parent));
      this._lastExecuteStatus = reply.status;
      // BaseKernel numbers the cell (execute_input); keep the reply consistent with it.
      return { ...reply, execution_count: this.executionCount };
    } catch (error) {
      const failure = errorContent(error, 'the kernel could not run the cell');
      if (!this.isDisposed) {
        // Shown in the cell; a kernel that was shut down or restarted says nothing more.
        this.publishExecuteError(
          { ename: failure.ename, evalue: failure.evalue, traceback: failure.traceback },
          parent,
        );
      }
      return { ...failure, execution_count: this.executionCount };
    }
  }

  /** Completions from IPython in the runtime. */
  async completeRequest(
    content: KernelMessage.ICompleteRequestMsg['content'],
  ): Promise<KernelMessage.ICompleteReplyMsg['content']> {
    const parent = this._requestHeader();
    return this._callOrError<Reply<'complete'>>(() => this._runtime.complete(content, parent), 'completion failed');
  }

  /** Help for the name at the cursor (Shift+Tab), from IPython in the runtime. */
  async inspectRequest(
    content: KernelMessage.IInspectRequestMsg['content'],
  ): Promise<KernelMessage.IInspectReplyMsg['content']> {
    const parent = this._requestHeader();
    return this._callOrError<Reply<'inspect'>>(() => this._runtime.inspect(content, parent), 'inspection failed');
  }

  /** Whether console input is a complete statement, from IPython in the runtime. */
  async isCompleteRequest(
    content: KernelMessage.IIsCompleteRequestMsg['content'],
  ): Promise<KernelMessage.IIsCompleteReplyMsg['content']> {
    const parent = this._requestHeader();
    try {
      return await this._call<Reply<'isComplete'>>(() => this._runtime.isComplete(content, parent));
    } catch {
      // The reply has no error form; "unknown" lets the console fall back to its own rule.
      return { status: 'unknown' };
    }
  }

  /** The comms open in the runtime (see {@link handleMessage}, which routes the request here). */
  async commInfoRequest(
    content: KernelMessage.ICommInfoRequestMsg['content'],
  ): Promise<KernelMessage.ICommInfoReplyMsg['content']> {
    const parent = this._requestHeader();
    return this._callOrError<Reply<'commInfo'>>(() => this._runtime.commInfo(content, parent), 'comm_info failed');
  }

  /** Called by `BaseKernel`; {@link handleMessage} routes `input_reply` itself, so unused. */
  inputReply(content: KernelMessage.IInputReplyMsg['content']): void {
    void this._sendInputReply(content, this._requestHeader());
  }

  /** A comm the front end opened (a widget manager's, say), for the runtime's comm targets. */
  async commOpen(msg: KernelMessage.ICommOpenMsg): Promise<void> {
    await this._deliverComm(() => this._runtime.commOpen(msg));
  }

  /** A message to a comm: a widget's new value, a click. Its callbacks run in the runtime. */
  async commMsg(msg: KernelMessage.ICommMsgMsg): Promise<void> {
    await this._deliverComm(() => this._runtime.commMsg(msg));
  }

  /** The front end closed a comm. */
  async commClose(msg: KernelMessage.ICommCloseMsg): Promise<void> {
    await this._deliverComm(() => this._runtime.commClose(msg));
  }

  /**
   * Comm messages have no reply: a failure to deliver one (the runtime died)
   * goes to the console, and the next request reports the dead worker.
   */
  private async _deliverComm(deliver: () => Promise<void>): Promise<void> {
    try {
      await this._call(deliver);
    } catch (error) {
      console.warn(`${KERNEL_DISPLAY_NAME}: a comm message was not delivered: ${errorMessage(error)}`);
    }
  }

  /** Load the runtime in the worker; settle {@link started} with the outcome. */
  private async _start(runtimeOptions: SyncKernel.IOptions['runtime']): Promise<void> {
    const onEvent = proxy((stamped: StampedEvent) => this._publish(stamped));
    const onStep = proxy((step: string) => this._stepBegins(step));
    try {
      const options: RuntimeOptions = { ...(await runtimeOptions), location: this.location };
      this._stopRequests = options.stopRequests !== undefined;
      await this._callWorker(() => this._runtime.initialize(options, onEvent, onStep));
      this._interruptBuffer = await this._callWorker(() => this._runtime.interruptBuffer());
      this._settleStarted();
    } catch (error) {
      const reason = errorMessage(error);
      this._settleStarted(new Error(`${KERNEL_DISPLAY_NAME} could not start: ${reason}`, { cause: reason }));
    }
  }

  private _stepBegins(step: string): void {
    if (this._startSettled || this.isDisposed) {
      return;
    }
    this._bootStep = step;
    try {
      this._onBootStep?.(step);
    } catch (error) {
      console.error(`${KERNEL_DISPLAY_NAME}: the boot step listener failed:`, error);
    }
  }

  /** Publish one event from the runtime as the Jupyter message it names. */
  private _publish({ event, parentHeader }: StampedEvent): void {
    if (this.isDisposed) {
      return;
    }
    const parent = parentHeader;
    switch (event.msgType) {
      case 'stream':
        this.stream(event.content, parent);
        break;
      case 'display_data':
        this.displayData(event.content, parent);
        break;
      case 'update_display_data':
        this.updateDisplayData(event.content, parent);
        break;
      case 'execute_result':
        this.publishExecuteResult(event.content, parent);
        break;
      case 'error':
        this.publishExecuteError(event.content, parent);
        break;
      case 'clear_output':
        this.clearOutput(event.content, parent);
        break;
      case 'input_request':
        this.inputRequest(event.content, parent);
        break;
      case 'comm_open':
      case 'comm_msg':
      case 'comm_close':
        this.handleComm(event.msgType, event.content, event.metadata, event.buffers, parent);
        break;
      default:
        assertNever(event);
    }
  }

  /** Reply to `comm_info_request` with the usual busy / reply / idle sequence. */
  private async _replyToCommInfo(msg: KernelMessage.ICommInfoRequestMsg): Promise<void> {
    this._publishStatus('busy', msg);
    try {
      const content = await this._callOrError<Reply<'commInfo'>>(
        () => this._runtime.commInfo(msg.content, msg.header),
        'comm_info failed',
      );
      this._send(
        KernelMessage.createMessage<KernelMessage.ICommInfoReplyMsg>({
          msgType: 'comm_info_reply',
          channel: 'shell',
          session: msg.header.session,
          parentHeader: msg.header,
          content,
        }),
      );
    } finally {
      this._publishStatus('idle', msg);
    }
  }

  private _forwardInputReply(msg: KernelMessage.IInputReplyMsg): void {
    void this._sendInputReply(msg.content, msg.header);
  }

  private async _sendInputReply(
    content: KernelMessage.IInputReplyMsg['content'],
    parent: KernelMessage.IHeader,
  ): Promise<void> {
    try {
      await this._call(() => this._runtime.inputReply(content, parent));
    } catch (error) {
      // The waiting cell sees the failure as its own error; this is for the developer.
      console.error(`${KERNEL_DISPLAY_NAME}: could not deliver the input reply:`, error);
    }
  }

  private _publishStatus(state: KernelMessage.Status, parent: KernelMessage.IMessage): void {
    this._send(
      KernelMessage.createMessage<KernelMessage.IStatusMsg>({
        msgType: 'status',
        channel: 'iopub',
        session: parent.header.session,
        parentHeader: parent.header,
        content: { execution_state: state },
      }),
    );
  }

  /** The header of the request being handled (set by `BaseKernel.handleMessage`). */
  private _requestHeader(): KernelMessage.IHeader {
    const parent = this.parent;
    if (!parent) {
      throw new Error(`${KERNEL_DISPLAY_NAME}: a request arrived without a message`);
    }
    return parent.header;
  }

  /**
   * Call the started runtime. Rejects with the reason when it could not start,
   * so every request after a failed start gets an error that says why.
   */
  private async _call<T>(call: () => Promise<T>): Promise<T> {
    await this._started.promise;
    return this._callWorker(call);
  }

  /**
   * Call the worker, failing fast instead of hanging when it has stopped (its
   * script failed to load, or the kernel was shut down).
   */
  private _callWorker<T>(call: () => Promise<T>): Promise<T> {
    return Promise.race([call(), this._workerStopped.promise]);
  }

  /** {@link _call} for requests whose reply has an error form. */
  private async _callOrError<T>(call: () => Promise<T>, what: string): Promise<T | KernelMessage.IReplyErrorContent> {
    try {
      return await this._call(call);
    } catch (error) {
      return errorContent(error, what);
    }
  }

  /**
   * End the start. After a failed one every request gets an error that says
   * why (and Restart tries again).
   */
  private _settleStarted(error?: Error): void {
    if (this._startSettled) {
      return;
    }
    this._startSettled = true;
    this._bootStep = undefined;
    if (error) {
      this._started.reject(error);
    } else {
      this._started.resolve();
    }
  }

  /**
   * An `error` event on the Worker object: before start-up it means the
   * worker's script could not be loaded or evaluated; afterwards it is an
   * exception that escaped the runtime, which keeps running.
   */
  private _onWorkerError = (event: Event): void => {
    // An ErrorEvent carries a message; a script that failed to load gives a bare Event.
    const detail = (event as Partial<ErrorEvent>).message ?? '';
    if (!this._startSettled) {
      const reason = detail || "the kernel's worker script could not be loaded";
      this._workerStopped.reject(new Error(reason));
      return;
    }
    console.error(`${KERNEL_DISPLAY_NAME}: uncaught error in the kernel worker:`, detail || event);
  };

  private readonly _send: IKernel.SendMessage;
  /** The cells queued so far, run one after another (never rejects). */
  private _cells: Promise<void> = Promise.resolve();
  /** How many cells have been queued; each has its position in that order. */
  private _cellsQueued = 0;
  /** Cells queued up to this position when a cell failed are aborted, not run. */
  private _abortThrough = 0;
  /** The cell running now, if any (its busy is restored after other requests). */
  private _runningCell: KernelMessage.IExecuteRequestMsg | undefined;
  /** The status of the last cell's reply, to abort the queue behind a failure. */
  private _lastExecuteStatus: string | undefined;
  private readonly _worker: WorkerLike;
  private readonly _runtime: Remote<IRuntime>;
  /** The runtime's interrupt buffer (shared memory), where the page is cross-origin isolated. */
  private _interruptBuffer: Int32Array | undefined;
  /** Whether the console has been told that Stop waits for an `await` here. */
  private _saidInterruptWaits = false;
  /** Whether the worker asks the page for Stops while it computes (no shared memory). */
  private _stopRequests = false;
  /** Stops pressed so far (counted where there is no shared buffer). */
  private _stopsRequested = 0;
  private readonly _started = new PromiseDelegate<void>();
  private _startSettled = false;
  /** Settles (never rejects) when the start is over, either way. */
  private readonly _startSettledPromise = this._started.promise.then(
    () => undefined,
    () => undefined,
  );
  private _bootStep: string | undefined;
  private readonly _onBootStep: BootStepHandler | undefined;
  /** Rejects when the worker can no longer answer; never resolves. */
  private readonly _workerStopped = new PromiseDelegate<never>();
}

/** Statics for {@link SyncKernel}. */
export namespace SyncKernel {
  export interface IOptions extends IKernel.IOptions {
    /** Create the (module) Worker that runs the runtime; called once. */
    createWorker: () => WorkerLike;
    /**
     * Where the runtime finds its files; `location` is taken from the kernel.
     * May be a promise (the page may still be deciding about its files), so
     * that the kernel exists, and takes cells, at once: JupyterLab drops a
     * cell run before the notebook's session has its kernel.
     */
    runtime: Omit<RuntimeOptions, 'location'> | Promise<Omit<RuntimeOptions, 'location'>>;
    /** Told each start-up step as it begins (to show the kernel starting). */
    onBootStep?: BootStepHandler;
  }
}

/** What a runtime method resolves to (comlink's Remote types blur unions otherwise). */
type Reply<K extends keyof IRuntime> = Awaited<ReturnType<IRuntime[K]>>;

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return typeof error === 'string' ? error : String(error);
}

function errorContent(error: unknown, what: string): KernelMessage.IReplyErrorContent {
  const evalue = `${what}: ${errorMessage(error)}`;
  return {
    status: 'error',
    ename: 'KernelError',
    evalue,
    traceback: [`KernelError: ${evalue}`],
  };
}

function assertNever(event: never): never {
  throw new Error(`unknown runtime event ${JSON.stringify(event)}`);
}
