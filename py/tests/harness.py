"""Run cells as desktop Jupyter would (synchronously) and as the kernel will (rewritten, awaited).

``run_original`` executes each cell with plain ``exec`` in one namespace;
``run_rewritten`` sends each cell through a :class:`sync_kernel.Session` right
before running it (as the kernel does), compiles it with top-level await and
awaits it inside one ``asyncio`` event loop, so tasks started by one cell keep
running in the next. Both record what a user would notice: printed output,
the exception (type, message, and the line of the cell it points at), and
the plain data left in the namespace.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import contextlib
import getpass
import inspect
import io
import re
import sys
import textwrap
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sync_kernel
from sync_kernel.codemod import blocking_run
from sync_kernel.codemod.session import TransformResult

INPUT_HOOK = "__input__"
_DATA = (int, float, str, bool, type(None), list, tuple, dict, set, frozenset)


@dataclass
class CellOutcome:
    stdout: str
    error: tuple[str, str, int | None] | None  # (type, message, line in the cell)


@dataclass
class Outcome:
    cells: list[CellOutcome]
    data: dict[str, str]
    results: list[TransformResult] = field(default_factory=list)

    @property
    def stdout(self) -> str:
        return "".join(cell.stdout for cell in self.cells)

    def behaviour(self) -> tuple[list[CellOutcome], dict[str, str]]:
        """What a user sees, with object addresses (``<generator object f at 0x7f...>``) blanked."""
        cells = [
            CellOutcome(
                _ADDRESS.sub("at 0x…", cell.stdout),
                None if cell.error is None else (cell.error[0], _ADDRESS.sub("at 0x…", cell.error[1]), cell.error[2]),
            )
            for cell in self.cells
        ]
        return cells, {name: _ADDRESS.sub("at 0x…", text) for name, text in self.data.items()}


#: An object's address in its repr: different in every run.
_ADDRESS = re.compile(r"at 0x[0-9a-fA-F]+")


def cells_of(*cells: str) -> list[str]:
    return [textwrap.dedent(cell).strip("\n") + "\n" for cell in cells]


def _cell_file(index: int) -> str:
    return f"<cell-{index}>"


def _error(exc: BaseException, index: int) -> tuple[str, str, int | None]:
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == _cell_file(index):
            line = lineno
    return (type(exc).__name__, str(exc), line)


def _data(namespace: dict[str, Any]) -> dict[str, str]:
    """Plain data left in the namespace, by repr (skipping reprs that show memory addresses)."""
    found = {}
    for name, value in namespace.items():
        if name.startswith("_") or not isinstance(value, _DATA):
            continue
        text = repr(value)
        if " at 0x" not in text:
            found[name] = text
    return found


class _Answers:
    """Lines typed by the user, shared by the blocking and the awaited ``input``."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)

    def take(self, prompt: object = "") -> str:
        print(prompt, end="")
        if not self.lines:
            raise EOFError("EOF when reading a line")
        return self.lines.pop(0)


class AsyncInput:
    """The kernel's input hook, for tests: ``await hook(p)``, ``await hook.getpass(p)``."""

    def __init__(self, answers: _Answers) -> None:
        self._answers = answers

    async def __call__(self, prompt: object = "", /) -> str:
        await asyncio.sleep(0)
        return self._answers.take(prompt)

    async def getpass(self, prompt: str = "Password: ", stream: object = None) -> str:
        await asyncio.sleep(0)
        return self._answers.take(prompt)


@contextlib.contextmanager
def _blocking_input(answers: _Answers) -> Iterator[None]:
    saved = builtins.input, getpass.getpass
    builtins.input = lambda prompt="", /: answers.take(prompt)  # type: ignore[assignment]
    getpass.getpass = lambda prompt="Password: ", stream=None: answers.take(prompt)  # type: ignore[assignment]
    try:
        yield
    finally:
        builtins.input, getpass.getpass = saved


@contextlib.contextmanager
def desktop_asyncio() -> Iterator[None]:
    """Make ``asyncio`` behave as on desktop Python while the block runs.

    On desktop Python this does nothing. Inside Pyodide the tests themselves run
    in a WebLoop task, and Pyodide's ``asyncio.run`` needs stack switching; here
    the block steps out of that task, gets Pyodide's saved original
    ``asyncio.run``, and new event loops are :class:`PrivateLoop`.
    """
    if sys.platform != "emscripten":
        yield
        return
    from pyodide import webloop  # type: ignore[import-not-found]

    class PrivatePolicy(asyncio.events._BaseDefaultEventLoopPolicy):  # type: ignore[misc,name-defined]
        """New loops are private ones (the private base class: the public one is deprecated in 3.14)."""

        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return blocking_run.PrivateLoop()

    outer = asyncio.events._get_running_loop()
    outer_task = asyncio.tasks._swap_current_task(outer, None) if outer is not None else None
    saved_policy, saved_run = asyncio.events._event_loop_policy, asyncio.run
    asyncio.events._set_running_loop(None)
    asyncio.events._event_loop_policy = PrivatePolicy()
    asyncio.run = webloop._orig_run
    try:
        yield
    finally:
        asyncio.run = saved_run
        asyncio.events._event_loop_policy = saved_policy
        asyncio.events._set_running_loop(outer)
        if outer is not None:
            asyncio.tasks._swap_current_task(outer, outer_task)


def run_loop(coro: Any) -> Any:
    """Run ``coro`` to completion in a fresh event loop, as ``asyncio.run`` does on desktop Python."""
    with desktop_asyncio():
        return asyncio.run(coro)


def run_original(cells: list[str], answers: list[str] | None = None) -> Outcome:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    outcomes: list[CellOutcome] = []
    typed = _Answers(answers or [])
    with _blocking_input(typed), desktop_asyncio():
        for index, cell in enumerate(cells):
            out = io.StringIO()
            error = None
            with contextlib.redirect_stdout(out):
                try:
                    exec(compile(cell, _cell_file(index), "exec"), namespace)
                except Exception as exc:
                    error = _error(exc, index)
            outcomes.append(CellOutcome(out.getvalue(), error))
    return Outcome(outcomes, _data(namespace))


def run_rewritten(
    cells: list[str],
    answers: list[str] | None = None,
    *,
    use_namespace: bool = True,
    session: sync_kernel.Session | None = None,
) -> Outcome:
    """Rewrite and run ``cells`` in one event loop; ``use_namespace=False`` uses the session's memory only."""
    session = session or sync_kernel.Session(input_hook=INPUT_HOOK)
    typed = _Answers(answers or [])
    namespace: dict[str, Any] = {"__name__": "__main__", INPUT_HOOK: AsyncInput(typed)}
    session.install(namespace)
    outcomes: list[CellOutcome] = []
    results: list[TransformResult] = []

    async def main() -> None:
        blocking_run.install()  # as the kernel does when it starts (here ``desktop_asyncio`` swapped asyncio.run)
        for index, cell in enumerate(cells):
            result = session.transform(cell, namespace if use_namespace else None)
            results.append(result)
            out = io.StringIO()
            error = None
            with contextlib.redirect_stdout(out):
                try:
                    code = compile(result.code, _cell_file(index), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
                    if code.co_flags & inspect.CO_COROUTINE:
                        await eval(code, namespace)
                    else:
                        exec(code, namespace)
                except Exception as exc:
                    error = _error(exc, index)
            outcomes.append(CellOutcome(out.getvalue(), error))

    # Blocking input stays available for what could not be rewritten, as in the kernel.
    with _blocking_input(typed):
        run_loop(main())
    return Outcome(outcomes, _data(namespace), results)


def assert_same_behaviour(*cells: str, answers: list[str] | None = None, memory_too: bool = True) -> Outcome:
    """Run the cells both ways (with the namespace, and from memory) and compare; returns the rewritten run."""
    prepared = cells_of(*cells)
    expected = run_original(prepared, answers)
    actual = run_rewritten(prepared, answers)
    assert actual.behaviour() == expected.behaviour(), _explain(actual, expected)
    if memory_too:
        from_memory = run_rewritten(prepared, answers, use_namespace=False)
        assert from_memory.behaviour() == expected.behaviour(), _explain(from_memory, expected)
    return actual


def _explain(actual: Outcome, expected: Outcome) -> str:
    code = "\n# ---\n".join(result.code for result in actual.results)
    return f"rewritten cells:\n{code}\nexpected: {expected.behaviour()}\nactual:   {actual.behaviour()}"


def rewrite(*cells: str, input_hook: str | None = INPUT_HOOK) -> list[TransformResult]:
    """Transform the cells in one session (memory only), without running them."""
    session = sync_kernel.Session(input_hook=input_hook)
    return [session.transform(cell) for cell in cells_of(*cells)]


def assert_rewrites(before: str, after: str, input_hook: str | None = INPUT_HOOK) -> TransformResult:
    """The single cell ``before`` is rewritten to exactly ``after``."""
    (result,) = rewrite(before, input_hook=input_hook)
    assert result.code == cells_of(after)[0], f"got:\n{result.code}"
    return result


def kinds(result: TransformResult) -> list[tuple[int, str]]:
    return [(note.line, note.kind) for note in result.notes]
