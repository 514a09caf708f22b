"""``threading`` for a kernel without threads: each Thread runs as an asyncio Task on the loop.

The API and messages follow CPython's ``threading``; blocking methods have async versions that
the codemod awaits, and their sync forms finish at once, block through the configured hook, or
raise. Anything not defined here (``settrace``, ``stack_size``, ...) comes from the real module.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import itertools
import logging
import sys
import threading as _threading
import weakref
from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import Any, cast

from . import _core
from ._core import Waiters, awaitable_as, block

__all__ = list(_threading.__all__)

BrokenBarrierError = _threading.BrokenBarrierError
ExceptHookArgs = _threading.ExceptHookArgs
ThreadError = _threading.ThreadError
TIMEOUT_MAX = _threading.TIMEOUT_MAX
#: Called with an ExceptHookArgs for an exception a thread's body lets out; replaceable.
excepthook = __excepthook__ = _threading.__excepthook__  # type: ignore[attr-defined]


def __getattr__(name: str) -> Any:
    return getattr(_threading, name)


async def _resolved(value: Any) -> Any:
    """The value, or what it resolves to when the codemod made its function async."""
    return await value if inspect.isawaitable(value) else value


def _acquire_timeout(blocking: bool, timeout: float) -> float | None:
    """Check ``acquire``'s arguments as ``_thread`` does; the wait in seconds (None: forever)."""
    if not blocking and timeout != -1:
        raise ValueError("can't specify a timeout for a non-blocking call")
    if timeout < 0 and timeout != -1:
        raise ValueError("timeout value must be positive")
    if timeout > TIMEOUT_MAX:
        raise OverflowError("timeout value is too large")
    return None if timeout == -1 else timeout


class _Acquirable:
    """``with`` (sync fallback) and ``async with`` over ``acquire``/``release``."""

    #: What the codemod knows this as (`sync_kernel.codemod.waits`): which of its calls wait.
    __sync_kind__ = "Lock"

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        raise NotImplementedError

    async def _acquire_async(self, blocking: bool = True, timeout: float = -1) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    async def __aenter__(self) -> bool:
        return await self._acquire_async()

    async def __aexit__(self, *exc_info: object) -> None:
        self.release()


# --- locks ----------------------------------------------------------------------------------


class Lock(_Acquirable):
    """A primitive lock. ``release`` hands it to the first waiter, so waiters go in FIFO order."""

    def __init__(self) -> None:
        self._locked = False
        self._waiters = Waiters()

    def __repr__(self) -> str:
        cls = type(self)
        state = "locked" if self._locked else "unlocked"
        return f"<{state} {cls.__module__}.{cls.__qualname__} object at {id(self):#x}>"

    def locked(self) -> bool:
        return self._locked

    async def _acquire_async(self, blocking: bool = True, timeout: float = -1) -> bool:
        wait_for = _acquire_timeout(blocking, timeout)
        if not self._locked:
            self._locked = True
            return True
        if not blocking:
            return False
        # On a True wake the lock is already ours (release handed it over).
        return await self._waiters.wait(wait_for, on_lost=self.release)

    @awaitable_as(_acquire_async)
    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        wait_for = _acquire_timeout(blocking, timeout)
        if not self._locked:
            self._locked = True
            return True
        if not blocking or wait_for == 0:
            return False
        return block(lambda: self._acquire_async(blocking, timeout), "the Lock is held", "acquire()")

    def release(self) -> None:
        if not self._locked:
            raise RuntimeError("release unlocked lock")
        if self._waiters.wake() is None:
            self._locked = False

    # What Condition needs of its lock.
    def _is_owned(self) -> bool:
        return self._locked

    def _release_save(self) -> object:
        self.release()
        return None

    async def _acquire_restore_async(self, state: object) -> None:
        await self._acquire_async()


class RLock(_Acquirable):
    """A reentrant lock, owned by the thread that acquired it; FIFO like :class:`Lock`."""

    def __init__(self) -> None:
        self._owner: Thread | None = None
        self._count = 0
        self._waiters = Waiters()

    def __repr__(self) -> str:
        cls = type(self)
        state = "locked" if self._owner is not None else "unlocked"
        owner = self._owner.ident if self._owner is not None else 0
        return (
            f"<{state} {cls.__module__}.{cls.__qualname__} object owner={owner!r} count={self._count} at {id(self):#x}>"
        )

    def _take(self, me: Thread) -> bool:
        if self._owner is me:
            self._count += 1
            return True
        if self._owner is None:
            self._owner, self._count = me, 1
            return True
        return False

    async def _acquire_async(self, blocking: bool = True, timeout: float = -1) -> bool:
        wait_for = _acquire_timeout(blocking, timeout)
        me = current_thread()
        if self._take(me):
            return True
        if not blocking:
            return False
        return await self._waiters.wait(wait_for, tag=me, on_lost=self._pass_on)

    @awaitable_as(_acquire_async)
    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        wait_for = _acquire_timeout(blocking, timeout)
        if self._take(current_thread()):
            return True
        if not blocking or wait_for == 0:
            return False
        owner = self._owner.name if self._owner is not None else "another thread"
        return block(lambda: self._acquire_async(blocking, timeout), f"the RLock is held by {owner}", "acquire()")

    def release(self) -> None:
        if self._owner is not current_thread():
            raise RuntimeError("cannot release un-acquired lock")
        self._count -= 1
        if self._count == 0:
            self._pass_on()

    def _pass_on(self) -> None:
        """Give the lock to the first waiter (its tag is its thread), or leave it free."""
        self._owner = cast("Thread | None", self._waiters.wake())
        self._count = 0 if self._owner is None else 1

    def _is_owned(self) -> bool:
        return self._owner is current_thread()

    def _recursion_count(self) -> int:
        return self._count if self._is_owned() else 0

    def _release_save(self) -> object:
        if not self._is_owned():
            raise RuntimeError("cannot release un-acquired lock")
        state = (self._count, self._owner)
        self._pass_on()
        return state

    async def _acquire_restore_async(self, state: object) -> None:
        await self._acquire_async()
        self._count, self._owner = cast("tuple[int, Thread]", state)


class Condition:
    """Wait until notified, releasing the lock meanwhile; ``notify`` wakes the oldest waiters."""

    #: What the codemod knows this as (`sync_kernel.codemod.waits`): which of its calls wait.
    __sync_kind__ = "Condition"

    def __init__(self, lock: Lock | RLock | None = None) -> None:
        self._lock: Lock | RLock = RLock() if lock is None else lock
        self.acquire = self._lock.acquire
        self.release = self._lock.release
        self._waiters = Waiters()

    def __repr__(self) -> str:
        return f"<Condition({self._lock}, {len(self._waiters)})>"

    def __enter__(self) -> bool:
        return self._lock.__enter__()

    def __exit__(self, *exc_info: object) -> None:
        self._lock.__exit__(*exc_info)

    async def __aenter__(self) -> bool:
        return await self._lock.__aenter__()

    async def __aexit__(self, *exc_info: object) -> None:
        await self._lock.__aexit__(*exc_info)

    def _is_owned(self) -> bool:
        return self._lock._is_owned()

    async def _wait_async(self, timeout: float | None = None) -> bool:
        if not self._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        saved = self._lock._release_save()
        try:
            return await self._waiters.wait(timeout)
        finally:
            # The lock must be held again on the way out, even when cancelled meanwhile.
            cancelled = False
            while True:
                try:
                    await self._lock._acquire_restore_async(saved)
                    break
                except asyncio.CancelledError:
                    cancelled = True
            if cancelled:
                raise asyncio.CancelledError

    @awaitable_as(_wait_async)
    def wait(self, timeout: float | None = None) -> bool:
        if not self._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        if timeout is not None and timeout <= 0:
            return False
        return block(lambda: self._wait_async(timeout), "nothing has notified the Condition yet", "wait()")

    async def _wait_for_async(self, predicate: Callable[[], Any], timeout: float | None = None) -> Any:
        loop = asyncio.get_running_loop()
        endtime: float | None = None
        waittime = timeout
        result = await _resolved(predicate())
        while not result:
            if waittime is not None:
                if endtime is None:
                    endtime = loop.time() + waittime
                else:
                    waittime = endtime - loop.time()
                    if waittime <= 0:
                        break
            await self._wait_async(waittime)
            result = await _resolved(predicate())
        return result

    @awaitable_as(_wait_for_async)
    def wait_for(self, predicate: Callable[[], Any], timeout: float | None = None) -> Any:
        result = predicate()
        if result or (timeout is not None and timeout <= 0):
            return result
        return block(lambda: self._wait_for_async(predicate, timeout), "the predicate is false", "wait_for()")

    def notify(self, n: int = 1) -> None:
        if not self._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        for _ in range(n):
            if self._waiters.wake() is None:
                break

    def notify_all(self) -> None:
        if not self._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        self._waiters.wake_all()

    notifyAll = notify_all


class Semaphore(_Acquirable):
    """A counter of permits; ``release`` hands a permit to the first waiter (FIFO)."""

    def __init__(self, value: int = 1) -> None:
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        self._value = value
        self._waiters = Waiters()

    def __repr__(self) -> str:
        cls = type(self)
        return f"<{cls.__module__}.{cls.__qualname__} at {id(self):#x}: value={self._value}>"

    async def _acquire_async(self, blocking: bool = True, timeout: float | None = None) -> bool:
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        if self._value > 0:
            self._value -= 1
            return True
        if not blocking:
            return False
        return await self._waiters.wait(timeout, on_lost=self.release)

    @awaitable_as(_acquire_async)
    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        if self._value > 0:
            self._value -= 1
            return True
        if not blocking or (timeout is not None and timeout <= 0):
            return False
        return block(lambda: self._acquire_async(blocking, timeout), "the Semaphore has no permit left", "acquire()")

    def release(self, n: int = 1) -> None:
        if n < 1:
            raise ValueError("n must be one or more")
        for _ in range(n):
            if self._waiters.wake() is None:
                self._value += 1


class BoundedSemaphore(Semaphore):
    """A Semaphore that refuses to be released above its initial value."""

    def __init__(self, value: int = 1) -> None:
        super().__init__(value)
        self._initial_value = value

    def __repr__(self) -> str:
        cls = type(self)
        return f"<{cls.__module__}.{cls.__qualname__} at {id(self):#x}: value={self._value}/{self._initial_value}>"

    def release(self, n: int = 1) -> None:
        if n < 1:
            raise ValueError("n must be one or more")
        if self._value + n > self._initial_value:
            raise ValueError("Semaphore released too many times")
        super().release(n)


class Event:
    """A flag that threads wait for; ``set`` wakes them all."""

    #: What the codemod knows this as (`sync_kernel.codemod.waits`): which of its calls wait.
    __sync_kind__ = "Event"

    def __init__(self) -> None:
        self._flag = False
        self._waiters = Waiters()

    def __repr__(self) -> str:
        cls = type(self)
        return f"<{cls.__module__}.{cls.__qualname__} at {id(self):#x}: {'set' if self._flag else 'unset'}>"

    def is_set(self) -> bool:
        return self._flag

    isSet = is_set

    def set(self) -> None:
        self._flag = True
        self._waiters.wake_all()

    def clear(self) -> None:
        self._flag = False

    async def _wait_async(self, timeout: float | None = None) -> bool:
        if self._flag:
            return True
        return await self._waiters.wait(timeout)

    @awaitable_as(_wait_async)
    def wait(self, timeout: float | None = None) -> bool:
        if self._flag:
            return True
        if timeout is not None and timeout <= 0:
            return False
        return block(lambda: self._wait_async(timeout), "the Event is not set", "wait()")


class Barrier:
    """``parties`` threads wait until all have arrived; CPython's state machine, on Waiters.

    States: 0 filling, 1 draining, -1 resetting, -2 broken.
    """

    #: What the codemod knows this as (`sync_kernel.codemod.waits`): which of its calls wait.
    __sync_kind__ = "Barrier"

    def __init__(self, parties: int, action: Callable[[], Any] | None = None, timeout: float | None = None) -> None:
        if parties < 1:
            raise ValueError("parties must be >= 1")
        self._parties = parties
        self._action = action
        self._timeout = timeout
        self._state = 0
        self._count = 0
        self._changed = Waiters()  # everyone waiting for the state to change

    def __repr__(self) -> str:
        cls = type(self)
        if self.broken:
            return f"<{cls.__module__}.{cls.__qualname__} at {id(self):#x}: broken>"
        return f"<{cls.__module__}.{cls.__qualname__} at {id(self):#x}: waiters={self.n_waiting}/{self.parties}>"

    def _set_state(self, state: int) -> None:
        self._state = state
        self._changed.wake_all()

    async def _wait_async(self, timeout: float | None = None) -> int:
        if timeout is None:
            timeout = self._timeout
        while self._state in (-1, 1):  # draining or resetting: wait until done
            await self._changed.wait()
        if self._state < 0:
            raise BrokenBarrierError
        index = self._count
        self._count += 1
        try:
            if index + 1 == self._parties:
                await self._release()
            else:
                await self._wait_release(timeout)
            return index
        finally:
            self._count -= 1
            self._exit()

    @awaitable_as(_wait_async)
    def wait(self, timeout: float | None = None) -> int:
        if self._state == -2:
            raise BrokenBarrierError
        if self._state != 0 or self._count + 1 < self._parties:
            return block(lambda: self._wait_async(timeout), "not all parties have reached the Barrier", "wait()")
        # The last party: nothing to wait for.
        index = self._count
        self._count += 1
        try:
            result = self._action() if self._action else None
            if inspect.isawaitable(result):
                result = block(lambda: _resolved(result), "the Barrier's action is async", "wait()")
            self._set_state(1)
            return index
        except BaseException:
            self._set_state(-2)
            raise
        finally:
            self._count -= 1
            self._exit()

    async def _release(self) -> None:
        try:
            if self._action is not None:
                await _resolved(self._action())
            self._set_state(1)
        except BaseException:
            self._set_state(-2)  # the action failed: break the barrier and re-raise
            raise

    async def _wait_release(self, timeout: float | None) -> None:
        loop = asyncio.get_running_loop()
        endtime = None if timeout is None else loop.time() + timeout
        while self._state == 0:
            left = None if endtime is None else endtime - loop.time()
            if left is not None and left <= 0:
                self._set_state(-2)
                raise BrokenBarrierError
            await self._changed.wait(left)
        if self._state < 0:
            raise BrokenBarrierError

    def _exit(self) -> None:
        if self._count == 0 and self._state in (-1, 1):
            self._set_state(0)

    def reset(self) -> None:
        if self._count > 0:
            if self._state in (0, -2):
                self._set_state(-1)  # cleared when the last waiter leaves
        else:
            self._set_state(0)

    def abort(self) -> None:
        self._set_state(-2)

    @property
    def parties(self) -> int:
        return self._parties

    @property
    def n_waiting(self) -> int:
        return self._count if self._state == 0 else 0

    @property
    def broken(self) -> bool:
        return self._state == -2


# --- threads --------------------------------------------------------------------------------

_counter = itertools.count(1).__next__
_REAL_MAIN = _threading.main_thread()
_IDENT_BASE = _REAL_MAIN.ident or 0
_next_ident = itertools.count(1).__next__
_active: dict[int, Thread] = {}  # started and not finished, by ident


def _newname(template: str = "Thread-%d") -> str:
    return template % _counter()


class Thread:
    """A thread of control, run as an asyncio Task on the kernel's loop.

    Override ``run`` (it may be ``async def``) or pass ``target``; a coroutine that ``run``
    returns is awaited by the task.
    """

    #: What the codemod knows this as (`sync_kernel.codemod.waits`): which of its calls wait.
    __sync_kind__ = "Thread"

    _initialized = False

    def __init__(
        self,
        group: None = None,
        target: Callable[..., Any] | None = None,
        name: str | None = None,
        args: Iterable[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        daemon: bool | None = None,
    ) -> None:
        assert group is None, "group argument must be None for now"
        if name:
            name = str(name)
        else:
            name = _newname()
            if target is not None:
                try:
                    name += f" ({target.__name__})"
                except AttributeError:
                    pass
        self._target = target
        self._name = name
        self._args = tuple(args)
        self._kwargs = dict(kwargs or {})
        self._daemonic = current_thread().daemon if daemon is None else daemon
        self._ident: int | None = None
        self._native_id: int | None = None
        self._started = False
        self._starting = False
        self._is_stopped = False
        self._done = Event()
        self._task: asyncio.Task[None] | None = None
        self._stderr = sys.stderr
        self._initialized = True

    def __repr__(self) -> str:
        assert self._initialized, "Thread.__init__() was not called"
        status = "initial"
        if self._started:
            status = "started"
        if self._is_stopped:
            status = "stopped"
        if self._daemonic:
            status += " daemon"
        if self._ident is not None:
            status += f" {self._ident}"
        return f"<{type(self).__name__}({self._name}, {status})>"

    def start(self) -> None:
        """Run ``run`` as a task, at once until its first wait (Python ≥ 3.12), as a thread does on desktop."""
        if not self._initialized:
            raise RuntimeError("thread.__init__() not called")
        if self._started:
            raise RuntimeError("threads can only be started once")
        loop = _core.get_loop()
        # The task runs in a copy of the starter's context (so output goes where the starter's
        # goes), with this thread as the current one.
        context = contextvars.copy_context()
        context.run(_core.current.set, self)
        self._ident = self._native_id = _IDENT_BASE + _next_ident()  # never the main thread's
        self._started = True
        _active[self._ident] = self
        self._starting = True  # while its first step runs inside this call
        try:
            self._task = _start_task(loop, self._bootstrap(), self._name, context)
        finally:
            self._starting = False
        _core.track(self._task, self._stop)

    async def _run_async(self) -> Any:
        return await _resolved(self.run())

    @awaitable_as(_run_async)
    def run(self) -> Any:
        """Call the target; its result (a coroutine when the codemod made it async) is returned."""
        try:
            if self._target is not None:
                return self._target(*self._args, **self._kwargs)
            return None
        finally:
            del self._target, self._args, self._kwargs

    async def _bootstrap(self) -> None:
        try:
            await _resolved(self.run())
        except KeyboardInterrupt:
            # Stop (SIGINT) while it computed. In its first step, which runs inside `start()`,
            # the interrupt is the starter's, as it would be on desktop: it goes on there.
            if self._starting:
                raise
        except asyncio.CancelledError:
            pass  # Stop: cancelled at a wait; the thread just ends
        except BaseException:
            self._invoke_excepthook()
        finally:
            self._stop()

    def _invoke_excepthook(self) -> None:
        """Hand the exception being handled to this module's ``excepthook``, read now."""
        try:
            hook = excepthook if excepthook is not None else __excepthook__
            hook(ExceptHookArgs([*sys.exc_info(), self]))
        except Exception as exc:
            exc.__suppress_context__ = True
            del exc
            print("Exception in threading.excepthook:", file=sys.stderr or self._stderr, flush=True)
            sys.excepthook(*sys.exc_info())

    def _stop(self) -> None:
        if not self._is_stopped:
            self._is_stopped = True
            if self._ident is not None:
                _active.pop(self._ident, None)
            self._done.set()

    def _check_join(self) -> None:
        if not self._initialized:
            raise RuntimeError("Thread.__init__() not called")
        if not self._started:
            raise RuntimeError("cannot join thread before it is started")
        if self is current_thread():
            raise RuntimeError("cannot join current thread")

    async def _join_async(self, timeout: float | None = None) -> None:
        self._check_join()
        await self._done._wait_async(None if timeout is None else max(timeout, 0))

    @awaitable_as(_join_async)
    def join(self, timeout: float | None = None) -> None:
        self._check_join()
        if self._is_stopped or (timeout is not None and timeout <= 0):
            return
        block(lambda: self._join_async(timeout), f"{self._name} is still running", "join()")

    def is_alive(self) -> bool:
        assert self._initialized, "Thread.__init__() not called"
        return self._started and not self._is_stopped

    @property
    def name(self) -> str:
        assert self._initialized, "Thread.__init__() not called"
        return self._name

    @name.setter
    def name(self, name: str) -> None:
        assert self._initialized, "Thread.__init__() not called"
        self._name = str(name)

    @property
    def ident(self) -> int | None:
        assert self._initialized, "Thread.__init__() not called"
        return self._ident

    @property
    def native_id(self) -> int | None:
        assert self._initialized, "Thread.__init__() not called"
        return self._native_id

    @property
    def daemon(self) -> bool:
        assert self._initialized, "Thread.__init__() not called"
        return self._daemonic

    @daemon.setter
    def daemon(self, daemonic: bool) -> None:
        if not self._initialized:
            raise RuntimeError("Thread.__init__() not called")
        if self._started:
            raise RuntimeError("cannot set daemon status of active thread")
        self._daemonic = daemonic

    def isDaemon(self) -> bool:
        return self.daemon

    def setDaemon(self, daemonic: bool) -> None:
        self.daemon = daemonic

    def getName(self) -> str:
        return self.name

    def setName(self, name: str) -> None:
        self.name = name


def _start_task(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None], name: str, context: contextvars.Context
) -> asyncio.Task[None]:
    """A task for a thread's body, started eagerly where asyncio can (3.12+, on a running loop).

    On desktop a started thread usually runs its first lines before ``start()``
    returns (the starter waits for it to signal that it began, and the new thread
    then holds the GIL until it blocks); running the task's first step at once
    gives that order. Before 3.12 it starts when the starting code next awaits.
    """
    if sys.version_info >= (3, 12) and loop.is_running():
        return asyncio.Task(coro, loop=loop, name=name, context=context, eager_start=True)  # type: ignore[call-arg]
    return loop.create_task(coro, name=name, context=context)


class _MainThread(Thread):
    """The code outside any thread task: cells, callbacks. It never ends."""

    def __init__(self) -> None:
        super().__init__(name="MainThread", daemon=False)
        self._started = True
        self._ident = _REAL_MAIN.ident
        # Platforms without native thread ids (Pyodide) have no `native_id` on the main thread.
        self._native_id = getattr(_REAL_MAIN, "native_id", None) or _REAL_MAIN.ident


class Timer(Thread):
    """Call ``function(*args, **kwargs)`` after ``interval`` seconds unless cancelled first."""

    def __init__(
        self,
        interval: float,
        function: Callable[..., Any],
        args: Iterable[Any] | None = None,
        kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.interval = interval
        self.function = function
        self.args = args if args is not None else []
        self.kwargs = kwargs if kwargs is not None else {}
        self.finished = Event()

    def cancel(self) -> None:
        """Stop the timer if it has not fired yet."""
        self.finished.set()

    def run(self) -> Any:
        return self._fire_after_interval()

    async def _fire_after_interval(self) -> None:
        await self.finished._wait_async(self.interval)
        if not self.finished.is_set():
            await _resolved(self.function(*self.args, **self.kwargs))
        self.finished.set()


_main = _MainThread()


def current_thread() -> Thread:
    """The thread whose task is running, else the main thread."""
    return _core.current.get() or _main


def currentThread() -> Thread:
    return current_thread()


def main_thread() -> Thread:
    return _main


def get_ident() -> int:
    return cast(int, current_thread().ident)


def get_native_id() -> int:
    return cast(int, current_thread().native_id)


def enumerate() -> list[Thread]:
    """The main thread and every thread started and not yet finished."""
    return [_main, *_active.values()]


def active_count() -> int:
    return 1 + len(_active)


def activeCount() -> int:
    return active_count()


# --- thread-local data ----------------------------------------------------------------------


class _LocalImpl:
    __slots__ = ("args", "kwargs", "dicts", "__weakref__")

    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.args = args
        self.kwargs = kwargs
        # One attribute dict per thread, dropped with the thread object.
        self.dicts: weakref.WeakKeyDictionary[Thread, dict[str, Any]] = weakref.WeakKeyDictionary()


def _patch(self: local) -> None:
    """Put the current thread's attribute dict in place (made, and ``__init__`` re-run, on first use)."""
    impl: _LocalImpl = object.__getattribute__(self, "_local__impl")
    thread = current_thread()
    attributes = impl.dicts.get(thread)
    if attributes is None:
        attributes = impl.dicts[thread] = {}
        object.__setattr__(self, "__dict__", attributes)
        if type(self).__init__ is not object.__init__:
            self.__init__(*impl.args, **impl.kwargs)  # type: ignore[misc]
    object.__setattr__(self, "__dict__", attributes)


class local:
    """Attributes seen only by the thread that set them; a subclass's ``__init__`` runs per thread."""

    __slots__ = ("_local__impl", "__dict__")

    def __new__(cls, /, *args: Any, **kwargs: Any) -> local:
        if (args or kwargs) and cls.__init__ is object.__init__:
            raise TypeError("Initialization arguments are not supported")
        self = object.__new__(cls)
        impl = _LocalImpl(args, kwargs)
        object.__setattr__(self, "_local__impl", impl)
        attributes: dict[str, Any] = {}
        impl.dicts[current_thread()] = attributes
        object.__setattr__(self, "__dict__", attributes)
        return self

    def __getattribute__(self, name: str) -> Any:
        _patch(self)
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "__dict__":
            raise AttributeError(f"{type(self).__name__!r} object attribute '__dict__' is read-only")
        _patch(self)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name == "__dict__":
            raise AttributeError(f"{type(self).__name__!r} object attribute '__dict__' is read-only")
        _patch(self)
        object.__delattr__(self, name)


# --- logging: %(threadName)s names the thread task ------------------------------------------


def _install_log_record_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_sync_kernel_threads", False):
        return  # installed already (this module was imported again)

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        thread = _core.current.get()
        if thread is not None:
            record.thread, record.threadName = thread.ident, thread.name
        return record

    factory._sync_kernel_threads = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


_install_log_record_factory()
