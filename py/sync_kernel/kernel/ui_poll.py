"""``jupyter_ui_poll`` for this kernel: widget events while a cell runs, with the desktop API.

On desktop Jupyter a widget's messages wait until the running cell ends, and the
`jupyter-ui-poll <https://github.com/Kirill888/jupyter-ui-poll>`_ package works
around that by running the kernel's message loop from inside the cell. Here the
kernel already delivers widget messages at every ``await`` of a waiting cell, so
polling only has to give the page a turn:

* ``with ui_events() as poll:`` gives a ``poll(n)`` the codemod awaits
  (``await __sync__.wait(poll, 10)``): it lets the page deliver the messages that
  arrived, up to ``n`` turns while they keep coming;
* ``run_ui_poll_loop(f, sleep, n)`` calls ``f()`` until it returns something other
  than ``None``, sleeping between calls (awaited too);
* ``with_ui_events(items, n)`` yields the items, polling between them (iterated
  with ``async for``);
* ``async with ui_events() as poll: await poll(10)``, the package's own async form,
  works as written.

Cells run in order here anyway (a cell queued behind a polling one waits for it),
which is what the package's deferral of ``execute_request`` gives on desktop.
The importable module is ``jupyter_ui_poll``, a distribution served with the
kernel's wheels, so ``%pip install jupyter-ui-poll`` finds it installed.

A ``poll(n)`` the codemod could not rewrite (called through a name it cannot
follow) gives the page a turn with JSPI, and otherwise does nothing: messages then
arrive at the cell's next ``await`` (a ``time.sleep`` is one).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any, TypeVar

from ..threads._core import awaitable_as, block, can_block

T = TypeVar("T")


def _messages_delivered() -> int:
    """How many front-end messages the kernel has handled so far (0 outside the kernel)."""
    from IPython import get_ipython

    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    return int(getattr(kernel, "front_end_messages", 0))


async def _give_the_page_turns(n: int) -> None:
    """Let the page deliver waiting messages: up to ``n`` turns, while each turn brought one."""
    for _ in range(max(int(n), 1)):
        before = _messages_delivered()
        await asyncio.sleep(0)  # a task of the page's event loop: queued messages are handled first
        if _messages_delivered() == before:
            return


def _flush_outputs() -> None:
    for stream in (sys.stdout, sys.stderr):
        stream.flush()


class UiEvents:
    """What ``ui_events()`` returns: a context manager whose ``poll(n)`` lets widget events in."""

    __sync_kind__ = "UiEvents"

    def __init__(self) -> None:
        self._async = False

    def __enter__(self) -> UiEvents:
        return self

    def __exit__(self, *exc: object) -> None:
        _flush_outputs()

    async def __aenter__(self) -> UiEvents:
        self._async = True
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._async = False
        _flush_outputs()

    def __call__(self, n: int = 1) -> Any:
        """Handle up to ``n`` waiting UI events (an awaitable inside ``async with``)."""
        if self._async:
            return self.__sync_async__(n)
        _flush_outputs()
        if can_block():
            block(lambda: _give_the_page_turns(n), "widget events wait for the page", "poll()")
        return None

    async def __sync_async__(self, n: int = 1) -> None:
        """The awaited form of ``poll(n)`` (what rewritten cells call)."""
        _flush_outputs()
        await _give_the_page_turns(n)


def ui_events() -> UiEvents:
    """``with ui_events() as poll:`` (or ``async with``): call ``poll(n)`` to let widget events in."""
    return UiEvents()


async def _run_ui_poll_loop_async(f: Callable[[], Any], sleep: float | None = 0.02, n: int = 1) -> Any:
    while True:
        if sleep is not None:
            await asyncio.sleep(sleep)
        await _give_the_page_turns(n)
        result = f()
        if asyncio.iscoroutine(result):  # f waited, so the codemod made it async
            result = await result
        if result is not None:
            return result


@awaitable_as(_run_ui_poll_loop_async)
def run_ui_poll_loop(f: Callable[[], Any], sleep: float | None = 0.02, n: int = 1) -> Any:
    """Call ``f()`` every ``sleep`` seconds until it returns something other than ``None``; return that.

    Widget events are handled between calls. Rewritten cells await this; called
    as written it needs JSPI (see :func:`sync_kernel.threads._core.block`).
    """
    return block(lambda: _run_ui_poll_loop_async(f, sleep, n), "the loop waits for widget events", "run_ui_poll_loop()")


class _WithUiEvents:
    """``with_ui_events(items, n)``: the items, with widget events handled before each."""

    def __init__(self, items: Iterable[T] | Any, n: int) -> None:
        self._items = items
        self._n = n

    def __iter__(self) -> Iterator[Any]:
        poll = UiEvents()
        for item in self._items:
            poll(self._n)
            yield item

    async def __aiter__(self) -> AsyncIterator[Any]:
        items = self._items
        if hasattr(items, "__aiter__"):
            async for item in items:
                await _give_the_page_turns(self._n)
                yield item
            return
        for item in items:
            await _give_the_page_turns(self._n)
            yield item


def with_ui_events(its: Iterable[T] | Any, n: int = 1) -> _WithUiEvents:
    """Iterate over ``its``, handling up to ``n`` widget events before each item."""
    return _WithUiEvents(its, n)


__all__ = ["UiEvents", "run_ui_poll_loop", "ui_events", "with_ui_events"]
