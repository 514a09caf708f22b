"""The examples in the kernel modules' docstrings run as written."""

from __future__ import annotations

import doctest
import importlib

import kernel_harness  # noqa: F401  (puts py/ on sys.path)
import pytest


@pytest.mark.parametrize("name", ["streams", "outputs", "inputs", "loopguard"])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"sync_kernel.{name}")
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
