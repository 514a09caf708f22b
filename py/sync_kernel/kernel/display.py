"""IPython's display machinery wired to the kernel's :class:`~sync_kernel.outputs.Outputs`.

* :class:`KernelDisplayHook` turns a cell's last expression into one
  ``execute_result`` with every rich repr IPython's formatters produce
  (``_``, ``Out`` and ``_N`` are kept by IPython's base class).
* :class:`KernelDisplayPublisher` sends ``display()`` as ``display_data``,
  ``update_display`` as ``update_display_data`` and ``clear_output`` as
  ``clear_output``.
"""

from __future__ import annotations

from typing import Any

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher

from .outputs import Outputs


class KernelDisplayHook(DisplayHook):
    """Publishes the value of a cell's last expression as ``execute_result``."""

    outputs: Outputs | None = None

    def start_displayhook(self) -> None:
        super().start_displayhook()
        self._content: dict[str, Any] = {
            "execution_count": self.prompt_count,
            "data": {},
            "metadata": {},
        }

    def write_output_prompt(self) -> None:
        """No prompt text: the frontend shows ``Out[n]`` from ``execution_count``."""

    def write_format_data(self, format_dict: dict[str, Any], md_dict: dict[str, Any] | None = None) -> None:
        self._content["data"] = format_dict
        self._content["metadata"] = md_dict or {}

    def finish_displayhook(self) -> None:
        if self.outputs is not None and self._content["data"]:
            self.outputs.send_outcome("execute_result", self._content)
        self._is_active = False


class KernelDisplayPublisher(DisplayPublisher):
    """Publishes ``display()``/``update_display()``/``clear_output()``."""

    outputs: Outputs | None = None

    def publish(
        self,
        data: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        *args: Any,
        transient: dict[str, Any] | None = None,
        update: bool = False,
        **kwargs: Any,
    ) -> None:
        if self.outputs is None:
            return
        content = {"data": data, "metadata": metadata or {}, "transient": transient or {}}
        self.outputs.send("update_display_data" if update else "display_data", content)

    def clear_output(self, wait: bool = False) -> None:
        if self.outputs is not None:
            self.outputs.send("clear_output", {"wait": bool(wait)})
