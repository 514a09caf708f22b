"""``%%time`` and ``%time`` around code the codemod rewrites.

IPython's ``time`` magic compiles and runs its code itself, synchronously, so
the codemod never sees it: ``time.sleep`` inside a ``%%time`` cell would
busy-wait (or need JSPI) and freeze the cell's output. When a cell is only
``%%time`` over a body, or one ``%time`` line, the shell instead runs the timed
code as the cell itself — rewritten, awaited, at the lines the user wrote it —
and reports the times as IPython does (``CPU times: …`` / ``Wall time: …``,
printed before the result or the error).

Example::

    >>> cell = "get_ipython().run_cell_magic('time', '', 'x = 1\\\\n')\\n"  # IPython's form of the cell
    >>> timed = find_timed_code("%%time\\nx = 1\\n", cell, transform_cell=str)
    >>> timed.code, timed.magic
    ('\\nx = 1\\n', '%%time\\n')
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable
from dataclasses import dataclass

from IPython.core.magics.execution import _format_time
from IPython.utils.timing import clock2

from .magic_calls import ipython_call


@dataclass(frozen=True)
class TimedCode:
    """The code a lone ``%%time``/``%time`` cell times."""

    #: The timed code after IPython's input transforms, preceded by one empty
    #: line for each line of the cell before it, so its lines keep their numbers.
    code: str
    #: The user's text before the code (the magic), to show with rewritten code.
    magic: str

    def shown(self, rewritten: str) -> str:
        """``rewritten`` (this code rewritten) as the user would read it: magic first."""
        skipped = self.magic.count("\n")
        return self.magic + rewritten.split("\n", skipped)[-1]


def find_timed_code(raw_cell: str, cell: str, transform_cell: Callable[[str], str]) -> TimedCode | None:
    """The code of a cell that is only ``%%time`` + body or one ``%time CODE`` line, else ``None``.

    ``cell`` is IPython's transform of ``raw_cell``, where the magic is a
    ``get_ipython().run_cell_magic('time', '', body)`` or
    ``get_ipython().run_line_magic('time', code)`` call; ``transform_cell`` is
    IPython's, applied to a ``%%time`` body as the magic itself would. Magics
    with options (``%time -n …``, ``%%time --no-raise-error``) are left to IPython.
    """
    call = _lone_time_magic(cell)
    if call is None:
        return None
    method, args = call
    lines = raw_cell.splitlines(keepends=True)
    first = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    if method == "run_cell_magic" and len(args) == 3 and not args[1].strip():
        body = "".join(lines[first + 1 :])
        if args[2] not in (body, body + "\n"):
            return None
        # IPython's transforms drop the body's leading blank lines: they count as the magic's.
        blank = next((index for index, line in enumerate(lines[first + 1 :]) if line.strip()), 0)
        magic = "".join(lines[: first + 1 + blank])
        return TimedCode(code="\n" * (first + 1 + blank) + transform_cell(body), magic=magic)
    if method == "run_line_magic" and len(args) == 2 and args[1].strip() and not args[1].startswith("-"):
        start = lines[first].find(args[1]) if first < len(lines) else -1
        if start < 0:
            return None
        return TimedCode(code="\n" * first + args[1] + "\n", magic="".join(lines[:first]) + lines[first][:start])
    return None


def _lone_time_magic(cell: str) -> tuple[str, list[str]] | None:
    """``(method, args)`` when ``cell`` is one ``get_ipython().run_{line,cell}_magic('time', ...)`` statement."""
    try:
        module = ast.parse(cell)
    except SyntaxError:
        return None
    if len(module.body) != 1 or not isinstance(module.body[0], ast.Expr):
        return None
    call = ipython_call(module.body[0].value)
    if call is None or call[0] not in ("run_cell_magic", "run_line_magic") or call[1][:1] != ["time"]:
        return None
    return call


class Stopwatch:
    """Wall and CPU time since it was made, reported in IPython's ``%time`` format."""

    def __init__(self) -> None:
        self.wall_start = time.perf_counter()
        self.cpu_start = clock2()

    def report(self) -> str:
        """``CPU times: user …, sys: …, total: …`` and ``Wall time: …``, two lines."""
        wall = time.perf_counter() - self.wall_start
        user_end, sys_end = clock2()
        user = user_end - self.cpu_start[0]
        system = sys_end - self.cpu_start[1]
        return (
            f"CPU times: user {_format_time(user)}, sys: {_format_time(system)}, "
            f"total: {_format_time(user + system)}\nWall time: {_format_time(wall)}\n"
        )
