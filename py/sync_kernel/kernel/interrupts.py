"""Where a ``SIGINT`` from Pyodide's interrupt buffer may raise ``KeyboardInterrupt``.

When the page is cross-origin isolated (always under Node), the runtime gives
Pyodide a shared buffer; writing ``SIGINT`` into it from the main thread makes
Python call the ``SIGINT`` handler at the next check of its eval loop, wherever
that is, even in a loop that never awaits. Raising ``KeyboardInterrupt`` there
is right only in the running cell's own code (or what it called): IPython's
``run_code`` catches it and reports it at the user's line. Anywhere else — the
event loop's plumbing, a background task, the kernel's own code around the
cell — the exception would escape a task step as an uncaught JavaScript error,
so the kernel cancels the cell's task there instead, as an interrupt by message
does (see :meth:`sync_kernel.kernel.KernelApi.on_interrupt_signal`).

Example::

    >>> import sys
    >>> in_cell_code(sys._getframe())
    False
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import sys
import time
import types
from collections.abc import Callable
from typing import Any

from IPython.core.interactiveshell import InteractiveShell

from ..codemod import blocking_run
from ..codemod.support import sleep_length

#: The code of IPython's ``run_code``, which runs a cell's code under a bare ``except:``.
_RUN_CODE = InteractiveShell.run_code.__code__


def in_cell_code(frame: types.FrameType | None) -> bool:
    """Whether ``frame`` runs a cell's code, or code it called, under IPython's ``run_code``.

    The frame ``run_code`` calls must be the cell's module code (``<module>``), not
    its own helpers (``showtraceback`` while it reports another error).
    """
    while frame is not None:
        caller = frame.f_back
        if caller is not None and caller.f_code is _RUN_CODE:
            return frame.f_code.co_name == "<module>"
        frame = caller
    return False


#: Code flags of an ``async def`` and of an async generator.
_ASYNC_CODE = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def called_from_async_def(frame: types.FrameType | None) -> bool:
    """Whether ``frame`` (a blocking call's caller) runs the body of an ``async def``.

    >>> async def main():
    ...     return called_from_async_def(sys._getframe())
    >>> asyncio.run(main()), called_from_async_def(sys._getframe())
    (True, False)
    """
    return frame is not None and bool(frame.f_code.co_flags & _ASYNC_CODE)


#: Longest single sleep of :func:`interruptible_sleep`: a Stop is seen between slices.
SLEEP_SLICE = 0.05


def interruptible_sleep(
    sleep: Callable[[float], None],
    can_switch: Callable[[], bool],
    stopping: Callable[[], bool] = lambda: False,
    take_stop: Callable[[], bool] = lambda: False,
) -> Callable[[Any], None]:
    """``time.sleep`` that Stop can end, for the calls the codemod kept as written.

    Without JSPI, Pyodide's ``time.sleep`` waits in one piece and Python sees no
    signal until it returns, so Stop would wait for the whole sleep: this one sleeps
    in slices of :data:`SLEEP_SLICE`. With JSPI (``can_switch()``) it waits for
    ``asyncio.sleep`` through ``run_sync`` as a task Stop cancels, except when the
    user's own ``async def`` calls it: there desktop's ``time.sleep`` holds up the
    event loop, so no other task may run (Pyodide's own sleep would let them: it
    switches stacks too), and it waits in Python, where Stop is seen. A Stop that
    lands outside the cell's own code (in a task of the user's ``asyncio.run``) cancels
    the cell (``stopping()`` is then true): the sleep ends at once with
    ``CancelledError``, as the ``await`` the cell waits at would. Where the Stop is
    the running cell's own (``take_stop()``) it raises ``KeyboardInterrupt`` instead,
    as desktop's sleep does on Ctrl-C. What ``time.sleep`` refuses (negative, NaN,
    not a number) raises its error (see :func:`~sync_kernel.codemod.support.sleep_length`).
    """

    def stopped() -> BaseException:
        return KeyboardInterrupt() if take_stop() else asyncio.CancelledError()

    @functools.wraps(sleep)
    def interruptible(seconds: Any) -> None:
        length = sleep_length(seconds)
        switching = can_switch()
        if switching and not called_from_async_def(sys._getframe(1)):
            try:
                return blocking_run.wait_through_run_sync(asyncio.sleep(length))
            except asyncio.CancelledError:
                raise stopped() from None
        deadline = time.monotonic() + length
        while (remaining := deadline - time.monotonic()) > 0:
            if stopping():
                raise stopped()
            if not switching:  # Pyodide's sleep, in slices; with JSPI it would let other tasks run
                sleep(min(remaining, SLEEP_SLICE))
        return None

    return interruptible
