"""The kernel's IPython shell: IPython's input transforms, then the codemod, then top-level await.

Per cell (:meth:`SyncShell.run_cell_request`):

1. the cell pipeline (:mod:`.pipeline`): IPython's input transforms, ``%pip``
   lines, ``%%time``, then the codemod with the live user namespace (unless
   ``%transform off``); its notes go out as one ``display_data`` before the
   cell's other outputs;
2. IPython's ``run_cell_async`` with the rewritten code, compiled with
   top-level await and awaited on the running loop (Pyodide's ``WebLoop``), so
   other tasks run whenever the cell awaits. A timed cell (``%%time`` around
   code that needed rewriting) prints its times as IPython does (:mod:`.timing`).

The user's own text is what ``linecache`` holds for the cell (the codemod keeps
line numbers), so tracebacks show what the user wrote at the lines they wrote
it; frames of this package are cut from tracebacks; an interrupted
cell (its task cancelled at an ``await``) reports ``KeyboardInterrupt``.
"""

from __future__ import annotations

import asyncio
import linecache
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from IPython.core.compilerop import CachingCompiler
from IPython.core.history import HistoryManager
from IPython.core.interactiveshell import ExecutionResult, InteractiveShell
from traitlets import Type
from traitlets.config import Config

from ..codemod.magic_calls import MAGICS_NAME, PIP_NAME
from ..codemod.notes import NOTES_MIME_TYPE, WARNING_KINDS, Note
from ..codemod.session import Session
from .code_magics import CodeMagics
from .display import KernelDisplayHook, KernelDisplayPublisher
from .file_magics import FileMagics
from .inputs import Blocking, InputHook, blocking_getpass, blocking_input
from .interrupts import in_cell_code
from .magics import TransformMagics
from .outputs import Outputs
from .pip import Pip, PipMagics
from .pipeline import CellPipeline, CellPlan
from .timing import Stopwatch
from .transform_view import TRANSFORM_MIME_TYPE, transform_view

#: The name the codemod's rewritten ``input()`` calls (``await __input__(p)``).
INPUT_HOOK_NAME = "__input__"

NotesMode = Literal["all", "warnings", "off"]

#: The kernel, the rewritten code's run-time support (``__sync__``), threads as tasks: how a
#: ``join``, a ``get``, a rewritten sleep wait is the kernel's business, not the user's.
_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)
_ASYNCIO_DIR = str(Path(asyncio.__file__).resolve().parent)
_TRANSFORM_MAGIC = re.compile(r"\s*%%?transform\b")


@dataclass(frozen=True)
class CellTransform:
    """What the codemod made of one executed cell."""

    source: str
    code: str
    notes: list[Note]


class CellCompiler(CachingCompiler):
    """IPython's compiler, but ``linecache`` holds the user's text, not the rewritten one."""

    #: The file name of the cell compiled last (the running one): code magics compile under it too.
    current_name = "<cell>"

    def cache(self, transformed_code: str, number: int = 0, raw_code: str | None = None) -> str:
        name = super().cache(transformed_code, number, raw_code)
        if raw_code is not None:
            lines = [line + "\n" for line in raw_code.splitlines()]
            linecache.cache[name] = (len(raw_code), None, lines, name)
        self.current_name = name
        return name


class CellHistoryManager(HistoryManager):
    """Keeps ``In[n]`` as IPython's transform of the cell, not the codemod's rewrite."""

    parsed_cell: str | None = None

    def store_inputs(self, line_num: int, source: str, source_raw: str | None = None) -> None:
        parsed = self.parsed_cell if self.parsed_cell is not None else source
        super().store_inputs(line_num, parsed, source_raw)


class SyncShell(InteractiveShell):
    """An IPython shell whose cells are rewritten by the codemod and run on the event loop.

    ``outputs`` receives everything the shell publishes; ``blocking`` says how
    ``input()`` calls the codemod could not rewrite may wait; ``transform``
    starts with rewriting on or off.
    """

    displayhook_class = Type(KernelDisplayHook)
    display_pub_class = Type(KernelDisplayPublisher)
    compiler_class = Type(CellCompiler)

    def __init__(
        self,
        outputs: Outputs,
        *,
        blocking: Blocking | None = None,
        transform: bool = True,
        **kwargs: Any,
    ) -> None:
        config = Config()
        config.HistoryManager.enabled = False
        super().__init__(config=config, colors="linux", **kwargs)
        self.outputs = outputs
        assert isinstance(self.displayhook, KernelDisplayHook)
        assert isinstance(self.display_pub, KernelDisplayPublisher)
        self.displayhook.outputs = outputs
        self.display_pub.outputs = outputs
        self.transform_enabled = transform
        self.notes_mode: NotesMode = "all"
        self.pipeline = CellPipeline(self.transform_cell, Session(input_hook=INPUT_HOOK_NAME), lambda: self.user_ns)
        self.last_transform: CellTransform | None = None
        #: Set by the kernel when it cancels the running cell on an interrupt.
        self.interrupt_requested = False
        #: Set by the kernel when an interrupt came between the cell's statements (see run_code).
        self.interrupt_pending = False
        #: The ``error`` content of the last traceback shown (for the execute reply).
        self.last_error: dict[str, Any] | None = None
        #: The exception :meth:`showtraceback` showed last, with what it showed.
        self._shown_error: tuple[BaseException, dict[str, Any]] | None = None
        self.input_hook = InputHook(self._request_input)
        blocking = blocking or Blocking()
        self.blocking_input = blocking_input(self.input_hook, blocking)
        self.blocking_getpass = blocking_getpass(self.input_hook, blocking)
        assert isinstance(self.compile, CellCompiler)
        compiler = self.compile
        code_magics = CodeMagics(self, lambda: compiler.current_name)
        self.push({INPUT_HOOK_NAME: self.input_hook, PIP_NAME: Pip(), MAGICS_NAME: code_magics}, interactive=False)
        self.register_magics(TransformMagics, PipMagics, FileMagics)

    def init_alias(self) -> None:
        super().init_alias()
        # FileMagics replaces the shell aliases of the same names (there is no shell here), also
        # after %reset, which defines the default aliases again.
        manager = self.alias_manager
        assert manager is not None
        replaced = set(FileMagics.magics["line"])
        for name in replaced & {name for name, _ in manager.aliases}:
            manager.undefine_alias(name)
        manager.default_aliases = [(name, cmd) for name, cmd in manager.default_aliases if name not in replaced]

    def init_history(self) -> None:
        self.history_manager = CellHistoryManager(shell=self, parent=self)
        self.configurables.append(self.history_manager)  # type: ignore[arg-type]  # IPython types it too narrowly

    # -- running cells --------------------------------------------------------

    async def run_cell_request(
        self, raw_cell: str, *, silent: bool = False, store_history: bool = True
    ) -> ExecutionResult:
        """Run one cell as an ``execute_request`` asks (see the module docstring)."""
        self.last_error = None
        plan = self.pipeline.plan(raw_cell, rewrite=self.transform_enabled)
        if self.transform_enabled and plan.preprocessing_error is None:
            if not _TRANSFORM_MAGIC.match(raw_cell):
                self.last_transform = CellTransform(raw_cell, plan.shown, plan.notes)
            if not silent:
                self.show_notes(plan.notes)
        assert isinstance(self.history_manager, CellHistoryManager)
        self.history_manager.parsed_cell = plan.parsed
        stopwatch = Stopwatch() if plan.timed else None
        if stopwatch is not None:
            self.outputs.hold()
        try:
            return await self.run_cell_async(
                raw_cell,
                store_history=store_history,
                silent=silent,
                transformed_cell=plan.code,
                preprocessing_exc_tuple=plan.preprocessing_error,
            )
        finally:
            self.history_manager.parsed_cell = None
            if stopwatch is not None:
                print(stopwatch.report(), end="")
                self.outputs.release()
            self.outputs.flush()

    def preview_transform(self, body: str) -> CellPlan:
        """What the next cell ``body`` would run, without changing the session's memory."""
        plan = self.pipeline.plan(body, remember=False)
        if plan.preprocessing_error is not None:
            raise plan.preprocessing_error[1]
        return plan

    # -- outputs --------------------------------------------------------------

    def show_notes(self, notes: list[Note]) -> None:
        """Send the notes the current mode shows as one ``display_data`` (nothing if none)."""
        if self.notes_mode == "off":
            return
        if self.notes_mode == "warnings":
            notes = [note for note in notes if note.kind in WARNING_KINDS]
        self.display_notes(notes)

    def display_notes(self, notes: list[Note]) -> None:
        """Send ``notes`` as one ``display_data`` (notes MIME + one line of text per note)."""
        if not notes:
            return
        data = {
            NOTES_MIME_TYPE: [note.to_json() for note in notes],
            "text/plain": "\n".join(note.summary() for note in notes),
        }
        self.outputs.send("display_data", {"data": data, "metadata": {}, "transient": {}})

    def show_transform(self, original: str, code: str, notes: list[Note]) -> None:
        """Show rewritten code (as plain text, and as a diff from ``original`` for the front end's
        view), then all its notes."""
        data = {TRANSFORM_MIME_TYPE: transform_view(original, code), "text/plain": code.rstrip("\n")}
        self.outputs.send("display_data", {"data": data, "metadata": {}, "transient": {}})
        self.display_notes(notes)

    def _showtraceback(self, etype: type[BaseException], evalue: BaseException, stb: list[str]) -> None:
        name = etype.__name__
        if issubclass(etype, SyntaxError) and name.startswith("_"):
            name = "SyntaxError"  # Python 3.13+'s private _IncompleteInputError
        content = {"ename": name, "evalue": str(evalue), "traceback": stb}
        self.last_error = content
        self.outputs.send_outcome("error", content)

    def showtraceback(
        self,
        exc_tuple: tuple[Any, Any, Any] | None = None,
        filename: str | None = None,
        tb_offset: int | None = None,
        exception_only: bool = False,
        running_compiled_code: bool = False,
    ) -> None:
        try:
            etype, value, tb = self._get_exc_info(exc_tuple)
        except ValueError:
            return super().showtraceback(exc_tuple, filename, tb_offset, exception_only, running_compiled_code)
        shown = value
        internal: tuple[str, ...] = (_PACKAGE_DIR,)
        if isinstance(value, asyncio.CancelledError) and self.interrupt_requested:
            interrupt = KeyboardInterrupt()
            etype, value, internal = KeyboardInterrupt, interrupt, (*internal, _ASYNCIO_DIR)
        tb = user_traceback(tb, internal)
        value.__traceback__ = tb
        self.last_error = None
        super().showtraceback((etype, value, tb), filename, tb_offset, exception_only, running_compiled_code)
        self._shown_error = (shown, self.last_error) if self.last_error is not None else None

    def _format_exception_for_storage(
        self, exception: BaseException, filename: str | None = None, running_compiled_code: bool = False
    ) -> dict[str, Any]:
        """What IPython keeps in its history for a cell's error: the traceback the cell showed.

        IPython formats the error a second time for this, from the whole traceback: with the
        kernel's frames in it, ``stack_data`` parses their (large) files, which made a Stop's
        reply up to half a second late.
        """
        if self._shown_error is not None and self._shown_error[0] is exception:
            return dict(self._shown_error[1])
        return super()._format_exception_for_storage(exception, filename, running_compiled_code)  # type: ignore[no-any-return]

    async def run_code(
        self, code_obj: types.CodeType, result: ExecutionResult | None = None, *, async_: bool = False
    ) -> bool:
        """Run one of the cell's statements; an interrupt that came between statements (see
        ``KernelApi.on_interrupt_signal``) stops the cell here, at this statement's line."""
        if self.interrupt_pending:
            self.disarm_interrupt()
            code_obj, async_ = _raise_keyboard_interrupt_at(code_obj), False
        return await super().run_code(code_obj, result, async_=async_)  # type: ignore[no-any-return]

    def interrupt_next_statement(self) -> None:
        """An interrupt came in the shell's own code around the cell's statements: stop the cell
        at its next statement (:meth:`run_code`) or, if that has begun, in its next frame of cell code."""
        self.interrupt_pending = True
        if sys.gettrace() is None:  # never over a debugger's tracer
            # IPython's run_code may be past the check above, about to run the statement.
            sys.settrace(self._interrupt_in_cell_code)

    def disarm_interrupt(self) -> None:
        self.interrupt_pending = False
        if sys.gettrace() == self._interrupt_in_cell_code:
            sys.settrace(None)

    def _interrupt_in_cell_code(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if event == "call" and in_cell_code(frame):
            return self._interrupt_at_line  # raised at its first line, which the traceback shows
        return None

    def _interrupt_at_line(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.disarm_interrupt()
            raise KeyboardInterrupt
        return self._interrupt_at_line

    def show_interrupted(self) -> None:
        """Report a cell cancelled where no user frame was running."""
        self._showtraceback(KeyboardInterrupt, KeyboardInterrupt(), ["KeyboardInterrupt"])

    # -- input ----------------------------------------------------------------

    def _request_input(self, prompt: str, password: bool) -> None:
        self.outputs.send("input_request", {"prompt": prompt, "password": password})

    # -- things a browser kernel cannot do -----------------------------------

    def enable_gui(self, gui: str | None = None) -> None:
        if gui not in (None, "inline"):
            raise NotImplementedError(f"the {gui} GUI event loop is not available in the browser")

    def system(self, cmd: str) -> None:
        raise NotImplementedError(
            "shell commands (!cmd) are not available in the browser; "
            "%ls, %cat, %mkdir, %cp, %mv, %rm and %cd work on the notebook's files"
        )

    system_piped = system
    system_raw = system


def user_traceback(tb: types.TracebackType | None, internal_dirs: tuple[str, ...]) -> types.TracebackType | None:
    """``tb`` as the cell shows it: without its frames from files under ``internal_dirs`` (the
    kernel's own, wherever they are; a traceback that would be left empty is kept whole), and with
    every entry that has no line moved to its statement's first line. (A Stop the engine raises
    before a statement's first instruction is at line 0, where a module's code starts.)
    """
    frames: list[types.TracebackType] = []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    kept = [entry for entry in frames if not _is_internal(entry.tb_frame.f_code.co_filename, internal_dirs)] or frames
    if len(kept) == len(frames) and all(entry.tb_lineno for entry in frames):
        return frames[0] if frames else None
    rebuilt: types.TracebackType | None = None
    for entry in reversed(kept):
        line = entry.tb_lineno or first_line(entry.tb_frame.f_code)
        rebuilt = types.TracebackType(rebuilt, entry.tb_frame, entry.tb_lasti, line)
    return rebuilt


def first_line(code: types.CodeType) -> int:
    """The first line ``code``'s instructions are at (a module's code starts at line 0 whatever
    its statement's line)."""
    return min((line for *_, line in code.co_lines() if line), default=code.co_firstlineno or 1)


def _is_internal(filename: str, internal_dirs: tuple[str, ...]) -> bool:
    try:
        resolved = str(Path(filename).resolve())
    except (OSError, ValueError):
        return False
    return any(resolved.startswith(directory + "/") for directory in internal_dirs)


def _raise_keyboard_interrupt_at(code: types.CodeType) -> types.CodeType:
    """Code that raises ``KeyboardInterrupt`` at the first line of ``code``, in its file (so the
    traceback shows the cell's line, as a Stop there shows it)."""
    return compile("\n" * (first_line(code) - 1) + "raise KeyboardInterrupt", code.co_filename, "exec")
