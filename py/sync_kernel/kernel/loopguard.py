"""Keep the kernel's event loop current whatever a cell does.

Pyodide runs every task on one loop that lives as long as the page. Its
``WebLoopPolicy`` makes each ``asyncio.new_event_loop()`` the new default, and
a new ``WebLoop`` even makes itself the *running* loop, so the cell that asked
for it can no longer be resumed ("Cannot enter into task"); and
``asyncio.set_event_loop`` replaces the default. :func:`protect` makes those
calls leave the kernel's loop current: ``new_event_loop()`` still returns a
fresh loop (code may use it) but the running and default loops stay the
kernel's, ``set_event_loop`` is ignored, and the loop's ``close()``/``stop()``
stay no-ops (they already are on Pyodide's ``WebLoop``).

Example (with a stand-in policy that, like Pyodide's, makes each new loop current)::

    >>> class Policy:
    ...     current = None
    ...     def new_event_loop(self):
    ...         self.current = object()
    ...         return self.current
    ...     def set_event_loop(self, loop):
    ...         self.current = loop
    >>> policy, kernel_loop = Policy(), object()
    >>> unprotect = protect(kernel_loop, policy)
    >>> other = policy.new_event_loop()
    >>> policy.set_event_loop(other)
    >>> policy.current is kernel_loop, other is kernel_loop
    (True, False)
    >>> unprotect()
    >>> policy.set_event_loop(other); policy.current is other
    True
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


def protect(loop: asyncio.AbstractEventLoop, policy: Any) -> Callable[[], None]:
    """Make ``policy`` keep ``loop`` as the current loop (see the module docstring).

    Returns a function that gives ``policy`` its own methods back (for tests).
    """
    original_new = policy.new_event_loop
    original_set = policy.set_event_loop
    original_set(loop)

    def new_event_loop() -> asyncio.AbstractEventLoop:
        running = asyncio.events._get_running_loop()
        fresh: asyncio.AbstractEventLoop = original_new()
        asyncio.events._set_running_loop(running)
        original_set(loop)
        return fresh

    def set_event_loop(_other: object) -> None:
        original_set(loop)

    policy.new_event_loop = new_event_loop
    policy.set_event_loop = set_event_loop

    def unprotect() -> None:
        del policy.new_event_loop, policy.set_event_loop

    return unprotect


def current_policy() -> Any:
    """The event loop policy, without the deprecation warning Python 3.14 gives."""
    getter = getattr(asyncio.events, "_get_event_loop_policy", None) or asyncio.get_event_loop_policy
    return getter()
