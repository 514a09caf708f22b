"""``concurrent.futures`` for thread tasks: a ThreadPoolExecutor whose workers are Thread tasks.

Futures are the stdlib class with ``result``/``exception`` that wait on the loop, and ``wait``
and ``as_completed`` await completion; the blocking calls have async versions the codemod awaits.
There are no processes in the browser, so ProcessPoolExecutor raises.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as _futures
import contextvars
import inspect
import itertools
import os
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    FIRST_EXCEPTION,
    BrokenExecutor,
    CancelledError,
    Executor,
    InvalidStateError,
)
from concurrent.futures._base import LOGGER, DoneAndNotDoneFutures
from concurrent.futures.thread import BrokenThreadPool
from typing import Any

from .. import _core
from .._core import Waiters, awaitable_as, block, deadline, remaining
from ..threading import Thread, current_thread

__all__ = [
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "ALL_COMPLETED",
    "CancelledError",
    "TimeoutError",
    "BrokenExecutor",
    "InvalidStateError",
    "Future",
    "Executor",
    "wait",
    "as_completed",
    "ProcessPoolExecutor",
    "ThreadPoolExecutor",
]

TimeoutError = _futures.TimeoutError  # the builtin since 3.11; named here as the stdlib names it
AnyFuture = _futures.Future[Any]


def __getattr__(name: str) -> Any:
    return getattr(_futures, name)


async def _any_done(fs: Iterable[AnyFuture], timeout: float | None) -> bool:
    """Wait until one of ``fs`` is done (True) or ``timeout`` passes (False)."""
    fs = list(fs)
    if any(f.done() for f in fs):
        return True
    finished = Waiters()
    for f in fs:
        # stdlib futures cannot drop a callback; a late call just wakes nobody.
        f.add_done_callback(lambda _: finished.wake_all())
    return await finished.wait(timeout)


class Future(_futures.Future[Any]):
    """The stdlib Future, whose ``result`` and ``exception`` wait on the loop, not on a lock."""

    #: What the codemod knows this as (`sync_kernel.codemod.waits`): which of its calls wait.
    __sync_kind__ = "Future"

    async def _result_async(self, timeout: float | None = None) -> Any:
        if not await _any_done([self], timeout):
            raise TimeoutError
        return _futures.Future.result(self, 0)

    @awaitable_as(_result_async)
    def result(self, timeout: float | None = None) -> Any:
        if self.done() or (timeout is not None and timeout <= 0):
            return super().result(0)
        return block(lambda: self._result_async(timeout), f"{self!r} is not done", "result()")

    async def _exception_async(self, timeout: float | None = None) -> BaseException | None:
        if not await _any_done([self], timeout):
            raise TimeoutError
        return _futures.Future.exception(self, 0)

    @awaitable_as(_exception_async)
    def exception(self, timeout: float | None = None) -> BaseException | None:
        if self.done() or (timeout is not None and timeout <= 0):
            return super().exception(0)
        return block(lambda: self._exception_async(timeout), f"{self!r} is not done", "exception()")


# --- the executor ---------------------------------------------------------------------------


class _WorkItem:
    def __init__(self, future: Future, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.future = future
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        # The submitter's context, so output goes where the submitting cell's goes.
        self.context = contextvars.copy_context()

    async def run(self) -> None:
        if not self.future.set_running_or_notify_cancel():
            return
        context = self.context
        context.run(_core.current.set, current_thread())  # the worker, not the submitter
        try:
            result = context.run(self.fn, *self.args, **self.kwargs)
            if inspect.isawaitable(result):
                result = await context.run(asyncio.ensure_future, result)
        except asyncio.CancelledError as exc:
            task = asyncio.current_task()
            if task is None or not task.cancelling():
                self.future.set_exception(exc)  # the call's own cancellation is its outcome
                return
            # The worker is being stopped (cancel_all): the call will not finish.
            self.future.set_exception(CancelledError())
            raise
        except BaseException as exc:
            self.future.set_exception(exc)
        else:
            self.future.set_result(result)


def _default_max_workers() -> int:
    cpu_count = getattr(os, "process_cpu_count", os.cpu_count)  # what CPython uses since 3.13
    return min(32, (cpu_count() or 1) + 4)


class ThreadPoolExecutor(Executor):
    """Run calls on at most ``max_workers`` worker threads, started on demand as CPython does."""

    #: What the codemod knows this as (`sync_kernel.codemod.waits`): which of its calls wait.
    __sync_kind__ = "Executor"

    _counter = itertools.count().__next__  # names the workers of executors without a prefix

    def __init__(
        self,
        max_workers: int | None = None,
        thread_name_prefix: str = "",
        initializer: Callable[..., Any] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        if max_workers is None:
            max_workers = _default_max_workers()
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self._max_workers = max_workers
        self._thread_name_prefix = thread_name_prefix or f"ThreadPoolExecutor-{self._counter()}"
        self._initializer = initializer
        self._initargs = initargs
        self._work: deque[_WorkItem] = deque()
        self._idle = Waiters()  # workers waiting for work
        self._threads: list[Thread] = []
        self._threads_started = 0
        self._running = 0
        self._broken: str | None = None
        self._shutdown = False
        _executors.add(self)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if self._broken:
            raise BrokenThreadPool(self._broken)
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future = Future()
        self._work.append(_WorkItem(future, fn, args, kwargs))
        self._adjust_thread_count()
        return future

    def _adjust_thread_count(self) -> None:
        if self._idle.wake() is not None:
            return  # an idle worker takes the work
        self._threads = [t for t in self._threads if t.is_alive()]  # a Stop may have ended some
        if len(self._threads) < self._max_workers:
            name = f"{self._thread_name_prefix}_{self._threads_started}"
            self._threads_started += 1
            thread = Thread(name=name, target=self._worker)
            thread.start()
            self._threads.append(thread)

    async def _worker(self) -> None:
        if self._initializer is not None:
            try:
                result = self._initializer(*self._initargs)
                if inspect.isawaitable(result):
                    await result
            except asyncio.CancelledError:
                raise
            except BaseException:
                LOGGER.critical("Exception in initializer:", exc_info=True)
                self._initializer_failed()
                return
        while True:
            while self._work and not self._broken:
                item = self._work.popleft()
                self._running += 1
                try:
                    await item.run()
                finally:
                    self._running -= 1
                del item
            if self._shutdown or self._broken:
                return
            await self._idle.wait()

    def _initializer_failed(self) -> None:
        self._broken = "A thread initializer failed, the thread pool is not usable anymore"
        while self._work:
            self._work.popleft().future.set_exception(BrokenThreadPool(self._broken))
        self._idle.wake_all()

    async def _map_async(
        self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None, chunksize: int = 1
    ) -> Iterator[Any]:
        end_time = None if timeout is None else time.monotonic() + timeout
        fs = [self.submit(fn, *args) for args in zip(*iterables, strict=False)]
        try:
            await _wait_async(fs, timeout)
        except BaseException:
            # Stopped while waiting (KeyboardInterrupt): as desktop's result iterator, closed
            # there, the calls not yet started are cancelled, so leaving the pool waits for no more.
            for future in fs:
                future.cancel()
            raise
        # Everything is done (or the time is up): iterating never waits.
        return _results_in_order(fs, end_time)

    @awaitable_as(_map_async)
    def map(
        self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None, chunksize: int = 1
    ) -> Iterator[Any]:
        """Submit every call now; the results in order, each waited for as it is reached
        (``async for`` awaits each, so a loop over them prints each result as it comes)."""
        end_time = None if timeout is None else time.monotonic() + timeout
        fs = [self.submit(fn, *args) for args in zip(*iterables, strict=False)]
        return _MapResults(fs, end_time)

    def _begin_shutdown(self, cancel_futures: bool) -> None:
        self._shutdown = True
        if cancel_futures:
            while self._work:
                self._work.popleft().future.cancel()
        self._idle.wake_all()  # idle workers see the shutdown and end

    async def _join_workers(self) -> None:
        me = current_thread()
        for thread in list(self._threads):
            if thread is not me:
                await thread._join_async()

    async def _shutdown_async(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._begin_shutdown(cancel_futures)
        if wait:
            await self._join_workers()

    @awaitable_as(_shutdown_async)
    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._begin_shutdown(cancel_futures)
        # Idle workers end at their next turn: only queued or running work is worth waiting for.
        if wait and (self._work or self._running):
            block(self._join_workers, f"{self._running + len(self._work)} calls are unfinished", "shutdown()")

    async def __aenter__(self) -> ThreadPoolExecutor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._shutdown_async(wait=True)

    def _stop(self) -> None:
        """Stop (cancel_all): queued calls are cancelled; running ones end with their workers."""
        while self._work:
            self._work.popleft().future.cancel()


_executors: weakref.WeakSet[ThreadPoolExecutor] = weakref.WeakSet()


def _stop_executors() -> None:
    for executor in list(_executors):
        executor._stop()


_core.on_cancel_all(_stop_executors)


def _results_in_order(fs: list[Future], end_time: float | None) -> Iterator[Any]:
    """Each future's result in turn (raising its exception there); the rest cancelled if left early."""
    try:
        fs.reverse()  # pop from the end, dropping each future once used
        while fs:
            future = fs.pop()
            try:
                yield future.result(None if end_time is None else end_time - time.monotonic())
            finally:
                future.cancel()
    finally:
        for future in fs:
            future.cancel()


class _MapResults(Iterator[Any], AsyncIterator[Any]):
    """What ``pool.map`` returns: the results in order, with ``for`` (see :func:`_results_in_order`)
    or ``async for`` (the codemod's ``for r in pool.map(...)``), each waited for as it is reached."""

    def __init__(self, fs: list[Future], end_time: float | None) -> None:
        self._fs = fs
        self._end_time = end_time
        self._results: Iterator[Any] | None = None
        self._awaited: AsyncIterator[Any] | None = None

    def __iter__(self) -> _MapResults:
        return self

    def __next__(self) -> Any:
        if self._results is None:
            self._results = _results_in_order(self._fs, self._end_time)
        return next(self._results)

    def __aiter__(self) -> _MapResults:
        return self

    def __anext__(self) -> Any:
        if self._awaited is None:
            self._awaited = _results_in_order_async(self._fs, self._end_time)
        return self._awaited.__anext__()


async def _results_in_order_async(fs: list[Future], end_time: float | None) -> AsyncIterator[Any]:
    """:func:`_results_in_order`, awaiting each result on the loop."""
    try:
        fs.reverse()
        while fs:
            future = fs.pop()
            try:
                yield await future._result_async(None if end_time is None else end_time - time.monotonic())
            finally:
                future.cancel()
    finally:
        for future in fs:
            future.cancel()


class ProcessPoolExecutor(Executor):
    """Not available: there are no processes in the browser."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            "ProcessPoolExecutor is not available in the browser (no processes); "
            "use ThreadPoolExecutor, which runs its work as tasks"
        )


# --- waiting for several futures ------------------------------------------------------------


def _split(fs: set[AnyFuture], return_when: str) -> tuple[set[AnyFuture], set[AnyFuture], bool]:
    """Done, not done, and whether ``wait`` may return."""
    done = {f for f in fs if f.done()}
    not_done = fs - done
    if return_when == FIRST_COMPLETED:
        finished = bool(done)
    elif return_when == FIRST_EXCEPTION:
        finished = not not_done or any(not f.cancelled() and f.exception() is not None for f in done)
    else:
        finished = not not_done
    return done, not_done, finished


async def _wait_async(
    fs: Iterable[AnyFuture], timeout: float | None = None, return_when: str = ALL_COMPLETED
) -> DoneAndNotDoneFutures[Any]:
    fs = set(fs)
    when = deadline(timeout)
    while True:
        done, not_done, finished = _split(fs, return_when)
        left = remaining(when)
        if finished or (left is not None and left <= 0):
            return DoneAndNotDoneFutures(done, not_done)
        await _any_done(not_done, left)


@awaitable_as(_wait_async)
def wait(
    fs: Iterable[AnyFuture], timeout: float | None = None, return_when: str = ALL_COMPLETED
) -> DoneAndNotDoneFutures[Any]:
    """Wait for the futures (all, the first, or the first failure); the done and the not done."""
    fs = set(fs)
    done, not_done, finished = _split(fs, return_when)
    if finished or (timeout is not None and timeout <= 0):
        return DoneAndNotDoneFutures(done, not_done)
    unfinished = f"{len(not_done)} (of {len(fs)}) futures are unfinished"
    return block(lambda: _wait_async(fs, timeout, return_when), unfinished, "wait()")


class _AsCompleted(Iterator[AnyFuture], AsyncIterator[AnyFuture]):
    """The futures as they finish (finished ones first): iterate with ``for`` or ``async for``."""

    def __init__(self, fs: Iterable[AnyFuture], timeout: float | None) -> None:
        unique = list(dict.fromkeys(fs))
        self._total = len(unique)
        self._end_time = None if timeout is None else time.monotonic() + timeout
        self._finished = deque(f for f in unique if f.done())
        self._pending = {f for f in unique if not f.done()}
        self._arrived = Waiters()
        for f in self._pending:
            f.add_done_callback(self._on_done)

    def _on_done(self, future: AnyFuture) -> None:
        if future in self._pending:
            self._pending.discard(future)
            self._finished.append(future)
            self._arrived.wake_all()

    def _left(self) -> float | None:
        return None if self._end_time is None else self._end_time - time.monotonic()

    def _timed_out(self) -> TimeoutError:
        return TimeoutError(f"{len(self._pending)} (of {self._total}) futures unfinished")

    def __iter__(self) -> _AsCompleted:
        return self

    def __next__(self) -> AnyFuture:
        if self._finished:
            return self._finished.popleft()
        if not self._pending:
            raise StopIteration
        left = self._left()
        if left is not None and left <= 0:
            raise self._timed_out()
        unfinished = f"{len(self._pending)} (of {self._total}) futures are unfinished"
        return block(self.__anext__, unfinished, "as_completed()")

    def __aiter__(self) -> _AsCompleted:
        return self

    async def __anext__(self) -> AnyFuture:
        while not self._finished:
            if not self._pending:
                raise StopAsyncIteration
            left = self._left()
            if left is not None and left <= 0:
                raise self._timed_out()
            await self._arrived.wait(left)
        return self._finished.popleft()


def _then_raise(futures: list[AnyFuture], error: BaseException) -> Iterator[AnyFuture]:
    yield from futures
    raise error


async def _as_completed_async(fs: Iterable[AnyFuture], timeout: float | None = None) -> Iterator[AnyFuture]:
    in_order: list[AnyFuture] = []
    try:
        async for future in _AsCompleted(fs, timeout):
            in_order.append(future)
    except TimeoutError as error:
        return _then_raise(in_order, error)  # as the stdlib: the finished ones, then the timeout
    return iter(in_order)


@awaitable_as(_as_completed_async)
def as_completed(fs: Iterable[AnyFuture], timeout: float | None = None) -> _AsCompleted:
    """The futures as they finish; ``async for`` waits on the loop, ``for`` is the sync fallback."""
    return _AsCompleted(fs, timeout)
