"""``%%time`` and ``%time`` around code the codemod rewrites: the times.

IPython's ``time`` magic compiles and runs its code itself, synchronously, so
the codemod would never see it: ``time.sleep`` inside a ``%%time`` cell would
busy-wait (or need JSPI) and freeze the cell's output. When a cell is only
``%%time`` over a body, or one ``%time`` line, the cell pipeline instead runs
the timed code as the cell itself (:func:`sync_kernel.codemod.magic_calls.find_timed_code`)
— rewritten, awaited, at the lines the user wrote it — and the shell reports
the times as IPython does (``CPU times: …`` / ``Wall time: …``, printed before
the result or the error) with a :class:`Stopwatch`.

Example::

    >>> print(Stopwatch().report())  # doctest: +ELLIPSIS
    CPU times: user ..., sys: ..., total: ...
    Wall time: ...
"""

from __future__ import annotations

import time

from IPython.core.magics.execution import _format_time
from IPython.utils.timing import clock2


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
