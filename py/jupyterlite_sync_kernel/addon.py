"""A ``jupyter lite build`` addon that configures the kernel in the built site.

It patches the site's ``jupyter-lite.json`` after the build, from options in the
build configuration (``jupyter_lite_config.json``, or ``--config FILE``)::

    {
      "SyncKernelAddon": {
        "default_kernel": true,
        "package_base_url": "https://cdn.jsdelivr.net/pyodide/v314.0.7/full/"
      }
    }

``default_kernel`` makes ``python-sync`` the kernel new notebooks get
(``defaultKernelName``); ``package_base_url`` and ``transform`` become the
kernel's ``litePluginSettings``. Options left unset change nothing, so a site's
own ``jupyter-lite.json`` keeps the last word on them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jupyterlite_core.addons.base import BaseAddon
from jupyterlite_core.constants import JSON_FMT, JUPYTER_CONFIG_DATA, JUPYTERLITE_JSON, UTF8
from traitlets import Bool, Unicode

from . import KERNEL_NAME, PLUGIN_ID


class SyncKernelAddon(BaseAddon):
    """Write the sync kernel's site settings into the built ``jupyter-lite.json``."""

    __all__ = ["post_build"]

    default_kernel = Bool(None, allow_none=True, help=f"Make {KERNEL_NAME!r} the site's default kernel").tag(
        config=True
    )

    package_base_url = Unicode(
        None,
        allow_none=True,
        help="Base URL of Pyodide's distribution packages (numpy, ...): absolute, or relative to the site",
    ).tag(config=True)

    transform = Bool(None, allow_none=True, help="Rewrite blocking calls when a kernel starts (%transform on)").tag(
        config=True
    )

    def post_build(self, manager: Any) -> Iterator[Any]:
        """Yield the task that patches the root ``jupyter-lite.json``."""
        if self.default_kernel is None and self.package_base_url is None and self.transform is None:
            return
        jupyterlite_json = manager.output_dir / JUPYTERLITE_JSON
        yield self.task(
            name=f"patch:{JUPYTERLITE_JSON}",
            doc=f"write the {KERNEL_NAME} kernel's settings into {JUPYTERLITE_JSON}",
            file_dep=[jupyterlite_json],
            actions=[(self.patch_jupyterlite_json, [jupyterlite_json])],
        )

    def patch_jupyterlite_json(self, path: Path) -> None:
        """Set ``defaultKernelName`` and the kernel's ``litePluginSettings`` in ``path``."""
        if self.default_kernel is not None:
            config = json.loads(path.read_text(**UTF8))
            data = config.setdefault(JUPYTER_CONFIG_DATA, {})
            if self.default_kernel:
                data["defaultKernelName"] = KERNEL_NAME
            elif data.get("defaultKernelName") == KERNEL_NAME:
                del data["defaultKernelName"]
            path.write_text(json.dumps(config, **JSON_FMT), **UTF8)
        settings = dict(self.get_lite_plugin_settings(path, PLUGIN_ID))
        if self.package_base_url is not None:
            settings["packageBaseUrl"] = self.package_base_url
        if self.transform is not None:
            settings["transform"] = self.transform
        if settings:
            self.set_lite_plugin_settings(path, PLUGIN_ID, settings)
        self.maybe_timestamp(path)
