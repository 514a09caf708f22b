"""Thread support for a kernel without threads: each thread runs as an asyncio Task on the loop.

The codemod rewrites imports of ``threading``, ``queue``, ``concurrent.futures``, ``_thread`` and
``multiprocessing`` to the modules here; rewritten code awaits :func:`wait`, the kernel calls
:func:`configure_blocking` at start and :func:`cancel_all` on Stop.
"""

from ._core import awaitable_as, cancel_all, configure_blocking, entering, in_thread, wait
from .aio import run_in_executor, to_thread

__all__ = [
    "awaitable_as",
    "cancel_all",
    "configure_blocking",
    "entering",
    "in_thread",
    "run_in_executor",
    "to_thread",
    "wait",
]
