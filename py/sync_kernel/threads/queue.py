"""``queue`` for thread tasks: the stdlib queues, with getters and putters waiting on the loop.

Blocking ``get``/``put``/``join`` have async versions the codemod awaits; waiting getters and
putters are served first-in, first-out. ``Empty`` and ``Full`` are the stdlib classes themselves,
so ``except queue.Empty`` catches them whichever ``queue`` the code imported.
"""

from __future__ import annotations

import heapq
import queue as _queue
import types
from collections import deque
from typing import Any, ClassVar

from ._core import Waiters, awaitable_as, deadline, remaining
from ._core import block as _block  # ``block`` is a parameter of put and get
from .threading import Lock

__all__ = ["Empty", "Full", "Queue", "PriorityQueue", "LifoQueue", "SimpleQueue"]

Empty = _queue.Empty
Full = _queue.Full


def __getattr__(name: str) -> Any:
    return getattr(_queue, name)


def _check_timeout(timeout: float | None) -> None:
    if timeout is not None and timeout < 0:
        raise ValueError("'timeout' must be a non-negative number")


class Queue:
    """A FIFO queue of at most ``maxsize`` items (0: unbounded), with ``task_done``/``join``."""

    #: What the codemod knows this as (`sync_kernel.codemod.waits`): which of its calls wait.
    __sync_kind__ = "Queue"

    __class_getitem__: ClassVar[Any] = classmethod(types.GenericAlias)

    def __init__(self, maxsize: int = 0) -> None:
        self.maxsize = maxsize
        self._init(maxsize)
        self.mutex = Lock()  # for code that does ``with q.mutex: q.queue.clear()``
        self._getters = Waiters()
        self._putters = Waiters()
        self._all_done = Waiters()
        self.unfinished_tasks = 0

    # The storage, overridden by LifoQueue and PriorityQueue as in the stdlib.
    def _init(self, maxsize: int) -> None:
        self.queue: Any = deque()

    def _qsize(self) -> int:
        return len(self.queue)

    def _put(self, item: Any) -> None:
        self.queue.append(item)

    def _get(self) -> Any:
        return self.queue.popleft()

    def qsize(self) -> int:
        return self._qsize()

    def empty(self) -> bool:
        return not self._qsize()

    def full(self) -> bool:
        return 0 < self.maxsize <= self._qsize()

    def _put_now(self, item: Any) -> None:
        self._put(item)
        self.unfinished_tasks += 1
        self._getters.wake()

    def _get_now(self) -> Any:
        item = self._get()
        self._putters.wake()
        return item

    async def _put_async(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        _check_timeout(timeout)
        if self.full():
            if not block:
                raise Full
            when = deadline(timeout)
            woken = False
            while self.full():
                # A woken putter whose slot was taken meanwhile keeps its place at the front.
                left = remaining(when)
                if left is not None and left <= 0:
                    raise Full
                woken = await self._putters.wait(left, front=woken, on_lost=self._putters.wake)
                if not woken:
                    raise Full
        self._put_now(item)

    @awaitable_as(_put_async)
    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        """Put ``item``; when full wait for a free slot (``Full`` after ``timeout``)."""
        _check_timeout(timeout)
        if not self.full():
            return self._put_now(item)
        if not block or timeout == 0:
            raise Full
        return _block(lambda: self._put_async(item, block, timeout), "the Queue is full", "put()")

    async def _get_async(self, block: bool = True, timeout: float | None = None) -> Any:
        _check_timeout(timeout)
        if not self._qsize():
            if not block:
                raise Empty
            when = deadline(timeout)
            woken = False
            while not self._qsize():
                left = remaining(when)
                if left is not None and left <= 0:
                    raise Empty
                woken = await self._getters.wait(left, front=woken, on_lost=self._getters.wake)
                if not woken:
                    raise Empty
        return self._get_now()

    @awaitable_as(_get_async)
    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        """Remove and return the next item; when empty wait for one (``Empty`` after ``timeout``)."""
        _check_timeout(timeout)
        if self._qsize():
            return self._get_now()
        if not block or timeout == 0:
            raise Empty
        return _block(lambda: self._get_async(block, timeout), "the Queue is empty", "get()")

    def put_nowait(self, item: Any) -> None:
        return self.put(item, block=False)

    def get_nowait(self) -> Any:
        return self.get(block=False)

    def task_done(self) -> None:
        unfinished = self.unfinished_tasks - 1
        if unfinished <= 0:
            if unfinished < 0:
                raise ValueError("task_done() called too many times")
            self._all_done.wake_all()
        self.unfinished_tasks = unfinished

    async def _join_async(self) -> None:
        while self.unfinished_tasks:
            await self._all_done.wait()

    @awaitable_as(_join_async)
    def join(self) -> None:
        """Wait until every item put has been marked with ``task_done``."""
        if self.unfinished_tasks:
            _block(self._join_async, "tasks in the Queue are unfinished", "join()")


class LifoQueue(Queue):
    """Last in, first out."""

    def _init(self, maxsize: int) -> None:
        self.queue = []

    def _get(self) -> Any:
        return self.queue.pop()


class PriorityQueue(Queue):
    """Smallest item first (items are often ``(priority, data)`` tuples)."""

    def _init(self, maxsize: int) -> None:
        self.queue = []

    def _put(self, item: Any) -> None:
        heapq.heappush(self.queue, item)

    def _get(self) -> Any:
        return heapq.heappop(self.queue)


class SimpleQueue:
    """An unbounded FIFO queue without task tracking."""

    #: What the codemod knows this as (`sync_kernel.codemod.waits`): which of its calls wait.
    __sync_kind__ = "Queue"

    __class_getitem__: ClassVar[Any] = classmethod(types.GenericAlias)

    def __init__(self) -> None:
        self._items: deque[Any] = deque()
        self._getters = Waiters()

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        """Put ``item``; never blocks (the arguments are there for compatibility with Queue)."""
        self._items.append(item)
        self._getters.wake()

    def put_nowait(self, item: Any) -> None:
        self.put(item, block=False)

    async def _get_async(self, block: bool = True, timeout: float | None = None) -> Any:
        _check_timeout(timeout)
        when = deadline(timeout)
        woken = False
        while not self._items:
            left = remaining(when)
            if not block or (left is not None and left <= 0):
                raise Empty
            woken = await self._getters.wait(left, front=woken, on_lost=self._getters.wake)
            if not woken:
                raise Empty
        return self._items.popleft()

    @awaitable_as(_get_async)
    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        _check_timeout(timeout)
        if self._items:
            return self._items.popleft()
        if not block or timeout == 0:
            raise Empty
        return _block(lambda: self._get_async(block, timeout), "the SimpleQueue is empty", "get()")

    def get_nowait(self) -> Any:
        return self.get(block=False)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)
