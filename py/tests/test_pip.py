"""``%pip`` and ``!pip``: awaited where a cell can await, and pip's commands done with micropip.

Here micropip is a stand-in that records what it is asked (the real one, in
Pyodide, is exercised by the jest tests in ``test/runtime.test.ts``).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from kernel_harness import Harness, plain, stream_text
from sync_kernel.codemod.magic_calls import PIP_NAME
from sync_kernel.kernel.pip import RESTART_NOTE


@dataclass
class Package:
    version: str


class FakeMicropip(types.ModuleType):
    """Records installs; "installs" a package at version 1.0 unless its name says ``missing``."""

    def __init__(self) -> None:
        super().__init__("micropip")
        self.packages: dict[str, Package] = {"micropip": Package("0.11.1")}
        self.calls: list[tuple[list[str], dict[str, Any]]] = []

    async def install(self, requirements: list[str], **settings: Any) -> None:
        self.calls.append((requirements, settings))
        for requirement in requirements:
            if "missing" in requirement:
                raise ValueError(f"Can't find a pure Python 3 wheel for '{requirement}'.")
            self.packages[requirement.split("==")[0]] = Package("1.0")

    def list(self) -> dict[str, Package]:
        return dict(self.packages)

    def uninstall(self, names: list[str]) -> None:
        for name in names:
            self.packages.pop(name, None)


@pytest.fixture
def micropip() -> Iterator[FakeMicropip]:
    fake = FakeMicropip()
    saved = sys.modules.get("micropip")
    sys.modules["micropip"] = fake
    try:
        yield fake
    finally:
        if saved is None:
            del sys.modules["micropip"]
        else:
            sys.modules["micropip"] = saved


def test_pip_and_bang_pip_install_and_the_next_line_sees_the_package(harness: Harness, micropip: FakeMicropip) -> None:
    reply, events = harness.run(
        "%pip install -q demo\n!pip install other==2.0 --pre\nimport micropip\nprint(sorted(micropip.list()))"
    )
    assert reply["status"] == "ok"
    assert micropip.calls == [(["demo"], {"keep_going": True}), (["other==2.0"], {"keep_going": True, "pre": True})]
    assert stream_text(events) == (  # -q: only IPython's note, as pip -q
        f"{RESTART_NOTE}\nSuccessfully installed other-1.0\n{RESTART_NOTE}\n['demo', 'micropip', 'other']\n"
    )


def test_pip_in_a_block_is_awaited_and_in_a_function_says_why_not(harness: Harness, micropip: FakeMicropip) -> None:
    reply, _ = harness.run("if True:\n    %pip install demo\n")
    assert reply["status"] == "ok" and micropip.calls == [(["demo"], {"keep_going": True})]
    harness.run("def setup():\n    %pip install other\n")
    reply, events = harness.run("setup()")
    assert reply["status"] == "error"  # shown as IPython shows a usage error: one line
    assert stream_text(events, "stderr").startswith("UsageError: %pip must be at the top level of a cell")


def test_a_failed_install_reports_like_pip_and_the_notebook_goes_on(harness: Harness, micropip: FakeMicropip) -> None:
    reply, events = harness.run("%pip install missing-package\nprint('next line')")
    assert reply["status"] == "ok"
    assert stream_text(events, "stderr") == "ERROR: Can't find a pure Python 3 wheel for 'missing-package'.\n"
    assert stream_text(events) == "next line\n"


@pytest.mark.parametrize(
    "line, error",
    [
        ("%pip download demo", "%pip download is not available in the browser"),
        ("%pip install --target /tmp demo", "pip install --target is not available in the browser"),
        ("%pip install", "pip install needs at least one package"),
        ("%pip install -r no-such-requirements.txt", "could not open requirements file 'no-such-requirements.txt'"),
        ("%pip install 'demo", "could not read the command line: No closing quotation"),
        ("%pip uninstall -y", "pip uninstall needs at least one package"),
    ],
)
def test_what_pip_cannot_do_here_is_one_error_line(
    harness: Harness, micropip: FakeMicropip, line: str, error: str
) -> None:
    reply, events = harness.run(line)
    assert reply["status"] == "ok" and micropip.calls == []
    (message,) = stream_text(events, "stderr").splitlines()
    assert message.startswith(f"ERROR: {error}")


def test_requirements_files_uninstall_list_and_freeze(harness: Harness, micropip: FakeMicropip, tmp_path: Any) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# what the course needs\ndemo\n\nother==2.0  # pinned\n")
    harness.run(f"%pip install -r {requirements}")
    assert micropip.calls == [(["demo", "other==2.0"], {"keep_going": True})]
    _, events = harness.run("%pip list")
    assert stream_text(events).splitlines() == [
        "Package  Version",
        "-------- -------",
        "demo     1.0",
        "micropip 0.11.1",
        "other    1.0",
    ]
    _, events = harness.run("!pip uninstall -y demo\n%pip freeze")
    assert stream_text(events) == f"Successfully uninstalled demo\n{RESTART_NOTE}\nmicropip==0.11.1\nother==1.0\n"


def test_pip_lines_keep_their_line_numbers_in_tracebacks(harness: Harness, micropip: FakeMicropip) -> None:
    reply, _ = harness.run("%pip install demo\nx = 1\n1 / 0")
    assert "line 3" in plain(reply["traceback"])


def test_the_pip_name_is_the_kernels(harness: Harness) -> None:
    assert harness.kernel is not None
    assert type(harness.kernel.shell.user_ns[PIP_NAME]).__name__ == "Pip"
