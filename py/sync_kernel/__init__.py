"""sync_kernel: run synchronous notebook code on Pyodide's single event loop.

The codemod rewrites blocking calls in a cell (``time.sleep``, ``asyncio.run``,
``input``) into their awaited forms, makes the functions that now await
``async def`` and awaits their callers, following names across cells::

    >>> import sync_kernel
    >>> result = sync_kernel.transform("import time\\ntime.sleep(1)\\n")
    >>> print(result.code, end="")
    import time
    await __sync__.sleep(1)

Two subpackages, with a wall between them:

* :mod:`sync_kernel.codemod` — the rewrite, pure standard library, so it runs
  and is tested on desktop CPython (``python -m sync_kernel transform``);
* :mod:`sync_kernel.kernel` — the IPython shell and the kernel's request API
  that the worker runtime drives inside Pyodide; it imports IPython.

Importing ``sync_kernel`` imports only the codemod.
"""

from __future__ import annotations

from .codemod.notes import Note
from .codemod.session import Session, TransformResult


def transform(source: str) -> TransformResult:
    """Rewrite one cell with a fresh :class:`Session` (no namespace, no input hook)."""
    return Session().transform(source)


__all__ = ["Note", "Session", "TransformResult", "transform"]
