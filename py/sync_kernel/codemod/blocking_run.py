"""``asyncio.run`` where the codemod could not make it an ``await``.

The codemod turns ``asyncio.run(main())`` into ``await __sync__.run(main())``
wherever the code around it can await. Where it cannot (a function handed to
``map`` or ``sorted``, a lambda, a decorator's wrapper called from such a
place, a generator, library code), the call stays as written and would fail
as it does in desktop Jupyter: "asyncio.run() cannot be called from a running
event loop", since every cell runs on the kernel's loop.

:func:`install` makes ``asyncio.run`` do there what it does in a script: run
``main`` to its end before returning, on a private event loop, then cancel
the tasks it left pending and close its async generators (``asyncio.Runner``
does all of that). The kernel's loop waits meanwhile, as a script's caller
would; the private loop sleeps with ``time.sleep`` in short slices, so an
interrupt still lands. Under JSPI the wait goes through Pyodide's
``run_sync`` instead (:func:`sync_kernel.threads.configure_blocking`): the
kernel's loop keeps running other tasks, as Pyodide's own ``asyncio.run``
lets them. With no loop running, ``asyncio.run`` is the original.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from ..threads import _core

T = TypeVar("T")

#: Longest single sleep of the private loop: an interrupt is seen between slices.
_SLICE = 0.05

_INSTALLED = "__sync_kernel_blocking_run__"

#: Tasks of the kernel's loop that stepped out for a private run (innermost last).
_stepped_out: list[asyncio.Task[Any]] = []
#: What JSPI callers wait for through ``run_sync``, with the task each caller runs in.
_waiting: dict[asyncio.Future[Any], asyncio.Task[Any] | None] = {}


class _SleepSelector:
    """The private loop's selector: no files to watch, so waiting is sleeping."""

    def select(self, timeout: float | None) -> list[Any]:
        time.sleep(_SLICE if timeout is None else min(max(timeout, 0.0), _SLICE))
        return []

    def close(self) -> None:
        pass


class PrivateLoop(asyncio.BaseEventLoop):
    """A loop for one blocking ``asyncio.run``: timers and tasks only, on this thread."""

    def __init__(self) -> None:
        super().__init__()
        self._selector = _SleepSelector()

    def _process_events(self, event_list: list[Any]) -> None:
        pass

    def _write_to_self(self) -> None:
        pass  # the next slice ends soon enough for a callback from elsewhere


def install() -> None:
    """Wrap ``asyncio.run`` (once) so it blocks also while a loop runs on this thread."""
    if getattr(asyncio.run, _INSTALLED, False):
        return
    asyncio.run = _blocking_run(asyncio.run)


def _blocking_run(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def run(main: Any, *, debug: bool | None = None, loop_factory: Callable[[], Any] | None = None) -> Any:
        outer = asyncio.events._get_running_loop()
        if outer is None:
            extra = {} if loop_factory is None else {"loop_factory": loop_factory}  # a 3.12 keyword
            return original(main, debug=debug, **extra)
        if _core.can_block():
            return _run_through_run_sync(main)
        return run_on_private_loop(main, outer, debug=debug)

    setattr(run, _INSTALLED, True)
    return run


def _run_through_run_sync(main: Any) -> Any:
    from .support import run_main

    return wait_through_run_sync(run_main(main))


def wait_through_run_sync(awaitable: Awaitable[T]) -> T:
    """Block on ``awaitable`` through ``run_sync`` (JSPI), as a task :func:`cancel_waits` can cancel."""
    assert _core._run_sync is not None
    waiter = asyncio.current_task()
    if waiter is not None and getattr(waiter, "_must_cancel", False):
        # Stop came while the caller ran (its cancellation waits for its next await): stop here.
        _close(awaitable)
        raise asyncio.CancelledError
    task = asyncio.ensure_future(awaitable)

    async def outcome() -> tuple[Any, BaseException | None]:
        # The exception comes back as a value and is raised here: through run_sync a
        # cancelled wait would lose its traceback (or fail to convert).
        try:
            return await task, None
        except BaseException as error:  # noqa: BLE001 - re-raised below, in the caller's frame
            return None, error

    _waiting[task] = waiter
    try:
        result, error = _core._run_sync(outcome())
    finally:
        del _waiting[task]
    if error is not None:
        raise error
    return cast(T, result)


def stepped_out_of(task: asyncio.Task[Any]) -> bool:
    """Whether ``task`` waits for a private run it called: its code runs on, below that loop."""
    return task in _stepped_out


def waits_through_run_sync(task: asyncio.Task[Any]) -> bool:
    """Whether code of ``task`` is in :func:`wait_through_run_sync` (Pyodide's machinery is on its stack)."""
    return task in _waiting.values()


def cancel_waits() -> set[asyncio.Task[Any]]:
    """Stop: cancel what callers wait for through ``run_sync``; returns the tasks of those callers.

    Each caller sees ``CancelledError`` raised in its own code, where it called the wait.
    """
    waiters: set[asyncio.Task[Any]] = set()
    for task, waiter in list(_waiting.items()):
        task.cancel()
        if waiter is not None:
            waiters.add(waiter)
    return waiters


def _close(awaitable: Awaitable[Any]) -> None:
    close = getattr(awaitable, "close", None)
    if close is not None:
        close()  # a coroutine that will not run: no "never awaited" warning


def run_on_private_loop(main: Any, outer: asyncio.AbstractEventLoop, *, debug: bool | None = None) -> Any:
    """Run ``main`` to its end on a :class:`PrivateLoop` while ``outer`` waits, as ``asyncio.run`` would."""
    __tracebackhide__ = True  # noqa: F841 - IPython leaves this frame out of tracebacks
    # The running task is kept per thread (Python 3.14): step out of the outer one while the private loop runs.
    outer_task = asyncio.current_task(outer)
    if outer_task is not None and getattr(outer_task, "_must_cancel", False):
        _close(main)  # Stop came while the caller ran: stop here rather than after the run
        raise asyncio.CancelledError
    if outer_task is not None:
        asyncio.tasks._leave_task(outer, outer_task)
        _stepped_out.append(outer_task)
    asyncio.events._set_running_loop(None)
    try:
        with asyncio.Runner(debug=debug, loop_factory=PrivateLoop) as runner:
            return runner.run(main)
    finally:
        asyncio.events._set_running_loop(outer)
        if outer_task is not None:
            _stepped_out.pop()
            asyncio.tasks._enter_task(outer, outer_task)
