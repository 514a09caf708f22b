"""``%ls``, ``%cat``, ``%mkdir`` ... print what the shell commands print on desktop.

Each case runs the real command (``ls -F``, ``cat``, ``mkdir`` ... from
coreutils, in the C locale, into a pipe as IPython's aliases do) in one folder
and the magic in a copy of it, then compares stdout, stderr and what is left
on disk.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kernel_harness import Harness, stream_text


@pytest.fixture
def folders(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """Two identical folders: one for the shell, one for the kernel (made its working directory)."""
    shell, kernel = tmp_path / "shell", tmp_path / "kernel"
    for root in (shell, kernel):
        (root / "data" / "raw").mkdir(parents=True)
        (root / "data" / "a.csv").write_text("x,y\n1,2\n")
        (root / "notes.txt").write_text("first line\nsecond line\n")
        (root / "run.sh").write_text("echo hi\n")
        (root / "run.sh").chmod(0o755)
        (root / ".hidden").write_text("")
        (root / "zeta").mkdir()
    saved = os.getcwd()
    os.chdir(kernel)
    try:
        yield shell, kernel
    finally:
        os.chdir(saved)


def tree(root: Path) -> list[tuple[str, str]]:
    return sorted((str(p.relative_to(root)), p.read_text() if p.is_file() else "/") for p in root.rglob("*"))


CASES = [
    ("ls", ""),
    ("ls", "-a"),
    ("ls", "data"),
    ("ls", "data notes.txt"),
    ("ls", "missing data"),
    ("cat", "notes.txt data/a.csv"),
    ("cat", "nothing.txt"),
    ("mkdir", "new"),
    ("mkdir", "-p new/deeper/deepest"),
    ("mkdir", "data"),
    ("rmdir", "zeta"),
    ("rm", "notes.txt"),
    ("rm", "data"),
    ("rm", "-r data"),
    ("rm", "-f nothing.txt"),
    ("cp", "notes.txt copy.txt"),
    ("cp", "notes.txt run.sh data"),
    ("cp", "-r data backup"),
    ("cp", "data elsewhere"),
    ("mv", "notes.txt zeta"),
    ("mv", "data renamed"),
    ("mv", "nothing.txt zeta"),
]


@pytest.mark.parametrize(("command", "arguments"), CASES, ids=[f"{c} {a}" for c, a in CASES])
def test_a_file_magic_does_what_the_command_does(
    harness: Harness, folders: tuple[Path, Path], command: str, arguments: str
) -> None:
    shell, kernel = folders
    flags = ["-F"] if command == "ls" else []
    desktop = subprocess.run(
        [command, *flags, *arguments.split()],
        cwd=shell,
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    reply, events = harness.run(f"%{command} {arguments}")
    assert reply["status"] == "ok"  # as an alias on desktop: the command's errors do not raise
    assert stream_text(events) == desktop.stdout
    assert stream_text(events, "stderr") == desktop.stderr
    assert tree(kernel) == tree(shell)


def test_ll_lists_long_and_cd_moves(harness: Harness, folders: tuple[Path, Path]) -> None:
    _, kernel = folders
    reply, events = harness.run("%ll data")
    lines = stream_text(events).splitlines()
    assert reply["status"] == "ok"
    assert [line.split()[0][0] for line in lines] == ["-", "d"]  # a file, then a folder
    assert [line.split()[-1] for line in lines] == ["a.csv", "raw/"]
    assert lines[0].split()[2] == str((kernel / "data" / "a.csv").stat().st_size)
    harness.run("%cd data")
    _, events = harness.run("%ls")
    assert stream_text(events) == "a.csv\nraw/\n"


def test_a_shell_command_says_which_magics_work(harness: Harness) -> None:
    reply, _ = harness.run("!ls")
    assert reply["status"] == "error"
    assert "%ls" in reply["evalue"] and "%cd" in reply["evalue"]
