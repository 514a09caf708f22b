"""Run a function on a module right after its first import (a post-import hook).

The kernel adapts some libraries to Pyodide (``urllib.request`` and
``requests`` for web requests) only if a cell imports them, so that a kernel
that never uses them pays nothing at start. A finder at the front of
``sys.meta_path`` finds the module with the other finders and wraps its loader,
so the function runs once the module's code has run, before the importer sees
the module.

Example::

    >>> import sys
    >>> seen = []
    >>> after_import("colorsys", seen.append)
    >>> import colorsys
    >>> seen == [sys.modules["colorsys"]]
    True
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Callable, Sequence

Patch = Callable[[types.ModuleType], None]


class _PatchingLoader(importlib.abc.Loader):
    """``loader``, then ``patch`` on the module it executed."""

    def __init__(self, loader: importlib.abc.Loader, patch: Patch) -> None:
        self._loader = loader
        self._patch = patch

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        # The module keeps its own loader (for get_source, resources), not this wrapper.
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        self._patch(module)


class _AfterImportFinder(importlib.abc.MetaPathFinder):
    """Finds the watched modules with the finders after it and wraps their loaders."""

    def __init__(self) -> None:
        self.patches: dict[str, Patch] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        patch = self.patches.pop(fullname, None)  # once: a reload is not patched again
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None


_finder = _AfterImportFinder()


def after_import(name: str, patch: Patch) -> None:
    """Call ``patch(module)`` when the module ``name`` is first imported (now, if it already is)."""
    module = sys.modules.get(name)
    if module is not None:
        patch(module)
        return
    _finder.patches[name] = patch
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
