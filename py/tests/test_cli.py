"""``python -m sync_kernel transform FILE [--json]``, run as a user would (a subprocess)."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from sync_kernel.codemod import cli

PY = Path(__file__).resolve().parents[1]

PERCENT = """\
# %%
import time

# %% [markdown]
# time.sleep(1) only in prose

# %% helpers
def nap():
    time.sleep(0.5)

# %%
nap()
"""


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """Run the command as a user would: a subprocess, or in-process where there are none (Pyodide)."""
    if sys.platform == "emscripten":
        out, err = io.StringIO(), io.StringIO()
        try:
            code = cli.main(list(args), stdout=out, stderr=err)
        except SystemExit as exit_:  # argparse on bad usage
            code = int(exit_.code or 0)
        return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
    env = {**os.environ, "PYTHONPATH": str(PY)}
    return subprocess.run(
        [sys.executable, "-m", "sync_kernel", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_percent_file_is_rewritten_cell_by_cell(tmp_path):
    path = tmp_path / "notebook.py"
    path.write_text(PERCENT)
    done = run_cli("transform", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == PERCENT.replace("def nap", "async def nap").replace(
        "    time.sleep(0.5)", "    await __sync__.sleep(0.5)"
    ).replace("\nnap()", "\nawait nap()")
    assert done.stderr.splitlines() == [
        f"{path}:8: async-def: `nap` now waits without blocking, so it is async",
        f"{path}:9: rewrite: waits without freezing the page",
        f"{path}:12: await-call: `nap` is async now, so the call is awaited",
    ]


def test_json_output_has_one_object_per_cell(tmp_path):
    path = tmp_path / "notebook.py"
    path.write_text(PERCENT)
    done = run_cli("transform", str(path), "--json")
    assert done.returncode == 0, done.stderr
    cells = [json.loads(line) for line in done.stdout.splitlines()]
    assert [cell["cell"] for cell in cells] == [0, 1, 2, 3]
    assert [cell["start_line"] for cell in cells] == [2, 5, 8, 12]
    assert cells[1]["code"] == "# time.sleep(1) only in prose\n\n" and cells[1]["notes"] == []
    assert [note["kind"] for note in cells[2]["notes"]] == ["async-def", "rewrite"]
    assert cells[3]["code"] == "await nap()\n"


def test_plain_file_is_one_cell(tmp_path):
    path = tmp_path / "script.py"
    path.write_text("import asyncio\nasync def main():\n    pass\nasyncio.run(main())\n")
    done = run_cli("transform", str(path))
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1] == "await __sync__.run(main())"


def test_unreadable_files_exit_2_with_one_line(tmp_path):
    binary = tmp_path / "binary.py"
    binary.write_bytes(b"\xff\xfe\x00bad")
    for target, reason in [
        (tmp_path / "missing.py", "No such file or directory"),
        (tmp_path, "Is a directory"),
        (binary, "codec can't decode"),
    ]:
        done = run_cli("transform", str(target))
        assert done.returncode == 2
        assert done.stdout == ""
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: cannot read {target}") and reason in lines[0]


def test_bad_usage_exits_2():
    done = run_cli("transform")
    assert done.returncode == 2 and "usage" in done.stderr
