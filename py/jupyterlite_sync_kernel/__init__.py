"""jupyterlite-sync-kernel: the Python distribution of the JupyterLite kernel.

The kernel itself is a prebuilt JupyterLite (JupyterLab 4) extension, installed
by this distribution under ``share/jupyter/labextensions/jupyterlite-sync-kernel``,
where ``jupyter lite build`` finds it. This package also holds a build addon
(:mod:`jupyterlite_sync_kernel.addon`) that writes the kernel's settings into
the site's ``jupyter-lite.json``.
"""

from __future__ import annotations

import json
from importlib import resources

__version__ = "0.1.0"

_CONTRACT = json.loads(resources.files(__package__).joinpath("contract.json").read_text(encoding="utf-8"))

#: The kernel spec name the extension registers.
KERNEL_NAME: str = _CONTRACT["kernelName"]

#: The plugin id; also the key of the kernel's entry in ``litePluginSettings``.
PLUGIN_ID: str = _CONTRACT["pluginId"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where JupyterLab's tooling finds the extension (``jupyter labextension list``)."""
    return [{"src": "labextension", "dest": "jupyterlite-sync-kernel"}]
