"""``input()`` and ``getpass()`` for a kernel that runs on the browser's event loop.

The codemod rewrites ``input(p)`` into ``await __input__(p)`` and
``getpass.getpass(p)`` into ``await __input__.getpass(p)``. :class:`InputHook`
is that ``__input__``: it sends an ``input_request`` and waits — as an
ordinary ``await``, so other tasks keep running and an interrupt reaches it —
for the ``input_reply`` the runtime hands to :meth:`InputHook.reply`. No
SharedArrayBuffer and no service worker are involved.

Where a call could not be rewritten (a lambda, a callback, ``%transform off``)
the blocking :func:`blocking_input`/:func:`blocking_getpass` replace the
builtins: with WebAssembly stack switching (JSPI) they wait through Pyodide's
``run_sync``; without it they raise a one-line error that says why.

Example (the runtime answers by calling ``hook.reply``)::

    >>> import asyncio
    >>> requests = []
    >>> hook = InputHook(lambda prompt, password: requests.append(prompt))
    >>> async def ask():
    ...     task = asyncio.ensure_future(hook("Name? "))
    ...     await asyncio.sleep(0)
    ...     hook.reply("Ada")
    ...     return await task
    >>> asyncio.run(ask()), requests
    ('Ada', ['Name? '])
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: Sends an ``input_request`` (prompt, password) to the frontend.
RequestInput = Callable[[str, bool], None]

#: Runs an awaitable to completion from synchronous code (Pyodide's ``run_sync``).
RunSync = Callable[[Awaitable[Any]], Any]


class StdinNotAllowed(RuntimeError):
    """The request that runs this cell did not allow ``input()`` (``allow_stdin`` false)."""


class InputHook:
    """The awaitable ``__input__`` the codemod calls instead of ``input``/``getpass``.

    ``request`` sends the ``input_request``; :meth:`reply` and :meth:`reply_eof`
    resolve the pending call; :meth:`cancel` abandons it (on interrupt).
    """

    def __init__(self, request: RequestInput) -> None:
        self._request = request
        self._pending: asyncio.Future[str] | None = None
        #: Whether the current request allows ``input()`` (set per cell by the kernel).
        self.allowed = True
        #: Set by the kernel: whether a Stop is what cancelled the waiting task (see ``KernelApi.take_stop``).
        self.take_stop: Callable[[], bool] = lambda: False

    async def __call__(self, prompt: object = "", /) -> str:
        """Ask for one line, like ``input(prompt)``; returns it without its newline."""
        return await self._ask(str(prompt), password=False)

    async def getpass(self, prompt: str = "Password: ", stream: object = None) -> str:
        """Ask for a line without echoing it, like ``getpass.getpass(prompt)``."""
        return await self._ask(str(prompt), password=True)

    @property
    def waiting(self) -> bool:
        """Whether a call is waiting for its reply."""
        return self._pending is not None and not self._pending.done()

    def reply(self, value: str) -> None:
        """Answer the pending call with ``value``."""
        if self.waiting:
            assert self._pending is not None
            self._pending.set_result(value)

    def reply_eof(self) -> None:
        """Make the pending call raise ``EOFError`` (the frontend has no more input)."""
        if self.waiting:
            assert self._pending is not None
            self._pending.set_exception(EOFError("EOF when reading a line"))

    def cancel(self) -> None:
        """Abandon the pending call (the cell was interrupted)."""
        if self.waiting:
            assert self._pending is not None
            self._pending.cancel()

    async def _ask(self, prompt: str, password: bool) -> str:
        if not self.allowed:
            raise StdinNotAllowed("input() is not available: this frontend does not accept input requests")
        if self.waiting:
            raise RuntimeError("input() is already waiting for an answer in another task")
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._pending = future
        try:
            self._request(prompt, password)
            return await future
        except asyncio.CancelledError:
            if self.take_stop():  # Stop while waiting: as ipykernel's input() on an interrupt
                raise KeyboardInterrupt("Interrupted by user") from None
            raise
        finally:
            self._pending = None


NOT_REWRITTEN = (
    "{name}() could not be rewritten to await here (in a lambda, a callback or with "
    "%transform off), and without WebAssembly stack switching (JSPI) this browser cannot "
    "wait for the answer: call {name}() directly in a cell or in a plain function"
)


class Blocking:
    """How synchronous code may wait for an awaitable: Pyodide's ``run_sync`` where it works.

    ``run_sync`` runs an awaitable to completion from synchronous code;
    ``can_run_sync`` says whether that is possible right now (JSPI present and
    the call entered through an async entry point). Without them, blocking
    ``input()`` raises :data:`NOT_REWRITTEN`.
    """

    def __init__(self, run_sync: RunSync | None = None, can_run_sync: Callable[[], bool] = lambda: False) -> None:
        self._run_sync = run_sync
        self._can_run_sync = can_run_sync

    def wait(self, name: str, awaitable: Awaitable[T]) -> T:
        """Wait for ``awaitable`` on behalf of the blocking ``name()``, or raise why not."""
        if self._run_sync is None or not self._can_run_sync():
            close = getattr(awaitable, "close", None)
            if close is not None:
                close()
            raise RuntimeError(NOT_REWRITTEN.format(name=name))
        return self._run_sync(awaitable)  # type: ignore[no-any-return]


def blocking_input(hook: InputHook, blocking: Blocking) -> Callable[..., str]:
    """A replacement for the ``input`` builtin, for calls the codemod could not rewrite."""

    def input(prompt: object = "", /) -> str:  # noqa: A001 - stands in for the builtin
        return blocking.wait("input", hook(prompt))

    return input


def blocking_getpass(hook: InputHook, blocking: Blocking) -> Callable[..., str]:
    """A replacement for ``getpass.getpass``, for calls the codemod could not rewrite."""

    def getpass(prompt: str = "Password: ", stream: object = None) -> str:
        return blocking.wait("getpass", hook.getpass(prompt, stream))

    return getpass
