"""A host-CPython harness for :class:`sync_kernel.kernel.KernelApi`: JSON in, events out.

The JavaScript edge (``emit``) is replaced by a recorder; cells run on one
asyncio loop that lives across cells, as Pyodide's does. Inside Pyodide (``npm
run test:pyodide``) that loop is a private one, through the codemod tests'
``harness.desktop_asyncio``, since the tests themselves run on Pyodide's loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("IPYTHONDIR", tempfile.mkdtemp(prefix="ipython-"))

from harness import desktop_asyncio  # noqa: E402  (the codemod tests' harness, next to this file)
from sync_kernel.kernel import KernelApi, install_io  # noqa: E402
from sync_kernel.kernel.inputs import Blocking  # noqa: E402
from sync_kernel.kernel.loopguard import current_policy, protect  # noqa: E402

T = TypeVar("T")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Event:
    msg_type: str
    content: dict[str, Any]
    #: The ``msg_id`` of the request it belongs to (its parent header's).
    parent: str = ""


@dataclass
class Harness:
    loop: asyncio.AbstractEventLoop
    events: list[Event] = field(default_factory=list)
    kernel: KernelApi | None = None
    on_event: Callable[[Event], None] | None = None
    #: Cells run so far (each gets its own request header, as from the runtime).
    count: int = 0

    def emit(self, msg_type: str, content: str, parent: str) -> None:
        parsed = json.loads(content)
        # Comm messages come as {content, metadata, buffers}, which the runtime takes apart.
        event = Event(
            msg_type,
            parsed["content"] if msg_type.startswith("comm_") else parsed,
            json.loads(parent).get("msg_id", ""),
        )
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def run(self, code: str, **request: Any) -> tuple[dict[str, Any], list[Event]]:
        """Execute one cell; returns the reply and the events it produced."""
        assert self.kernel is not None
        start = len(self.events)
        kernel = self.kernel

        self.count += 1
        kernel.set_parent(json.dumps({"msg_id": f"execute-{self.count}", "msg_type": "execute_request"}))

        async def execute() -> str:
            reply = kernel.execute(json.dumps({"code": code, **request}))
            return reply if isinstance(reply, str) else await reply

        return json.loads(self.until(execute())), self.events[start:]

    def until(self, awaitable: Awaitable[T]) -> T:
        """Run the loop until ``awaitable`` is done, with the kernel's streams and input installed.

        (Installed per call, because pytest swaps ``sys.stdout`` between test phases.)
        """
        assert self.kernel is not None
        restore = install_io(self.kernel)
        try:
            with desktop_asyncio():
                return self.loop.run_until_complete(awaitable)
        finally:
            restore()


def make_harness(blocking: Blocking | None = None, transform: bool = True) -> tuple[Harness, Callable[[], None]]:
    with desktop_asyncio():
        loop = asyncio.new_event_loop()
        policy = current_policy()
        unprotect = protect(loop, policy)
    harness = Harness(loop)
    harness.kernel = KernelApi(harness.emit, blocking=blocking, transform=transform)

    def close() -> None:
        unprotect()
        policy.set_event_loop(None)
        loop.close()

    return harness, close


def stream_text(events: list[Event], name: str = "stdout") -> str:
    return "".join(e.content["text"] for e in events if e.msg_type == "stream" and e.content["name"] == name)


def plain(lines: list[str]) -> str:
    """Traceback lines without ANSI colours, as one string."""
    return ANSI.sub("", "\n".join(lines))
