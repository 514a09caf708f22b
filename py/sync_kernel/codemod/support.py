"""Runtime support for rewritten code: the object a session puts in the namespace as ``__sync__``.

Rewritten cells use it for what plain ``asyncio`` cannot do:

* ``noop`` replaces loop calls that would close or replace the kernel's
  event loop (``loop.close()``, ``asyncio.set_event_loop(loop)``);
* ``Runner`` stands in for ``asyncio.Runner``: its ``run`` calls are
  rewritten to ``await``, and entering or closing it leaves the loop alone;
* ``blocking(f)`` gives the blocking twin of a function an earlier cell made
  ``async``, for places that cannot await it (callbacks, ``map``, lambdas);
* ``settle(value)`` awaits ``value`` only if it is a coroutine made by such a
  function, for calls the codemod could not resolve statically;
* ``sleep(s)`` stands in for ``time.sleep(s)`` (``await __sync__.sleep(s)``): ``asyncio.sleep``,
  refusing what ``time.sleep`` refuses;
* ``run(main)`` stands in for ``asyncio.run(main)`` (``await __sync__.run(main)``);
* ``call(f, ...)`` calls a blocking function reached through a name a later
  cell may rebind (``await __sync__.call(wait, 1)``): while ``f`` is still
  ``time.sleep``, ``input``, ... it is awaited in its waiting form, else
  called as written;
* ``wait(t.join, ...)`` waits on a thread primitive as a task (``await __sync__.wait(t.join)``),
  ``entering(cm)`` enters a ``with`` subject named like a lock, ``to_thread`` and
  ``run_in_executor`` start a function as a thread: see :mod:`sync_kernel.threads`.

Where desktop Python blocks, Ctrl-C (Jupyter's Stop) raises ``KeyboardInterrupt``
in the blocking call, and notebooks catch it (``except KeyboardInterrupt:
print("stopped")``). The kernel stops a cell by cancelling its task, so the
stand-ins above turn that cancellation into ``KeyboardInterrupt`` where the
blocking call was: see :meth:`Support.stoppable`.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import operator
import sys
import time
import types
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from .. import threads
from .rules import rule_of

if TYPE_CHECKING:
    from .memory import Registry
    from .records import FunctionRef

T = TypeVar("T")

#: Name of the throwaway class a method's twin is compiled in (gives ``super()`` its cell).
_TWIN_CLASS = "__sync_twin__"


class Runner:
    """A harmless ``asyncio.Runner``: the kernel's loop is already running."""

    def __init__(self, *, debug: bool | None = None, loop_factory: Any = None) -> None:
        self._closed = False

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, coro: Coroutine[Any, Any, Any], *, context: Any = None) -> Any:
        raise RuntimeError("Runner.run() cannot block in the browser; write `await` before the coroutine instead")

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.get_event_loop()

    def close(self) -> None:
        self._closed = True


class Support:
    """What rewritten code calls at run time; one per session."""

    Runner = Runner
    entering = staticmethod(threads.entering)
    to_thread = staticmethod(threads.to_thread)

    @staticmethod
    def run_in_executor(executor: Any, func: Callable[..., Any], /, *args: Any) -> Any:
        """``loop.run_in_executor(executor, func, *args)`` with the thread as a task of the running loop."""
        return threads.run_in_executor(asyncio.get_running_loop(), executor, func, *args)

    def __init__(self, registry: Registry, learn: Callable[[Any], None] = lambda globals_: None) -> None:
        self._registry = registry
        #: Asks the session to match the running cell's new functions with live objects.
        self._learn = learn
        self._twins: dict[int, tuple[types.FunctionType, types.FunctionType]] = {}
        #: Gives the kernel's awaitable prompt (``input`` → ``await hook(prompt)``), when there is one.
        self.input_hook: Callable[[], Any] | None = None
        #: Set by the kernel: whether a Stop is what cancelled the current task (see :meth:`stoppable`).
        self.take_stop: Callable[[], bool] = lambda: False

    async def stoppable(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable``, raising ``KeyboardInterrupt`` if a Stop cancels it, as desktop's Ctrl-C would.

        Only a Stop of the running cell's own task counts (``take_stop()``, which
        also withdraws that cancellation, so code that catches the
        ``KeyboardInterrupt`` goes on as on desktop); any other cancellation
        (``wait_for``'s timeout, a task the user cancels, the end of an
        ``asyncio.run``) stays a ``CancelledError``.
        """
        __tracebackhide__ = True  # noqa: F841 - IPython leaves this frame out of tracebacks
        try:
            return await awaitable
        except asyncio.CancelledError:
            if self.take_stop():
                raise KeyboardInterrupt from None
            raise

    async def sleep(self, seconds: Any, /) -> None:
        """``time.sleep(seconds)`` as an ``await``: refuses what it refuses, and a Stop raises ``KeyboardInterrupt``."""
        __tracebackhide__ = True  # noqa: F841 - IPython leaves this frame out of tracebacks
        await self.stoppable(asyncio.sleep(sleep_length(seconds)))

    async def wait(self, method: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """``await __sync__.wait(t.join)``: see :func:`sync_kernel.threads.wait`; a Stop raises ``KeyboardInterrupt``."""
        __tracebackhide__ = True  # noqa: F841 - IPython leaves this frame out of tracebacks
        return await self.stoppable(threads.wait(method, *args, **kwargs))

    @staticmethod
    def noop(*args: object, **kwargs: object) -> None:
        """Stands in for ``loop.close()`` and ``asyncio.set_event_loop()``."""
        return None

    async def settle(self, value: Any) -> Any:
        """Await ``value`` if a function this session made async produced it, else return it."""
        if inspect.iscoroutine(value) and not self._registry.converted_coroutine(value):
            frame = getattr(value, "cr_frame", None)  # it may come from a function the running cell just defined
            self._learn(frame.f_globals if frame is not None else None)
        if self._registry.converted_coroutine(value):
            return await value
        return value

    async def call(self, function: Any, /, *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)``, awaited in its waiting form while it is a blocking target.

        Rewritten functions call ``time.sleep`` (or ``input``, ``asyncio.run``)
        this way when they reach it through a global that a later cell may bind
        to something else (``wait = time.sleep``, then ``wait = quiet``): the
        call then follows the name as on desktop. A function this session made
        async is awaited, like :meth:`settle`.
        """
        __tracebackhide__ = True  # noqa: F841 - IPython leaves this frame out of tracebacks
        rule = rule_of(function)
        if rule is not None and rule.accepts_arguments(args, kwargs):
            hook = self.input_hook() if rule.asks_the_page and self.input_hook is not None else None
            if hook is not None or not rule.asks_the_page:
                callee = rule.callee({"support": self, "input_hook": hook})
                return await callee(*args, **kwargs)
        return await self.settle(function(*args, **kwargs))

    async def run(self, main: Any, *, debug: bool | None = None, loop_factory: Any = None) -> Any:
        """``asyncio.run(main)`` on the running loop (see :func:`run_main`).

        ``debug`` and ``loop_factory`` are accepted and ignored: the kernel's loop
        is the only one. A Stop cancels ``main``, and this raises
        ``KeyboardInterrupt`` once it has ended, as on desktop.
        """
        __tracebackhide__ = True  # noqa: F841 - IPython leaves this frame out of tracebacks
        return await self.stoppable(run_main(main))

    def blocking(self, obj: Any) -> Any:
        """The blocking twin of a converted function or bound method; anything else unchanged."""
        function, bound_to = obj, None
        if isinstance(obj, types.MethodType):
            function, bound_to = obj.__func__, obj.__self__
        if not isinstance(function, types.FunctionType):
            return obj
        ref = self._registry.get(function)
        if ref is None and (inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)):
            self._learn(function.__globals__)  # defined by the running cell, or matched by no namespace yet
            ref = self._registry.get(function) or self._registry.converted_function(function)
        if ref is None or not getattr(ref, "converted", False):
            return obj
        twin = self._twin(function, ref)  # type: ignore[arg-type]
        return types.MethodType(twin, bound_to) if bound_to is not None else twin

    def twin_decorator(self, decorator: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``decorator``, giving the blocking twin of the wrapper it returns (for an ``async def``)."""

        def decorate(function: Any) -> Any:
            return self.blocking(decorator(function))

        return decorate

    def _twin(self, function: types.FunctionType, ref: FunctionRef) -> types.FunctionType:
        cached = self._twins.get(id(function))
        if cached is not None and cached[0] is function:
            return cached[1]
        if ref.twin_source is None:
            raise RuntimeError(f"no blocking version of {ref.qualname} was recorded")
        code = _compile_twin(ref, function.__code__.co_filename, function.__code__.co_freevars)
        if code.co_freevars != function.__code__.co_freevars:
            raise RuntimeError(f"the blocking version of {ref.qualname} does not match its closure")
        twin = types.FunctionType(
            code, function.__globals__, function.__name__, function.__defaults__, function.__closure__
        )
        twin.__kwdefaults__ = function.__kwdefaults__
        twin.__qualname__ = function.__qualname__
        twin.__doc__ = function.__doc__
        twin.__module__ = function.__module__
        twin.__dict__.update(function.__dict__)
        self._twins[id(function)] = (function, twin)
        return twin


#: ``time.sleep`` as Python started with it (the kernel replaces the module's; see :func:`sleep_length`).
_TIME_SLEEP = time.sleep
#: Longest sleep ``time.sleep`` takes: its clock counts nanoseconds in 64 bits.
_LONGEST_SLEEP = 2**63 / 1e9


def sleep_length(seconds: Any) -> float:
    """How long ``time.sleep(seconds)`` sleeps; what it refuses raises its own error.

    It takes a ``float`` or an integer (anything with ``__index__``), not negative,
    not NaN, not longer than its clock counts: for anything else the real
    ``time.sleep`` is called, which raises at once, with desktop's message.

    >>> sleep_length(0.5), sleep_length(True)
    (0.5, 1)
    >>> sleep_length(-1)
    Traceback (most recent call last):
    ...
    ValueError: sleep length must be non-negative
    """
    if isinstance(seconds, float):
        length: float = float(seconds)
    elif hasattr(type(seconds), "__index__"):
        length = operator.index(seconds)
    else:
        length = math.nan
    if not 0 <= length < _LONGEST_SLEEP:
        _TIME_SLEEP(seconds)
        return 0.0  # it took the value after all (on another platform), and has slept
    return length


async def run_main(main: Any) -> Any:
    """``asyncio.run(main)`` on the running loop, ending as ``asyncio.run`` ends.

    ``main`` runs as a task of its own (in a copy of the current context).
    When it is done, however it ends, the tasks created while it ran that
    are still pending are cancelled and awaited, then the async generators
    first iterated while it ran are closed; then its result is returned
    or its exception raised. Tasks that existed before (started by earlier
    cells) keep running.
    """
    __tracebackhide__ = True  # noqa: F841 - IPython leaves this frame out of tracebacks
    loop = asyncio.get_running_loop()
    coro = _main_coroutine(main)
    tasks_before = asyncio.all_tasks(loop)
    generators = getattr(loop, "_asyncgens", None)  # the loop's record of async generators
    generators_before = weakref.WeakSet(generators) if generators is not None else None
    task = loop.create_task(coro)
    try:
        return await task
    finally:
        task.cancel()  # only when this wait itself was cancelled (a Stop)
        await _cancel_new_tasks(loop, tasks_before)
        if generators is not None and generators_before is not None:
            await _close_new_generators(loop, generators, generators_before)


def _main_coroutine(main: Any) -> Coroutine[Any, Any, Any]:
    """What ``asyncio.run`` accepts on this Python (3.14 also takes any awaitable), with its error otherwise."""
    if inspect.iscoroutine(main):
        return main
    if sys.version_info < (3, 14):
        raise ValueError(f"a coroutine was expected, got {main!r}")
    if not inspect.isawaitable(main):
        raise TypeError("An asyncio.Future, a coroutine or an awaitable is required")

    async def _wrap_awaitable(awaitable: Any) -> Any:
        return await awaitable

    return _wrap_awaitable(main)


async def _cancel_new_tasks(loop: asyncio.AbstractEventLoop, before: set[asyncio.Task[Any]]) -> None:
    """Cancel the pending tasks not in ``before`` and wait for them, as ``asyncio.run`` does at its end."""
    current = asyncio.current_task(loop)
    to_cancel = {task for task in asyncio.all_tasks(loop) if task not in before and task is not current}
    if not to_cancel:
        return
    for task in to_cancel:
        task.cancel()
    await asyncio.gather(*to_cancel, return_exceptions=True)
    for task in to_cancel:
        if task.cancelled():
            continue
        if task.exception() is not None:
            loop.call_exception_handler(
                {
                    "message": "unhandled exception during asyncio.run() shutdown",
                    "exception": task.exception(),
                    "task": task,
                }
            )


async def _close_new_generators(loop: asyncio.AbstractEventLoop, generators: Any, before: weakref.WeakSet[Any]) -> None:
    """Close the async generators the loop recorded since ``before``, as ``loop.shutdown_asyncgens`` does."""
    closing = [agen for agen in list(generators) if agen not in before]
    if not closing:
        return
    for agen in closing:
        generators.discard(agen)
    results = await asyncio.gather(*[agen.aclose() for agen in closing], return_exceptions=True)
    for result, agen in zip(results, closing, strict=True):
        if isinstance(result, Exception):
            loop.call_exception_handler(
                {
                    "message": f"an error occurred during closing of asynchronous generator {agen!r}",
                    "exception": result,
                    "asyncgen": agen,
                }
            )


def _compile_twin(ref: FunctionRef, filename: str, freevars: tuple[str, ...] = ()) -> types.CodeType:
    """Compile a twin's source so its lines keep their numbers in the cell.

    A nested function (a decorator's wrapper) is compiled inside a function
    whose parameters are its free variables, so the twin takes the original's
    closure.
    """
    assert ref.twin_source is not None
    source = ref.twin_source
    indented = source[:1].isspace()
    if ref.cls is not None:
        text = "\n" * (ref.lineno - 2) + f"class {_TWIN_CLASS}:\n" + source
    elif freevars and indented:
        text = "\n" * (ref.lineno - 2) + f"def {_TWIN_CLASS}({', '.join(freevars)}):\n" + source
    elif indented:
        text = "\n" * (ref.lineno - 2) + "if True:\n" + source
    else:
        text = "\n" * (ref.lineno - 1) + source
    module = compile(text, filename, "exec", dont_inherit=True)
    found = _find_code(module, ref.name, ref.lineno)
    if found is None:
        raise RuntimeError(f"could not compile the blocking version of {ref.qualname}")
    return found


def _find_code(code: types.CodeType, name: str, lineno: int) -> types.CodeType | None:
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_name == name and const.co_firstlineno == lineno:
                return const
            found = _find_code(const, name, lineno)
            if found is not None:
                return found
    return None
