"""The kernel's one ordered channel to the runtime.

Everything Python produces for the frontend — stream batches, displays,
results, errors, notes, input requests — goes through :meth:`Outputs.send`,
which first flushes both batched streams, so the frontend sees outputs in the
order the cell produced them. ``emit(msg_type, content_json, parent_json)`` is
the edge to JavaScript: the worker runtime posts the message with that parent
header.

The parent is the request the producing code works for. That is the cell being
executed (:meth:`Outputs.set_parent`), unless the code runs for a front-end
message that arrived while the cell waits (a widget's callback, see
:meth:`Outputs.run_for`): its outputs then belong to that message, as on desktop
Jupyter, and tasks or threads it starts inherit it.

Example::

    >>> sent = []
    >>> outputs = Outputs(lambda kind, content, parent: sent.append((kind, parent)))
    >>> outputs.set_parent('{"msg_id": "cell"}')
    >>> outputs.stdout.write("hi\\n")
    3
    >>> outputs.run_for('{"msg_id": "click"}', outputs.send, "clear_output", {"wait": False})
    >>> sent
    [('stream', '{"msg_id": "cell"}'), ('clear_output', '{"msg_id": "click"}')]
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from typing import Any, TypeVar

from .streams import BatchedStream, CallSoon

#: The edge to the runtime: a Jupyter message type, its content and its parent header, as JSON text.
Emit = Callable[[str, str, str], None]

T = TypeVar("T")


class Outputs:
    """Batched ``stdout``/``stderr`` plus :meth:`send` for every other message."""

    def __init__(self, emit: Emit, loop_getter: Callable[[], CallSoon | None] = lambda: None) -> None:
        self._emit = emit
        #: The header (JSON) of the cell being executed: the parent of outputs by default.
        self._cell_parent = "{}"
        #: Set while code runs for another request (see :meth:`run_for`).
        self._request: contextvars.ContextVar[str | None] = contextvars.ContextVar("sync_kernel.request", default=None)
        self.stdout = BatchedStream("stdout", self._send_stream, loop_getter=loop_getter, request_getter=self.parent)
        self.stderr = BatchedStream("stderr", self._send_stream, loop_getter=loop_getter, request_getter=self.parent)
        self.stdout.sibling = self.stderr
        self.stderr.sibling = self.stdout
        self._held: list[tuple[str, dict[str, Any]]] | None = None

    # -- whose outputs ----------------------------------------------------------

    def set_parent(self, header: str) -> None:
        """The header (JSON) of the cell about to run: the parent of what runs for no other request."""
        self.flush()
        self._cell_parent = header

    def parent(self) -> str:
        """The header (JSON) of the request the running code works for."""
        return self._request.get() or self._cell_parent

    def run_for(self, header: str, function: Callable[..., T], *args: Any) -> T:
        """Call ``function(*args)`` for the request ``header`` (a comm message), in a context of its own.

        What it outputs has that parent, and so has whatever it starts (tasks
        copy the context). A cell waiting meanwhile keeps its own.
        """

        def call() -> T:
            self._request.set(header)
            try:
                return function(*args)
            finally:
                self.flush()

        return contextvars.copy_context().run(call)

    # -- sending ----------------------------------------------------------------

    def send(self, msg_type: str, content: dict[str, Any]) -> None:
        """Flush the streams, then send one message (content must be JSON-able)."""
        self.flush()
        self._emit(msg_type, json.dumps(content, default=str), self.parent())

    def send_comm(self, msg_type: str, content: dict[str, Any], metadata: dict[str, Any], buffers: list[str]) -> None:
        """Send a comm message: its content, metadata and base64 buffers as one JSON object."""
        self.flush()
        message = {"content": content, "metadata": metadata, "buffers": buffers}
        self._emit(msg_type, json.dumps(message, default=str), self.parent())

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

    def _send_stream(self, name: str, text: str, request: object) -> None:
        # `request` is what `parent()` gave when the batch started (the streams are built with it).
        self._emit("stream", json.dumps({"name": name, "text": text}), str(request))
