"""pytest plugin for running ``py/tests`` inside Pyodide (``npm run test:pyodide``).

Pyodide is not CPython on Linux: some tests cannot run there at all, and some
fail there for reasons that are known and reported. Both lists are here, each
entry with its reason, and pytest prints them at the end of the run:

* :data:`CANNOT_RUN` — deselected: the test needs something Pyodide does not
  have, or compares with CPython behaviour that Pyodide does not reproduce;
* :data:`KNOWN_FAILURES` — run as *strict* expected failures: the run fails as
  soon as one of them passes, so a fix cannot go unnoticed and the entry must
  then be removed.

Used as ``python -m pytest -p pyodide_expectations ...`` (``py/tools`` is on ``sys.path``).
"""

from __future__ import annotations

import pytest

CANNOT_RUN: dict[str, str] = {
    "py/tests/test_cli.py": "starts subprocesses, which Pyodide cannot",
    "py/tests/test_stdlib_sweep.py::test_sample_of_the_standard_library": (
        "Pyodide's standard library is a zip; the sweep reads .py files from a directory"
    ),
}

KNOWN_FAILURES: dict[str, str] = {}


def _matches(nodeid: str, key: str) -> bool:
    return nodeid == key or nodeid.startswith(key + "::")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (dropped if any(_matches(item.nodeid, key) for key in CANNOT_RUN) else kept).append(item)
        for key, reason in KNOWN_FAILURES.items():
            if _matches(item.nodeid, key):
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.section("not run in Pyodide")
    for key, reason in CANNOT_RUN.items():
        terminalreporter.write_line(f"{key}: {reason}")
    terminalreporter.section("known failures in Pyodide (strict xfail)")
    for key, reason in KNOWN_FAILURES.items():
        terminalreporter.write_line(f"{key}: {reason}")
