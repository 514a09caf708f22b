"""``multiprocessing.pool.ThreadPool`` in the browser: a pool of threads, which here are tasks.

``ThreadPool`` keeps ``multiprocessing``'s API (``map``, ``starmap``, ``imap``, ``apply_async``,
``close``/``join``, ``with``: leaving it terminates the pool) over a
:class:`~sync_kernel.threads.concurrent.futures.ThreadPoolExecutor`. ``Pool`` (processes) is not
available. As everywhere in :mod:`sync_kernel.threads`, each wait has an async version the codemod
awaits.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .._core import awaitable_as, block
from ..concurrent import futures
from . import Pool

__all__ = ["AsyncResult", "Pool", "ThreadPool"]


class AsyncResult:
    """The result of ``apply_async``/``map_async``: ``get`` and ``wait`` wait for it."""

    #: What the codemod knows this as (`sync_kernel.codemod.waits`): which of its calls wait.
    __sync_kind__ = "AsyncResult"

    def __init__(
        self,
        parts: list[futures.Future],
        single: bool,
        callback: Callable[[Any], Any] | None,
        error_callback: Callable[[BaseException], Any] | None,
    ) -> None:
        self._parts = parts
        self._single = single
        self._callback = callback
        self._error_callback = error_callback
        self._reported = False
        for part in parts:
            part.add_done_callback(self._on_part_done)
        if not parts:
            self._on_part_done(None)

    def _on_part_done(self, _: object) -> None:
        if self._reported or not self.ready():
            return
        self._reported = True
        error = self._error()
        if error is not None:
            if self._error_callback is not None:
                self._error_callback(error)
        elif self._callback is not None:
            self._callback(self._value())

    def _error(self) -> BaseException | None:
        return next((e for part in self._parts if (e := part.exception(0)) is not None), None)

    def _value(self) -> Any:
        values = [part.result(0) for part in self._parts]
        return values[0] if self._single else values

    def ready(self) -> bool:
        return all(part.done() for part in self._parts)

    def successful(self) -> bool:
        if not self.ready():
            raise ValueError(f"{self!r} not ready")
        return self._error() is None

    async def _wait_async(self, timeout: float | None = None) -> None:
        await futures._wait_async(self._parts, timeout)

    @awaitable_as(_wait_async)
    def wait(self, timeout: float | None = None) -> None:
        if self.ready() or (timeout is not None and timeout <= 0):
            return
        block(lambda: self._wait_async(timeout), "the pool's work is not done", "wait()")

    async def _get_async(self, timeout: float | None = None) -> Any:
        await self._wait_async(timeout)
        return self._outcome()

    @awaitable_as(_get_async)
    def get(self, timeout: float | None = None) -> Any:
        if not self.ready():
            block(lambda: self._wait_async(timeout), "the pool's work is not done", "get()")
        return self._outcome()

    def _outcome(self) -> Any:
        if not self.ready():
            raise importlib.import_module("multiprocessing").TimeoutError  # the real module's, lazily
        error = self._error()
        if error is not None:
            raise error
        return self._value()


class ThreadPool:
    """``multiprocessing.pool.ThreadPool(processes)``: ``processes`` worker threads (tasks)."""

    #: What the codemod knows this as (`sync_kernel.codemod.waits`): which of its calls wait.
    __sync_kind__ = "Pool"

    def __init__(
        self,
        processes: int | None = None,
        initializer: Callable[..., Any] | None = None,
        initargs: Iterable[Any] = (),
    ) -> None:
        processes = processes if processes is not None else os.cpu_count() or 1
        if processes < 1:
            raise ValueError("Number of processes must be at least 1")
        self._executor = futures.ThreadPoolExecutor(
            processes, thread_name_prefix="ThreadPool", initializer=initializer, initargs=tuple(initargs)
        )
        self._state = "RUN"

    def _check_running(self) -> None:
        if self._state != "RUN":
            raise ValueError("Pool not running")

    def _submit(self, func: Callable[..., Any], args: Iterable[Any], kwds: Mapping[str, Any]) -> futures.Future:
        self._check_running()
        return self._executor.submit(func, *args, **kwds)

    # -- asynchronous forms: they return at once --------------------------------------------

    def apply_async(
        self,
        func: Callable[..., Any],
        args: Iterable[Any] = (),
        kwds: Mapping[str, Any] | None = None,
        callback: Callable[[Any], Any] | None = None,
        error_callback: Callable[[BaseException], Any] | None = None,
    ) -> AsyncResult:
        return AsyncResult([self._submit(func, args, kwds or {})], True, callback, error_callback)

    def map_async(
        self,
        func: Callable[..., Any],
        iterable: Iterable[Any],
        chunksize: int | None = None,
        callback: Callable[[Any], Any] | None = None,
        error_callback: Callable[[BaseException], Any] | None = None,
    ) -> AsyncResult:
        parts = [self._submit(func, (item,), {}) for item in iterable]
        return AsyncResult(parts, False, callback, error_callback)

    def starmap_async(
        self,
        func: Callable[..., Any],
        iterable: Iterable[Iterable[Any]],
        chunksize: int | None = None,
        callback: Callable[[Any], Any] | None = None,
        error_callback: Callable[[BaseException], Any] | None = None,
    ) -> AsyncResult:
        parts = [self._submit(func, args, {}) for args in iterable]
        return AsyncResult(parts, False, callback, error_callback)

    # -- waiting forms -------------------------------------------------------------------------

    async def _apply_async(
        self, func: Callable[..., Any], args: Iterable[Any] = (), kwds: Mapping[str, Any] | None = None
    ) -> Any:
        return await self.apply_async(func, args, kwds)._get_async()

    @awaitable_as(_apply_async)
    def apply(self, func: Callable[..., Any], args: Iterable[Any] = (), kwds: Mapping[str, Any] | None = None) -> Any:
        return self.apply_async(func, args, kwds).get()

    async def _map_async(self, func: Callable[..., Any], iterable: Iterable[Any], chunksize: int | None = None) -> Any:
        return await self.map_async(func, iterable)._get_async()

    @awaitable_as(_map_async)
    def map(self, func: Callable[..., Any], iterable: Iterable[Any], chunksize: int | None = None) -> list[Any]:
        return self.map_async(func, iterable).get()  # type: ignore[no-any-return]

    async def _starmap_async(
        self, func: Callable[..., Any], iterable: Iterable[Iterable[Any]], chunksize: int | None = None
    ) -> Any:
        return await self.starmap_async(func, iterable)._get_async()

    @awaitable_as(_starmap_async)
    def starmap(
        self, func: Callable[..., Any], iterable: Iterable[Iterable[Any]], chunksize: int | None = None
    ) -> list[Any]:
        return self.starmap_async(func, iterable).get()  # type: ignore[no-any-return]

    async def _imap_async(self, func: Callable[..., Any], iterable: Iterable[Any], chunksize: int = 1) -> Iterator[Any]:
        return iter(await self._map_async(func, iterable))

    @awaitable_as(_imap_async)
    def imap(self, func: Callable[..., Any], iterable: Iterable[Any], chunksize: int = 1) -> Iterator[Any]:
        """The results in order, each waited for as it is reached (awaited: all, then in order)."""
        parts = [self._submit(func, (item,), {}) for item in iterable]
        return (part.result() for part in parts)

    async def _imap_unordered_async(
        self, func: Callable[..., Any], iterable: Iterable[Any], chunksize: int = 1
    ) -> Iterator[Any]:
        parts = [self._submit(func, (item,), {}) for item in iterable]
        done = await futures._as_completed_async(parts)
        return (part.result() for part in done)

    @awaitable_as(_imap_unordered_async)
    def imap_unordered(self, func: Callable[..., Any], iterable: Iterable[Any], chunksize: int = 1) -> Iterator[Any]:
        parts = [self._submit(func, (item,), {}) for item in iterable]
        return (part.result() for part in futures.as_completed(parts))

    # -- ending ----------------------------------------------------------------------------------

    def close(self) -> None:
        """No more work; what was given still runs."""
        if self._state == "RUN":
            self._state = "CLOSE"

    def terminate(self) -> None:
        """Stop at once: work not started is dropped, running work is cancelled."""
        self._state = "TERMINATE"
        self._executor._stop()
        self._executor._begin_shutdown(cancel_futures=True)

    async def _join_async(self) -> None:
        if self._state == "RUN":
            raise ValueError("Pool is still running")
        await self._executor._shutdown_async(wait=True)

    @awaitable_as(_join_async)
    def join(self) -> None:
        if self._state == "RUN":
            raise ValueError("Pool is still running")
        self._executor.shutdown(wait=True)

    def __enter__(self) -> ThreadPool:
        self._check_running()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.terminate()  # as multiprocessing's pools do
