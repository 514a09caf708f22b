"""The kernel inside Pyodide: IPython's shell around the codemod, and the request API.

The worker runtime imports this package and calls :func:`start`; everything
after that goes through the returned :class:`KernelApi`. A cell's way in:
``api`` (the request) → ``shell`` (IPython's input transforms, then the
``pipeline`` of cell transforms that ends in the codemod) → top-level await on
the running loop → ``outputs``/``streams``/``display`` (Jupyter messages out).
"""

from __future__ import annotations

from .api import KernelApi, install_io, start
from .snapshot import restored

__all__ = ["KernelApi", "install_io", "restored", "start"]
