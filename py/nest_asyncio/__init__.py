"""``nest_asyncio`` for this kernel: ``asyncio.run`` already works inside a cell.

Notebooks written for desktop Jupyter call ``nest_asyncio.apply()`` so that
``asyncio.run(...)`` and ``loop.run_until_complete(...)`` work while Jupyter's own
event loop runs. This kernel runs them on its event loop already: the codemod
awaits them, and one it keeps as written runs to its end (``codemod/blocking_run.py``).
So there is nothing to patch, and ``apply`` only refuses what nest_asyncio refuses.

Served with the kernel's wheels as the distribution ``nest-asyncio`` (loaded when a
cell imports it; ``%pip install nest_asyncio`` finds it installed).

Example::

    >>> import asyncio, nest_asyncio
    >>> nest_asyncio.apply()
    >>> nest_asyncio.apply("loop")
    Traceback (most recent call last):
    ...
    ValueError: Can't patch loop of type <class 'str'>
"""

from __future__ import annotations

import asyncio

__all__ = ("apply",)


def apply(loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Let ``asyncio.run`` and ``run_until_complete`` nest in the running loop, which they do here."""
    if loop is not None and not isinstance(loop, asyncio.AbstractEventLoop):
        raise ValueError(f"Can't patch loop of type {type(loop)}")
