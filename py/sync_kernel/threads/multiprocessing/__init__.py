"""``multiprocessing`` in the browser: there are no processes, so ``Process`` and ``Pool`` say so.

``multiprocessing.pool.ThreadPool`` and ``multiprocessing.dummy.Pool`` are pools of threads (tasks)
(:mod:`.pool`). Everything else (``cpu_count``, ...) is the real module's, imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any, NoReturn

_POOL_MESSAGE = (
    "multiprocessing.Pool is not available in the browser (no processes); "
    "use concurrent.futures.ThreadPoolExecutor, whose work runs as tasks"
)
_PROCESS_MESSAGE = (
    "multiprocessing.Process is not available in the browser (no processes); use threading.Thread, which runs as a task"
)


#: Submodules of ours (thread pools); the real ones must not stand in for them.
_SUBMODULES = frozenset({"pool", "dummy"})


def _real() -> Any:
    return importlib.import_module("multiprocessing")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:  # ours, being imported: never the real module's
        raise AttributeError(name)
    return getattr(_real(), name)


class Process:
    """Not available: there are no processes in the browser."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(_PROCESS_MESSAGE)


def Pool(*args: Any, **kwargs: Any) -> NoReturn:
    raise RuntimeError(_POOL_MESSAGE)


class _Context:
    """A start-method context whose Process and Pool say they are not available."""

    Process = Process

    def __init__(self, method: str | None) -> None:
        self._method = method

    def get_start_method(self, allow_none: bool = False) -> str | None:
        return self._method if self._method is not None else _real().get_start_method(allow_none)

    def Pool(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError(_POOL_MESSAGE)

    def __getattr__(self, name: str) -> Any:
        return getattr(_real().get_context(self._method), name)


def get_context(method: str | None = None) -> _Context:
    return _Context(method)


# `multiprocessing.pool` and `multiprocessing.dummy` are ours (thread pools), not the real ones.
from . import dummy as dummy  # noqa: E402
from . import pool as pool  # noqa: E402
