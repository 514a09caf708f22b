"""The kernel's request API: what the worker runtime calls, one method per kernel request.

Requests and replies cross the JavaScript boundary as JSON text (the exact
Jupyter message ``content``), so nothing on either side holds proxies of the
other's objects. Everything the running code produces goes out through
``emit(msg_type, content_json, parent_json)`` (see :mod:`sync_kernel.kernel.outputs`).

Each cell runs as its own task on the running loop, started eagerly. :meth:`KernelApi.interrupt`
cancels that task, which raises at the cell's next ``await`` (every rewritten
``time.sleep`` and ``input()`` is one) and is reported as ``KeyboardInterrupt``.
Where the runtime has a shared interrupt buffer, ``SIGINT`` reaches a cell that
never awaits too (:meth:`KernelApi.on_interrupt_signal`, installed by :func:`start`).

Example (host CPython; in Pyodide the runtime calls :func:`start`)::

    >>> import asyncio, json
    >>> sent = []
    >>> async def main():
    ...     kernel = KernelApi(lambda kind, content, parent: sent.append((kind, json.loads(content))))
    ...     reply = kernel.execute(json.dumps({"code": "print(6 * 7)"}))
    ...     return json.loads(reply if isinstance(reply, str) else await reply)
    >>> reply = asyncio.run(main())  # doctest: +SKIP
    >>> reply["status"], sent[0]  # doctest: +SKIP
    ('ok', ('stream', {'name': 'stdout', 'text': '42\\n'}))
"""

from __future__ import annotations

import asyncio
import builtins
import getpass
import json
import os
import random
import signal
import sys
import time
import types
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from .. import threads
from ..codemod import blocking_run
from . import web
from .comms import decode_buffers, install_comms
from .completion import complete_reply, use_jedi
from .inputs import Blocking
from .interrupts import in_cell_code, interruptible_sleep
from .loopguard import current_policy, protect
from .outputs import Emit, Outputs
from .shell import SyncShell

T = TypeVar("T")


class KernelApi:
    """One kernel: a :class:`SyncShell`, its outputs and the task of the running cell.

    ``emit`` is the edge to the runtime; ``blocking`` says how ``input()`` calls
    the codemod could not rewrite may wait; ``transform`` starts with rewriting
    on or off.
    """

    def __init__(self, emit: Emit, *, blocking: Blocking | None = None, transform: bool = True) -> None:
        self.outputs = Outputs(emit, loop_getter=_running_loop)
        # IPython's display() looks for *the* shell (a singleton): make it this one.
        SyncShell.clear_instance()
        self.shell = SyncShell.instance(self.outputs, blocking=blocking, transform=transform)
        #: The running cell's task, from its first step until it is done.
        self._running: asyncio.Task[Any] | None = None
        #: The cell a ``SIGINT`` has already interrupted (see :meth:`interrupt`).
        self._signalled: asyncio.Task[Any] | None = None
        #: The cell a Stop reached: if it ends by it, the threads end too (see :meth:`_reply`).
        self._stopped: asyncio.Task[Any] | None = None
        # A Stop raises KeyboardInterrupt in the waits that stand in for blocking calls (see take_stop).
        self.shell.pipeline.session.support.take_stop = self.take_stop
        self.shell.input_hook.take_stop = self.take_stop
        self.comm_manager = install_comms(self.outputs)
        #: Comm messages from the front end handled so far (``jupyter_ui_poll`` polls until none come).
        self.front_end_messages = 0
        # ipywidgets' Output widget asks the shell's kernel which request it belongs to.
        self.shell.kernel = self  # type: ignore[attr-defined]

    def enter_folder(self, location: str) -> None:
        """Work in ``location`` (the notebook's folder, made if missing), as a kernel started
        there does: also the first entry of IPython's directory history (``_dh``)."""
        os.makedirs(location, exist_ok=True)
        os.chdir(location)
        self.shell.history_manager.dir_hist[:] = [os.getcwd()]  # type: ignore[union-attr]

    # -- the request being handled ----------------------------------------------

    def set_parent(self, header: str) -> None:
        """The header (JSON) of the ``execute_request`` about to run."""
        self.outputs.set_parent(header)

    def get_parent(self) -> dict[str, Any]:
        """The request the running code works for, as ipykernel gives it (``{"header": ...}``):
        the cell, or the comm message whose callback runs (ipywidgets' ``Output`` captures by it)."""
        return {"header": json.loads(self.outputs.parent())}

    # -- requests -------------------------------------------------------------

    def execute(self, request: str) -> str | asyncio.Future[str]:
        """Run an ``execute_request`` (its content as JSON).

        Returns the reply content as JSON — at once if the cell finished
        without waiting (the cell's task starts eagerly, so a cell that never
        awaits costs no trip through the event loop), else a future of it.
        """
        content = json.loads(request)
        shell = self.shell
        shell.interrupt_requested = False
        shell.disarm_interrupt()
        self._signalled = None
        shell.input_hook.allowed = bool(content.get("allow_stdin", True))
        silent = bool(content.get("silent", False))
        store_history = bool(content.get("store_history", not silent))
        loop = asyncio.get_event_loop()
        cell = shell.run_cell_request(str(content.get("code", "")), silent=silent, store_history=store_history)

        async def run_cell() -> Any:
            # Known from the first (eager) step on, so a signal during it finds the cell.
            self._running = asyncio.current_task()
            return await cell

        task = _start_task(loop, run_cell())
        if task.done():
            self._running = None
            return self._reply(task, content)
        reply: asyncio.Future[str] = loop.create_future()

        def finished(task: asyncio.Task[Any]) -> None:
            self._running = None
            reply.set_result(self._reply(task, content))

        task.add_done_callback(finished)
        return reply

    def _reply(self, task: asyncio.Task[Any], content: dict[str, Any]) -> str:
        shell = self.shell
        shell.disarm_interrupt()  # an interrupt that came after the cell's last statement is dropped
        if self._stopped is task:
            self._stopped = None
            if task.cancelled() or (shell.last_error or {}).get("ename") == "KeyboardInterrupt":
                # Stop ended the cell: it ends the threads (tasks) cells started, too. A cell that
                # caught the KeyboardInterrupt leaves them running, as on desktop, to shut them down.
                threads.cancel_all()
        if task.cancelled():
            self.outputs.flush()
            shell.show_interrupted()
            return json.dumps(self._error_reply())
        failure = task.exception()
        if failure is not None:  # a bug in the kernel, not in the cell: show it, stay alive
            shell.showtraceback((type(failure), failure, failure.__traceback__))
            return json.dumps(self._error_reply(), default=str)
        result = task.result()
        if not result.success:
            return json.dumps(self._error_reply(), default=str)
        expressions = content.get("user_expressions") or {}
        reply: dict[str, Any] = {
            "status": "ok",
            "execution_count": self._count(),
            "payload": [],
            "user_expressions": shell.user_expressions(expressions) if expressions else {},
        }
        return json.dumps(reply, default=str)

    def complete(self, request: str) -> str:
        """A ``complete_request``: IPython's completions at ``cursor_pos`` (see :mod:`.completion`)."""
        content = json.loads(request)
        code = str(content.get("code", ""))
        return json.dumps(complete_reply(self.shell, code, int(content.get("cursor_pos", len(code)))))

    def use_jedi(self) -> None:
        """Complete with jedi too: the runtime has just installed it (see :mod:`.completion`)."""
        use_jedi(self.shell)

    def inspect(self, request: str) -> str:
        """An ``inspect_request``: IPython's ``obj?``/``obj??`` for the name at the cursor."""
        from IPython.utils.tokenutil import token_at_cursor

        content = json.loads(request)
        code = str(content.get("code", ""))
        name = token_at_cursor(code, int(content.get("cursor_pos", len(code))))
        reply: dict[str, Any] = {"status": "ok", "data": {}, "metadata": {}, "found": False}
        try:
            bundle = self.shell.object_inspect_mime(name, detail_level=int(content.get("detail_level", 0)))
        except KeyError:
            return json.dumps(reply)
        bundle.pop("text/html", None)
        reply["data"] = bundle
        reply["found"] = True
        return json.dumps(reply, default=str)

    def is_complete(self, request: str) -> str:
        """An ``is_complete_request``: whether ``code`` is a whole cell yet."""
        content = json.loads(request)
        status, indent = self.shell.input_transformer_manager.check_complete(str(content.get("code", "")))
        reply: dict[str, Any] = {"status": status}
        if status == "incomplete":
            reply["indent"] = " " * (indent or 0)
        return json.dumps(reply)

    def comm_open(self, message: str, header: str) -> None:
        """A comm the front end opened: ``{"content", "metadata", "buffers"}`` as JSON, and its header."""
        self._for_comm_message(self.comm_manager.comm_open, message, header)

    def comm_msg(self, message: str, header: str) -> None:
        """A message from the front end to a comm (a widget's new state, a button click).

        It may arrive while a cell waits (at any ``await``): its callbacks run
        now, and what they output belongs to this message, not to the cell.
        """
        self._for_comm_message(self.comm_manager.comm_msg, message, header)

    def comm_close(self, message: str, header: str) -> None:
        """The front end closed a comm."""
        self._for_comm_message(self.comm_manager.comm_close, message, header)

    def comm_info(self, request: str) -> str:
        """A ``comm_info_request``: the open comms, of one target if it names one."""
        target = json.loads(request).get("target_name")
        comms = {
            comm_id: {"target_name": channel.target_name}
            for comm_id, channel in self.comm_manager.comms.items()
            if target is None or channel.target_name == target
        }
        return json.dumps({"status": "ok", "comms": comms})

    def _for_comm_message(self, handle: Callable[..., None], message: str, header: str) -> None:
        self.front_end_messages += 1
        parsed = json.loads(message)
        msg = {
            "header": json.loads(header),
            "content": parsed["content"],
            "metadata": parsed.get("metadata", {}),
            "buffers": decode_buffers(parsed.get("buffers", [])),
        }
        self.outputs.run_for(header, handle, None, None, msg)

    def input_reply(self, value: str, eof: bool = False) -> None:
        """Answer the pending ``input()``: with ``value``, or with end of input (``EOFError``)."""
        if eof:
            self.shell.input_hook.reply_eof()
        else:
            self.shell.input_hook.reply(value)

    def interrupt(self) -> bool:
        """Cancel the running cell at its next ``await``; ``False`` if no cell is running.

        The front end writes ``SIGINT`` into the interrupt buffer (if there is one)
        and then asks for this; if the signal got to the cell first
        (:meth:`on_interrupt_signal`), that was the interrupt, and this does nothing.
        """
        task = self._running
        if task is None or task.done():
            return False
        if self._signalled is task:
            self._signalled = None
            if not blocking_run.waits_through_run_sync(task):
                return False
            # The signal was handled, yet the cell now waits through run_sync (JSPI), where only this reaches it.
        self._cancel(task)
        return True

    def on_interrupt_signal(self, signum: int, frame: types.FrameType | None) -> None:
        """The ``SIGINT`` handler: stop the running cell wherever Python is.

        In the cell's own code (or what it called) this raises ``KeyboardInterrupt``
        there, as on desktop Python, so a loop that never awaits stops at the
        user's line; anywhere else (the loop's plumbing, a background task) it
        cancels the cell at its next ``await``, and ends a thread (a task, see
        :mod:`sync_kernel.threads`) that was computing. With no cell running, it
        ends such a thread (it outlived its cell), or else it is late and dropped.
        """
        task = self._running
        if task is None or task.done():
            if threads.in_thread():
                threads.cancel_all()
                raise KeyboardInterrupt
            return
        self._signalled = task
        # The cell's task may have stepped out for a private `asyncio.run` it called: its code still runs.
        in_cell_task = _current_task() is task or blocking_run.stepped_out_of(task)
        if blocking_run.waits_through_run_sync(task):
            # Raising here could land in run_sync's own conversions: cancel the wait, which raises in the cell.
            self._cancel(task)
            return
        self._stopped = task
        if in_cell_code(frame) and (in_cell_task or threads.in_thread()):
            # In the cell's code, or in a thread's first step, which runs inside its `start()`
            # there: the cell stops at its line (the threads too, if it does not catch it).
            if threads.in_thread():
                threads.cancel_all()
            raise KeyboardInterrupt
        if in_cell_task and not threads.in_thread():
            # In the shell's own code around the cell's statements (IPython runs them one by one):
            # the next statement stops at its line instead, which may never await.
            self.shell.interrupt_next_statement()
            return
        self._cancel(task)
        if threads.in_thread():  # a thread (a task) that computes without waiting: it ends here
            raise KeyboardInterrupt

    def stopping(self) -> bool:
        """Whether a Stop has cancelled the running cell, which has not ended yet."""
        return self.shell.interrupt_requested and self._running is not None and not self._running.done()

    def take_stop(self) -> bool:
        """Whether a Stop is what cancelled the code running now, in the running cell's own task.

        Asked where a wait that stands in for a blocking call (a rewritten
        ``time.sleep``, ``input()``, ``t.join()``, ``asyncio.run``) ends with
        ``CancelledError``; if so, the Stop is taken here: the task's cancellation
        is withdrawn and the wait raises ``KeyboardInterrupt`` instead, as desktop's
        does on Ctrl-C, so a cell that catches it goes on (and a second Stop stops it again).
        Only the cell takes a Stop: the threads (tasks) it started run on, as on desktop,
        unless the Stop ends the cell (see :meth:`_reply`).
        """
        task = self._running
        if not self.stopping() or task is None or _current_task() is not task:
            return False
        self.shell.interrupt_requested = False
        task.uncancel()
        return True

    def _cancel(self, task: asyncio.Task[Any]) -> None:
        self._stopped = task
        self.shell.interrupt_requested = True
        self.shell.input_hook.cancel()
        if task in blocking_run.cancel_waits():
            return  # the cell waits through run_sync (JSPI): CancelledError comes in its code, at its line
        task.cancel()

    # -- helpers --------------------------------------------------------------

    def _count(self) -> int:
        return int(self.shell.execution_count) - 1

    def _error_reply(self) -> dict[str, Any]:
        error = self.shell.last_error or {"ename": "KeyboardInterrupt", "evalue": "", "traceback": []}
        return {"status": "error", "execution_count": self._count(), **error}


def _start_task(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """A task for ``coro`` that runs at once up to its first suspension (Python 3.12+)."""
    if sys.version_info >= (3, 12):
        return asyncio.Task(coro, loop=loop, eager_start=True)  # type: ignore[call-arg]
    return loop.create_task(coro)


#: matplotlib's backend in the kernel (``MPLBACKEND``), unless the environment sets one.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop: then no cell is running either
        return None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def start(emit: Emit, *, transform: bool = True, location: str | None = None, fetch_sync: Any = None) -> KernelApi:
    """Start the kernel inside Pyodide: called once by the worker runtime.

    Routes ``sys.stdout``/``sys.stderr`` and the ``input``/``getpass``
    builtins through the kernel, keeps Pyodide's loop current whatever cells
    do, and changes to ``location`` (the notebook's directory) if given (a
    runtime that starts the kernel before it knows the notebook calls
    :meth:`KernelApi.enter_folder` later).
    ``random`` is seeded afresh: a kernel restored from a memory snapshot would
    otherwise draw the same numbers as every other one (see :mod:`.snapshot`).
    matplotlib draws with matplotlib-inline (figures become ``image/png``
    displays at the end of a cell), as in JupyterLite's Pyodide kernel: a
    worker has no page to draw on. ``SIGINT`` (from the runtime's interrupt
    buffer, if it has one) goes to :meth:`KernelApi.on_interrupt_signal`.
    ``fetch_sync`` is the runtime's synchronous fetch (a JavaScript function):
    ``urllib.request`` and ``requests`` go through it (see :mod:`.web`).
    """
    from pyodide.ffi import can_run_sync, run_sync  # the Pyodide edge: only here

    random.seed()
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    _log_comm_errors_to_console()
    loop = asyncio.get_event_loop()
    protect(loop, current_policy())
    kernel = KernelApi(emit, blocking=Blocking(run_sync, can_run_sync), transform=transform)
    threads.configure_blocking(run_sync, can_run_sync)  # waits that could not be awaited, under JSPI
    blocking_run.install()  # an asyncio.run left as written runs to its end, with JSPI or without
    # A time.sleep left as written heeds Stop, and holds up the loop in the user's own async def.
    time.sleep = interruptible_sleep(time.sleep, can_run_sync, kernel.stopping, kernel.take_stop)
    install_io(kernel)
    if fetch_sync is not None:
        web.install(web.fetch_from_host(fetch_sync))
    signal.signal(signal.SIGINT, kernel.on_interrupt_signal)
    if location:
        kernel.enter_folder(location)
    return kernel


def _log_comm_errors_to_console() -> None:
    """Errors of the comm protocol (a front end opening a comm for a target nobody registered,
    as JupyterLab's widget manager does before ipywidgets is imported) go where ipykernel puts
    them, the kernel's log: here the browser console, not a cell's output."""
    import logging

    from js import console  # the Pyodide edge, as in start()

    class ConsoleHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            console.warn(f"sync_kernel: {self.format(record)}")

    logger = logging.getLogger("Comm")
    logger.addHandler(ConsoleHandler())
    logger.propagate = False


def install_io(kernel: KernelApi) -> Callable[[], None]:
    """Route ``sys.stdout``/``sys.stderr``, ``input`` and ``getpass`` through ``kernel``.

    Returns a function that puts the previous ones back (used by tests).
    """
    saved = (sys.stdout, sys.stderr, builtins.input, getpass.getpass)
    sys.stdout = kernel.outputs.stdout
    sys.stderr = kernel.outputs.stderr
    builtins.input = kernel.shell.blocking_input
    getpass.getpass = kernel.shell.blocking_getpass

    def restore() -> None:
        sys.stdout, sys.stderr, builtins.input, getpass.getpass = saved

    return restore
