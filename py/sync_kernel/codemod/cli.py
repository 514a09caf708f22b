"""``python -m sync_kernel transform FILE [--json]``: show what the codemod does to a file.

A ``.py`` file in the percent format (cells start with ``# %%`` lines, as
Jupytext and VS Code write them) goes through one session cell by cell, so
names bound in one cell are followed into the next; markdown cells
(``# %% [markdown]``) are copied as they are. Any other file is one cell.

Text output is the rewritten file; each note also goes to standard error as
``FILE:LINE: kind: message``. With ``--json``, standard output has one JSON
object per cell (JSON Lines): ``{"cell", "start_line", "code", "notes"}``,
where note lines count from the cell's first line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from .session import Session

#: A cell marker as Jupytext writes and reads it: ``# %%`` or ``#%%``, then a space or the end of the line
#: (``src/cli/notebook.ts`` reads the same; ``test/fixtures/percent`` holds the cases both are tested on).
_CELL_MARKER = re.compile(r"^#\s*%%(?=\s|$)")
_CELL_TYPE = re.compile(r"\[(markdown|md|raw)\]")


@dataclass
class Cell:
    marker: str | None  # the "# %%" line, without its line break
    source: str
    start_line: int  # 1-based line of the cell's first source line in the file

    @property
    def cell_type(self) -> str:
        """``code``, ``markdown`` (``[markdown]``, ``[md]``) or ``raw`` (``[raw]``), from the marker."""
        found = _CELL_TYPE.search(self.marker or "")
        if found is None:
            return "code"
        return "raw" if found.group(1) == "raw" else "markdown"

    @property
    def is_code(self) -> bool:
        return self.cell_type == "code"


def split_cells(text: str) -> list[Cell]:
    """Split percent-format text into cells (the whole text is one cell if it has no markers)."""
    lines = text.splitlines(keepends=True)
    cells: list[Cell] = []
    marker: str | None = None
    start = 0
    for index, line in enumerate(lines):
        if _CELL_MARKER.match(line):
            if index > start or marker is not None:
                cells.append(Cell(marker, "".join(lines[start:index]), start + 1))
            marker = line.rstrip("\r\n")
            start = index + 1
    cells.append(Cell(marker, "".join(lines[start:]), start + 1))
    return [cell for cell in cells if cell.marker is not None or cell.source]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sync_kernel", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    transform = commands.add_parser("transform", help="print a file as the kernel would run it")
    transform.add_argument("file", help="a .py file (percent-format cells are rewritten in order)")
    transform.add_argument("--json", action="store_true", help="one JSON object per cell")
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    with contextlib.redirect_stderr(err):  # usage errors go where the caller asked
        args = _parser().parse_args(argv)
    try:
        with open(args.file, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        print(f"error: cannot read {args.file}: {reason}", file=err)
        return 2

    session = Session()
    for index, cell in enumerate(split_cells(text)):
        code, notes = cell.source, []
        if cell.is_code:
            result = session.transform(cell.source)
            code, notes = result.code, result.notes
        if args.json:
            record = {
                "cell": index,
                "start_line": cell.start_line,
                "code": code,
                "notes": [note.to_json() for note in notes],
            }
            print(json.dumps(record, ensure_ascii=False), file=out)
            continue
        if cell.marker is not None:
            print(cell.marker, file=out)
        out.write(code)
        for note in notes:
            print(f"{args.file}:{cell.start_line + note.line - 1}: {note.kind}: {note.message}", file=err)
    return 0
