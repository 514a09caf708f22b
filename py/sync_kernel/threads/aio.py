"""asyncio's thread helpers for thread tasks: stand-ins for ``asyncio.to_thread`` and
``loop.run_in_executor``, whose functions run on an executor's worker thread tasks.

As in CPython, each loop has a default executor, a ThreadPoolExecutor named "asyncio".
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from .concurrent.futures import ThreadPoolExecutor

_default_executors: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ThreadPoolExecutor] = (
    weakref.WeakKeyDictionary()
)


def default_executor(loop: asyncio.AbstractEventLoop) -> ThreadPoolExecutor:
    """The loop's default executor (its workers are named ``asyncio_0``, ``asyncio_1``, ...)."""
    executor = _default_executors.get(loop)
    if executor is None or executor._shutdown:
        executor = _default_executors[loop] = ThreadPoolExecutor(thread_name_prefix="asyncio")
    return executor


def run_in_executor(
    loop: asyncio.AbstractEventLoop | None, executor: Executor | None, func: Callable[..., Any], *args: Any
) -> asyncio.Future[Any]:
    """``loop.run_in_executor``: ``func(*args)`` on the executor (None: the loop's default one)."""
    if loop is None:
        loop = asyncio.get_running_loop()
    if executor is None:
        executor = default_executor(loop)
    return asyncio.wrap_future(executor.submit(func, *args), loop=loop)


async def to_thread(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """``asyncio.to_thread``: run ``func`` as a thread task and return (or raise) what it does."""
    loop = asyncio.get_running_loop()
    return await run_in_executor(loop, None, functools.partial(func, *args, **kwargs))
