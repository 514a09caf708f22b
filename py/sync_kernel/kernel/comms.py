"""Comms, the Jupyter protocol's channels between kernel and front end (ipywidgets uses them).

The ``comm`` package lets a kernel provide its own comm class and manager:
:func:`install_comms` makes every comm publish through the kernel's
:class:`~sync_kernel.outputs.Outputs`, so ``comm_open``/``comm_msg``/``comm_close``
reach the front end in order with the cell's other outputs, and returns the
manager that takes the front end's comm messages.

Binary buffers cross the JSON edge to the runtime as base64 text
(:func:`encode_buffers`/:func:`decode_buffers`).

Example::

    >>> sent = []
    >>> manager = install_comms(Outputs(lambda kind, content, parent: sent.append(kind)))
    >>> import comm
    >>> channel = comm.create_comm(target_name="demo")
    >>> sent, manager.get_comm(channel.comm_id) is channel
    (['comm_open'], True)
"""

from __future__ import annotations

import base64
from typing import Any

import comm
from comm.base_comm import BaseComm, CommManager

from .outputs import Outputs


def install_comms(outputs: Outputs) -> CommManager:
    """Make ``comm.create_comm`` publish through ``outputs``; the comm manager, new."""
    manager = CommManager()

    class KernelComm(BaseComm):
        def publish_msg(
            self,
            msg_type: str,
            data: dict[str, Any] | None = None,
            metadata: dict[str, Any] | None = None,
            buffers: list[Any] | None = None,
            **keys: Any,
        ) -> None:
            content = {"data": data or {}, "comm_id": self.comm_id, **keys}
            outputs.send_comm(msg_type, content, metadata or {}, encode_buffers(buffers or []))

    comm.create_comm = KernelComm
    comm.get_comm_manager = lambda: manager
    return manager


def encode_buffers(buffers: list[Any]) -> list[str]:
    """Binary buffers (``bytes``, ``memoryview``, ...) as base64 text."""
    return [base64.b64encode(bytes(buffer)).decode("ascii") for buffer in buffers]


def decode_buffers(encoded: list[str]) -> list[memoryview]:
    """:func:`encode_buffers` undone, as the ``memoryview`` objects ipykernel hands to comms."""
    return [memoryview(base64.b64decode(text)) for text in encoded]
