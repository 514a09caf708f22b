"""Batched ``sys.stdout``/``sys.stderr`` for the kernel.

Pyodide's own ``sys.stdout`` is line-buffered and calls into JavaScript once per
line, so a loop of 100,000 ``print`` calls would post 100,000 messages to the
page. A :class:`BatchedStream` keeps what is written in a list and hands it on
as one ``stream`` message when

* the buffer holds ``max_chars`` characters,
* ``max_delay`` seconds have passed since the first unsent write (checked on
  every ``check_every``-th write, so writing stays cheap),
* the event loop gets control (a cell awaits: ``loop.call_soon``),
* any other output is about to be sent (the kernel calls :meth:`flush` first,
  so order is kept), or the cell ends.

A batch holds the text of one request: what a widget's callback prints while a
cell waits is sent apart from what the cell printed before it, each with its
own ``request`` (see :class:`~sync_kernel.kernel.outputs.Outputs`).

Example::

    >>> sent = []
    >>> out = BatchedStream("stdout", lambda name, text, request: sent.append((name, text)))
    >>> print("a", file=out); print("b", file=out)
    >>> out.flush()
    >>> sent
    [('stdout', 'a\\nb\\n')]
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Protocol


class CallSoon(Protocol):
    """The part of an event loop a stream needs (``loop.call_soon``)."""

    def call_soon(self, callback: Callable[[], object], /) -> object: ...


#: Receives one batch: the stream's name (``"stdout"``/``"stderr"``), its text, and the request it was written for.
StreamSink = Callable[[str, str, object], None]


class BatchedStream(io.TextIOBase):
    """A text stream that forwards what is written in batches (see the module docstring).

    ``name`` is the Jupyter stream name; ``sink`` receives each batch;
    ``loop_getter`` returns the running event loop or ``None`` (then only size,
    time and explicit flushes send); ``request_getter`` says which request
    the code writing now works for (text for another one starts a new batch).
    """

    def __init__(
        self,
        name: str,
        sink: StreamSink,
        *,
        loop_getter: Callable[[], CallSoon | None] = lambda: None,
        request_getter: Callable[[], object] = lambda: None,
        max_chars: int = 1 << 16,
        max_delay: float = 0.05,
        check_every: int = 64,
    ) -> None:
        super().__init__()
        self._name = name
        self._sink = sink
        self._loop_getter = loop_getter
        self._request_getter = request_getter
        self._max_chars = max_chars
        self._max_delay = max_delay
        self._check_every = check_every
        self._parts: list[str] = []
        #: The request the buffered text was written for.
        self._request: object = None
        self._size = 0
        self._first_write = 0.0
        self._writes = 0
        self._flush_scheduled = False
        #: Flushed before this stream starts a batch, so stdout and stderr keep their order.
        self.sibling: BatchedStream | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        parts = self._parts
        request = self._request_getter()
        if parts and request is not self._request:
            self.flush()
        if not parts:
            if self.sibling is not None:
                self.sibling.flush()
            self._request = request
            self._first_write = time.monotonic()
            self._schedule_flush()
        parts.append(text)
        self._size += len(text)
        self._writes += 1
        if self._size >= self._max_chars or (
            self._writes % self._check_every == 0 and time.monotonic() - self._first_write >= self._max_delay
        ):
            self.flush()
        return len(text)

    def flush(self) -> None:
        """Send what is buffered as one batch (nothing when empty)."""
        if not self._parts:
            return
        text = "".join(self._parts)
        self._parts.clear()
        self._size = 0
        self._sink(self._name, text, self._request)

    def _schedule_flush(self) -> None:
        if self._flush_scheduled:
            return
        loop = self._loop_getter()
        if loop is not None:
            self._flush_scheduled = True
            loop.call_soon(self._flush_from_loop)

    def _flush_from_loop(self) -> None:
        self._flush_scheduled = False
        self.flush()
