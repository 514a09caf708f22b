"""The kernel's shell end to end, in a few cells: the smoke test the in-Pyodide run keeps.

Everything here is tested in detail in ``test_shell.py`` on host CPython; inside
Pyodide (``npm run test:pyodide``) this file shows that IPython, the cell
pipeline and the codemod work together on Python 3.14 with Pyodide's packages.
"""

from __future__ import annotations

import os
import pathlib

from kernel_harness import Harness, plain, stream_text
from sync_kernel.codemod.notes import NOTES_MIME_TYPE


def test_a_rewritten_cell_runs_with_its_notes_first_then_an_error_at_the_users_line(harness: Harness) -> None:
    harness.run("import time\ndef nap(s):\n    time.sleep(s)\n    return s")
    reply, events = harness.run("for i in range(2):\n    print(i, nap(0.01))\nnap(0) * 7")
    assert reply["status"] == "ok"
    assert events[0].msg_type == "display_data"
    assert [note["kind"] for note in events[0].content["data"][NOTES_MIME_TYPE]] == ["await-call", "await-call"]
    assert stream_text(events) == "0 0.01\n1 0.01\n"
    assert events[-1].content["data"]["text/plain"] == "0"
    reply, _ = harness.run("x = 1\n\nnap(1 / 0)")
    assert reply["ename"] == "ZeroDivisionError" and "line 3" in plain(reply["traceback"])


def test_magics_pip_and_time_go_through_the_cell_pipeline(harness: Harness) -> None:
    reply, events = harness.run("%%transform\nimport time\ntime.sleep(5)")
    assert reply["status"] == "ok"
    assert "await __sync__.sleep(5)" in events[0].content["data"]["text/plain"]
    reply, events = harness.run("%time sum(range(10))")
    assert reply["status"] == "ok" and "Wall time" in stream_text(events)


def test_a_kernel_started_before_it_knows_its_notebook_enters_the_folder_later(
    harness: Harness, tmp_path: pathlib.Path
) -> None:
    assert harness.kernel is not None
    folder = tmp_path / "course" / "week 1"
    before = os.getcwd()
    try:
        harness.kernel.enter_folder(str(folder))
        reply, events = harness.run("import os\nprint(os.getcwd())\nprint(_dh)")
    finally:
        os.chdir(before)
    assert reply["status"] == "ok"
    assert stream_text(events) == f"{folder}\n{[str(folder)]}\n", "the cwd, and the first entry of %dhist"
