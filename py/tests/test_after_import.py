"""A post-import patch runs once, after the module's code, and leaves the module's loader alone."""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_kernel.kernel.after_import import after_import


@pytest.fixture
def fresh_module(tmp_path: Path) -> Iterator[str]:
    """A module nobody imported yet, on ``sys.path`` for the test."""
    name = f"fresh_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text("def greet():\n    return 'hello'\n")
    sys.path.insert(0, str(tmp_path))
    try:
        yield name
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


def test_the_patch_runs_after_the_module_code(fresh_module: str) -> None:
    seen: list[str] = []

    def patch(module: types.ModuleType) -> None:
        seen.append(module.greet())
        module.greet = lambda: "patched"

    after_import(fresh_module, patch)
    module = __import__(fresh_module)
    assert seen == ["hello"]
    assert module.greet() == "patched"
    assert "return 'hello'" in inspect.getsource(module)  # its own loader still answers
    assert type(module.__loader__).__name__ == "SourceFileLoader"


def test_a_module_already_imported_is_patched_at_once(fresh_module: str) -> None:
    module = __import__(fresh_module)
    seen: list[types.ModuleType] = []
    after_import(fresh_module, seen.append)
    assert seen == [module]


def test_a_reimport_after_removal_is_not_patched_again(fresh_module: str) -> None:
    seen: list[str] = []
    after_import(fresh_module, lambda module: seen.append(module.__name__))
    __import__(fresh_module)
    del sys.modules[fresh_module]
    __import__(fresh_module)
    assert seen == [fresh_module]
