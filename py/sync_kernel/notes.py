"""Notes: what the codemod did to a cell, or refused to do, as plain data.

Each edit the rewriter makes is one :class:`Note`. The kernel sends them as
``application/vnd.sync-kernel.notes+json`` and the renderer only displays them,
so tests can assert the exact notes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

NoteKind = Literal["rewrite", "async-def", "await-call", "kept-blocking", "internal"]

#: Kinds that tell the user something may not behave as on desktop Jupyter.
WARNING_KINDS: frozenset[str] = frozenset({"kept-blocking", "internal"})


@dataclass(frozen=True)
class Note:
    """One edit (or refusal) at a position of the user's cell.

    ``line`` is 1-based and ``col`` 0-based, both in the cell as written.
    ``before`` and ``after`` are source snippets; ``message`` is one short
    sentence for a human.
    """

    line: int
    col: int
    kind: NoteKind
    message: str
    before: str = ""
    after: str = ""

    def to_json(self) -> dict[str, object]:
        """The note as the JSON object the kernel publishes."""
        return asdict(self)

    def summary(self) -> str:
        """One line of plain text, as shown in ``text/plain`` outputs."""
        if self.before or self.after:
            return f"line {self.line}: {self.before} → {self.after} ({self.message})"
        return f"line {self.line}: {self.message}"
