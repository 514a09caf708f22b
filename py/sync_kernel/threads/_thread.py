"""``_thread`` for thread tasks: ``start_new_thread`` runs the function as a task on the loop.

Locks are :mod:`sync_kernel.threads.threading`'s; anything else comes from the real ``_thread``.
"""

from __future__ import annotations

import _thread as _real
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from . import threading as _threading
from .threading import Lock, RLock, get_ident, get_native_id

__all__ = [
    "LockType",
    "RLock",
    "allocate_lock",
    "error",
    "exit",
    "get_ident",
    "get_native_id",
    "start_new_thread",
]

error = RuntimeError
LockType = Lock


def __getattr__(name: str) -> Any:
    return getattr(_real, name)


def allocate_lock() -> Lock:
    return Lock()


def exit() -> NoReturn:
    raise SystemExit


class _RawThread(_threading.Thread):
    """A thread started by ``start_new_thread``: its exception is reported as "ignored"."""

    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        # CPython calls these "Dummy-N" once threading sees them.
        super().__init__(target=function, name=_threading._newname("Dummy-%d"), args=args, kwargs=kwargs, daemon=True)
        self._function = function

    def _invoke_excepthook(self) -> None:
        exc_type, exc, tb = sys.exc_info()
        if exc_type is None or issubclass(exc_type, SystemExit):
            return
        stderr = sys.stderr or self._stderr
        print(f"Exception ignored in thread started by: {self._function!r}", file=stderr)
        traceback.print_exception(exc_type, exc, tb, file=stderr)


def start_new_thread(function: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any] = {}) -> int:  # noqa: B006 (the stdlib signature)
    """Run ``function(*args, **kwargs)`` as a thread task; its ident."""
    if not isinstance(args, tuple):
        raise TypeError("2nd arg must be a tuple")
    if not isinstance(kwargs, dict):
        raise TypeError("optional 3rd arg must be a dictionary")
    thread = _RawThread(function, args, kwargs)
    thread.start()
    return thread.ident or 0
