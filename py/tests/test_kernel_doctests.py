"""The examples in the modules' docstrings run as written."""

from __future__ import annotations

import builtins
import doctest
import importlib

import pytest

import kernel_harness  # noqa: F401  (puts py/ on sys.path)
from harness import desktop_asyncio


@pytest.mark.parametrize(
    "name",
    [
        "kernel.streams",
        "kernel.outputs",
        "kernel.inputs",
        "kernel.loopguard",
        "kernel.timing",
        "kernel.snapshot",
        "kernel.transform_view",
        "kernel.after_import",
        "codemod.magic_calls",
        "codemod.reasons",
        "codemod.rules",
        "codemod.session",
        "codemod.values",
        "codemod.waits",
        "kernel.api",
        "kernel.comms",
        "kernel.interrupts",
    ],
)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"sync_kernel.{name}")
    had_underscore = hasattr(builtins, "_")
    try:
        with desktop_asyncio():  # the examples use asyncio.run, also inside Pyodide
            result = doctest.testmod(module)
    finally:
        if not had_underscore and hasattr(builtins, "_"):
            del builtins._  # doctest's displayhook sets it; IPython then stops updating `_`
    assert result.attempted > 0 and result.failed == 0
