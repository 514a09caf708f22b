"""The kernel's one ordered channel to the runtime.

Everything Python produces for the frontend — stream batches, displays,
results, errors, notes, input requests — goes through :meth:`Outputs.send`,
which first flushes both batched streams, so the frontend sees outputs in the
order the cell produced them. ``emit(msg_type, content_json)`` is the edge to
JavaScript (the worker runtime stamps the parent header and posts it).

Example::

    >>> sent = []
    >>> outputs = Outputs(lambda kind, content: sent.append((kind, content)))
    >>> outputs.stdout.write("hi\\n")
    3
    >>> outputs.send("clear_output", {"wait": False})
    >>> [kind for kind, _ in sent]
    ['stream', 'clear_output']
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .streams import BatchedStream, CallSoon

#: The edge to the runtime: a Jupyter message type and its content as JSON text.
Emit = Callable[[str, str], None]


class Outputs:
    """Batched ``stdout``/``stderr`` plus :meth:`send` for every other message."""

    def __init__(self, emit: Emit, loop_getter: Callable[[], CallSoon | None] = lambda: None) -> None:
        self._emit = emit
        self.stdout = BatchedStream("stdout", self._send_stream, loop_getter=loop_getter)
        self.stderr = BatchedStream("stderr", self._send_stream, loop_getter=loop_getter)
        self.stdout.sibling = self.stderr
        self.stderr.sibling = self.stdout
        self._held: list[tuple[str, dict[str, Any]]] | None = None

    def send(self, msg_type: str, content: dict[str, Any]) -> None:
        """Flush the streams, then send one message (content must be JSON-able)."""
        self.flush()
        self._emit(msg_type, json.dumps(content, default=str))

    def send_comm(self, msg_type: str, content: dict[str, Any], metadata: dict[str, Any], buffers: list[str]) -> None:
        """Send a comm message: its content, metadata and base64 buffers as one JSON object."""
        self.flush()
        self._emit(msg_type, json.dumps({"content": content, "metadata": metadata, "buffers": buffers}, default=str))

    def send_outcome(self, msg_type: str, content: dict[str, Any]) -> None:
        """Send a cell's ``execute_result`` or ``error``, or keep it while :meth:`hold` is on."""
        if self._held is None:
            self.send(msg_type, content)
        else:
            self._held.append((msg_type, content))

    def hold(self) -> None:
        """Keep outcomes back (``%time`` prints its times before them)."""
        self._held = []

    def release(self) -> None:
        """Send the outcomes kept back, in order, and stop holding."""
        held, self._held = self._held or [], None
        for msg_type, content in held:
            self.send(msg_type, content)

    def flush(self) -> None:
        """Send whatever the streams hold."""
        self.stdout.flush()
        self.stderr.flush()

    def _send_stream(self, name: str, text: str) -> None:
        self._emit("stream", json.dumps({"name": name, "text": text}))
