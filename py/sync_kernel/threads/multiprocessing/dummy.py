"""``multiprocessing.dummy``: ``Pool`` is a pool of threads (here, tasks), as in CPython."""

from __future__ import annotations

from typing import Any

from ..threading import Thread as Process
from .pool import ThreadPool

__all__ = ["Pool", "Process"]


def Pool(processes: int | None = None, initializer: Any = None, initargs: Any = ()) -> ThreadPool:  # noqa: N802
    return ThreadPool(processes, initializer, initargs)
