"""Block a cell while interacting with widgets: ``jupyter-ui-poll``'s API for this kernel.

Served with the kernel's wheels as the distribution ``jupyter-ui-poll``; the
implementation is :mod:`sync_kernel.kernel.ui_poll`.
"""

from sync_kernel.kernel.ui_poll import run_ui_poll_loop, ui_events, with_ui_events

__all__ = ("ui_events", "with_ui_events", "run_ui_poll_loop")
