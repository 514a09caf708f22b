"""Make ``sync_kernel`` (in ``py/``) and the test harness importable, from any working directory.

Also the ``harness`` fixture of the kernel tests: a kernel on a private loop
(imported only when a test asks for it, so the codemod's tests need no IPython).
"""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
for path in (HERE.parent, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "desktop_threads: compares with CPython's real threads, so runs on desktop Python only "
        "(`npm run test:pyodide` deselects it with -m)",
    )


@pytest.fixture
def harness() -> Iterator[Any]:
    """A :class:`kernel_harness.Harness` with a fresh kernel, closed after the test."""
    from kernel_harness import make_harness

    kernel, close = make_harness()
    try:
        yield kernel
    finally:
        close()
