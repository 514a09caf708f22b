"""The machinery under the thread modules: who is running, FIFO waiting, blocking from sync code.

A "thread" here is an asyncio Task on the kernel's loop; the current one lives in a context
variable. Sync methods that would block either finish at once, run their async version
through a configured blocking hook (Pyodide's ``run_sync`` under JSPI), or raise.
"""

from __future__ import annotations

import asyncio
import types
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from .threading import Thread

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

#: The thread whose task is running (None: code outside any thread, the "main thread").
current: ContextVar[Thread | None] = ContextVar("sync_kernel.threads.current", default=None)


def in_thread() -> bool:
    """Whether the running code is a thread's (a thread task's), not the main code's."""
    return current.get() is not None


def get_loop() -> asyncio.AbstractEventLoop:
    """The running loop, else the loop the policy hands out (code called from a JS callback)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        with warnings.catch_warnings():  # the policy API is deprecated in 3.14 but still the way there
            warnings.simplefilter("ignore", DeprecationWarning)
            return asyncio.get_event_loop_policy().get_event_loop()


# --- marking sync methods with their async versions, and the dispatcher -----------------


def awaitable_as(async_fn: Callable[..., Awaitable[Any]]) -> Callable[[F], F]:
    """Mark a blocking sync function with the async version :func:`wait` should await instead."""

    def mark(fn: F) -> F:
        setattr(fn, "__sync_async__", async_fn)  # noqa: B010 (a function attribute mypy cannot see)
        return fn

    return mark


async def wait(method: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """``await __sync__.wait(obj.method, ...)``: await the method's async version, or call a method not ours."""
    async_version = getattr(method, "__sync_async__", None)
    if async_version is None:
        return method(*args, **kwargs)
    owner = getattr(method, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        return await async_version(owner, *args, **kwargs)
    return await async_version(*args, **kwargs)


def entering(subject: Any) -> Any:
    """What ``async with entering(x):`` enters for a ``with`` subject that may not be ours.

    ``x`` itself when it is an async context manager, else its sync ``__enter__``/``__exit__``.
    """
    if hasattr(type(subject), "__aenter__"):
        return subject
    return _SyncEntered(subject)


class _SyncEntered:
    __slots__ = ("_subject",)

    def __init__(self, subject: Any) -> None:
        self._subject = subject

    async def __aenter__(self) -> Any:
        return type(self._subject).__enter__(self._subject)

    async def __aexit__(self, *exc_info: Any) -> Any:
        return type(self._subject).__exit__(self._subject, *exc_info)


# --- blocking from sync code ----------------------------------------------------------------

_run_sync: Callable[[Coroutine[Any, Any, Any]], Any] | None = None
_can_run_sync: Callable[[], bool] | None = None


def configure_blocking(
    run_sync: Callable[[Coroutine[Any, Any, Any]], Any] | None,
    can_run_sync: Callable[[], bool] | None = None,
) -> None:
    """Let sync waits that cannot finish at once block through ``run_sync(coroutine)``.

    ``can_run_sync()`` says whether blocking is possible right now (None: always).
    ``configure_blocking(None)`` goes back to raising.
    """
    global _run_sync, _can_run_sync
    _run_sync, _can_run_sync = run_sync, can_run_sync


def can_block() -> bool:
    """Whether :func:`block` can wait right now (under JSPI, in a cell entered to allow it)."""
    return _run_sync is not None and (_can_run_sync is None or _can_run_sync())


def block(make: Callable[[], Coroutine[Any, Any, T]], situation: str, call: str) -> T:
    """Finish a sync wait by running its async version through the hook, or explain why not.

    ``make`` builds the coroutine only when it will be run (no "never awaited" warnings).
    """
    if can_block():
        assert _run_sync is not None
        return cast(T, _run_sync(make()))
    raise RuntimeError(
        f"{situation} and this {call} cannot wait for it: the call was not rewritten to await "
        "(it is in a lambda, a callback or library code), and without WebAssembly stack switching "
        f"(JSPI) this browser cannot block; call {call} directly in a cell or in a plain function"
    )


# --- waiting in line ------------------------------------------------------------------------


def _expire(fut: asyncio.Future[bool]) -> None:
    if not fut.done():
        fut.set_result(False)


class Waiters:
    """Tasks waiting their turn, woken first-in, first-out; a wait may time out.

    Each waiter carries a tag (who it is) that :meth:`wake` hands back, so a lock can pass
    ownership straight to the task it wakes and latecomers cannot jump the line.
    """

    __slots__ = ("_line",)

    def __init__(self) -> None:
        self._line: deque[tuple[asyncio.Future[bool], object]] = deque()

    def __len__(self) -> int:
        return sum(1 for fut, _ in self._line if not fut.done())

    async def wait(
        self,
        timeout: float | None = None,
        *,
        tag: object = True,
        front: bool = False,
        on_lost: Callable[[], object] | None = None,
    ) -> bool:
        """Wait to be woken (True) or for ``timeout`` seconds (False).

        ``front``: a woken waiter that found its turn taken goes back to the head of the line.
        ``on_lost``: called when this task was woken but cancelled before it could use the wake,
        so the caller can pass the turn on.
        """
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[bool] = loop.create_future()
        entry = (fut, tag)
        if front:
            self._line.appendleft(entry)
        else:
            self._line.append(entry)
        timer = None if timeout is None else loop.call_later(max(timeout, 0.0), _expire, fut)
        try:
            return await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled() and fut.result() and on_lost is not None:
                on_lost()
            raise
        finally:
            if timer is not None:
                timer.cancel()
            try:
                self._line.remove(entry)
            except ValueError:
                pass

    def wake(self) -> object | None:
        """Wake the first waiter still waiting; its tag, or None when nobody waits."""
        while self._line:
            fut, tag = self._line.popleft()
            if not fut.done():
                fut.set_result(True)
                return tag
        return None

    def wake_all(self) -> int:
        woken = 0
        while self.wake() is not None:
            woken += 1
        return woken


def deadline(timeout: float | None) -> float | None:
    return None if timeout is None else get_loop().time() + timeout


def remaining(when: float | None) -> float | None:
    return None if when is None else when - get_loop().time()


# --- live thread tasks, and Stop ------------------------------------------------------------

_live: dict[asyncio.Task[Any], Callable[[], None]] = {}
_stop_hooks: list[Callable[[], None]] = []


def track(task: asyncio.Task[Any], on_cancel: Callable[[], None]) -> None:
    """Remember a thread's task until it ends; ``on_cancel`` marks the thread finished at once."""
    _live[task] = on_cancel
    task.add_done_callback(_forget)


def _forget(task: asyncio.Task[Any]) -> None:
    _live.pop(task, None)


def on_cancel_all(hook: Callable[[], None]) -> None:
    """Run ``hook`` first whenever :func:`cancel_all` runs (executors drop their queued work)."""
    if hook not in _stop_hooks:
        _stop_hooks.append(hook)


def cancel_all() -> int:
    """Cancel every running thread task and executor worker (the kernel's Stop); how many."""
    for hook in list(_stop_hooks):
        hook()
    tasks = list(_live.items())
    for task, on_cancel in tasks:
        task.cancel()
        on_cancel()  # is_alive() is False from now on, and joiners wake
    return len(tasks)
