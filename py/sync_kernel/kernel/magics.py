"""``%transform`` and ``%%transform``: look at what the codemod does.

* ``%%transform`` — show the rewritten cell and its notes; do not run it.
* ``%transform`` — show the last executed cell's rewritten form and notes.
* ``%transform on`` / ``%transform off`` — switch rewriting.
* ``%transform notes all|warnings|off`` — how many notes are shown under cells.

The rewritten cell is shown as ``text/plain`` and as a diff view in its own
MIME type (text segments, never HTML built from user code), then the notes in
theirs for the notes renderer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

if TYPE_CHECKING:
    from .shell import NotesMode, SyncShell

USAGE = "usage: %transform [on | off | notes all|warnings|off]; %%transform as a cell magic"


@magics_class
class TransformMagics(Magics):
    """The ``transform`` line and cell magics of :class:`~sync_kernel.shell.SyncShell`."""

    @property
    def sync_shell(self) -> SyncShell:
        return self.shell  # type: ignore[return-value]

    @line_magic
    def transform(self, line: str) -> None:
        """Show the last cell's rewrite, or switch rewriting and notes (see the module docstring)."""
        shell = self.sync_shell
        words = line.split()
        if not words:
            last = shell.last_transform
            if last is None:
                print("No cell has run yet.")
                return
            shell.show_transform(last.source, last.code, last.notes)
        elif words in (["on"], ["off"]):
            shell.transform_enabled = words[0] == "on"
            print(f"Rewriting is {words[0]}.")
        elif len(words) == 2 and words[0] == "notes" and words[1] in ("all", "warnings", "off"):
            shell.notes_mode = cast("NotesMode", words[1])
            print(f"Notes: {words[1]}.")
        else:
            raise ValueError(USAGE)

    # IPython's decorator types miss the named form, hence the ignore.
    @cell_magic("transform")  # type: ignore[arg-type]
    def transform_cell_magic(self, line: str, cell: str) -> None:
        """Show how the cell would be rewritten, with its notes, without running it."""
        if line.strip():
            raise ValueError(USAGE)
        result = self.sync_shell.preview_transform(cell)
        self.sync_shell.show_transform(cell, result.shown, result.notes)
