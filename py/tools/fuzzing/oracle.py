"""The oracle: run a generated notebook both ways and say how the rewrite differs, if it does.

Runs with the test harness (``py/tests/harness.py``): the original cells with
plain ``exec`` on CPython, and the rewritten cells the way the kernel runs
them (one :class:`sync_kernel.Session`, the live namespace, top-level await
in one event loop). Checks, each a failure kind:

* ``behaviour``: printed output, exception (type, message, line) per cell and
  the plain data left in the namespace are the same;
* ``memory``: the same, with the session resolving names from its memory only;
* ``prefilter``: the statement filter on and off give the same code and notes;
* ``internal``: no ``internal`` note (the codemod gave up on a cell);
* ``timeout`` / ``crash``: the run ended by the time limit, or the harness raised.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import logging
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

import harness  # noqa: E402
import sync_kernel  # noqa: E402

from .program import Notebook  # noqa: E402

#: Every check, in the order they run.
CHECKS: tuple[str, ...] = ("behaviour", "memory", "prefilter", "internal")


@dataclass(frozen=True)
class Failure:
    """What differed (``kind``, one of :data:`CHECKS`, ``timeout`` or ``crash``) and how."""

    kind: str
    detail: str


class TimeLimit(BaseException):
    """Raised in the running program when it overruns its time (not an ``Exception``: nothing catches it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (where ``SIGALRM`` exists and this is the main thread)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeLimit(f"more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def hushed() -> Iterator[None]:
    """Keep what the programs print outside their cells, warnings and asyncio's log off the terminal."""
    logger = logging.getLogger("asyncio")
    saved = logger.disabled
    logger.disabled = True
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stderr(io.StringIO()),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.disabled = saved


def _session(prefilter: bool = True) -> sync_kernel.Session:
    return sync_kernel.Session(input_hook=harness.INPUT_HOOK, prefilter=prefilter)


def check(notebook: Notebook, checks: frozenset[str] = frozenset(CHECKS), timeout: float = 10.0) -> list[Failure]:
    """The failures of ``notebook`` (at most one per kind; empty when the rewrite behaves)."""
    cells = notebook.sources()
    answers = list(notebook.answers)
    try:
        with hushed(), time_limit(timeout):
            return _check(cells, answers, checks)
    except TimeLimit as error:
        return [Failure("timeout", str(error))]
    except Exception as error:  # the harness or the codemod broke: that is a finding too
        return [Failure("crash", f"{type(error).__name__}: {error}")]


def original_errors(notebook: Notebook, timeout: float = 10.0) -> int:
    """How many cells of the original raise when run synchronously (a shrinker should not add any)."""
    try:
        with hushed(), time_limit(timeout):
            outcome = harness.run_original(notebook.sources(), list(notebook.answers))
    except TimeLimit:
        return len(notebook.cells)
    return sum(1 for cell in outcome.cells if cell.error is not None)


def _check(cells: list[str], answers: list[str], checks: frozenset[str]) -> list[Failure]:
    failures: list[Failure] = []
    expected = harness.run_original(cells, answers) if checks & {"behaviour", "memory"} else None
    if expected is not None and any(cell.error and cell.error[0] == "RecursionError" for cell in expected.cells):
        # Where the limit hits (what was printed, the line, the message) depends on how deep the
        # stack already was, and every await adds frames: such a program has no one right output.
        expected = None
    actual = harness.run_rewritten(cells, answers, session=_session())
    if "internal" in checks:
        internal = [
            f"cell {i + 1}: {note.message}"
            for i, result in enumerate(actual.results)
            for note in result.notes
            if note.kind == "internal"
        ]
        if internal:
            failures.append(Failure("internal", "\n".join(internal)))
    if expected is not None and "behaviour" in checks and actual.behaviour() != expected.behaviour():
        failures.append(Failure("behaviour", explain(expected, actual)))
    if expected is not None and "memory" in checks:
        from_memory = harness.run_rewritten(cells, answers, use_namespace=False, session=_session())
        if from_memory.behaviour() != expected.behaviour():
            failures.append(Failure("memory", explain(expected, from_memory)))
    if "prefilter" in checks:
        unfiltered = harness.run_rewritten(cells, answers, session=_session(prefilter=False))
        difference = rewrite_difference(actual.results, unfiltered.results)
        if difference:
            failures.append(Failure("prefilter", difference))
    return failures


def _diff(expected: str, actual: str, what: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), f"{what} (expected)", f"{what} (actual)", lineterm="", n=2
    )
    return "\n".join(lines)


def explain(expected: Any, actual: Any) -> str:
    """Where two :class:`harness.Outcome` differ: the rewritten code, then output and error per cell, then data."""
    parts = ["rewritten cells:"]
    parts += [f"# %% cell {i + 1}\n{result.code}" for i, result in enumerate(actual.results)]
    for i, (want, got) in enumerate(zip(expected.cells, actual.cells, strict=True)):
        if want.stdout != got.stdout:
            parts.append(_diff(want.stdout, got.stdout, f"cell {i + 1} output"))
        if want.error != got.error:
            parts.append(f"cell {i + 1} error: expected {want.error}, got {got.error}")
    if expected.data != actual.data:
        parts.append(f"data: expected {expected.data}, got {actual.data}")
    return "\n".join(parts)


def rewrite_difference(filtered: list[Any], unfiltered: list[Any]) -> str:
    """How the rewrites with the statement filter on and off differ ('' when they do not)."""
    parts = []
    for i, (on, off) in enumerate(zip(filtered, unfiltered, strict=True)):
        if on.code != off.code:
            parts.append(_diff(off.code, on.code, f"cell {i + 1} rewritten (filter off → on)"))
        if on.notes != off.notes:
            parts.append(f"cell {i + 1} notes, filter off: {[n.summary() for n in off.notes]}")
            parts.append(f"cell {i + 1} notes, filter on:  {[n.summary() for n in on.notes]}")
    return "\n".join(parts)
