"""Notes: what the codemod did to a cell, or refused to do, as plain data.

Each edit the rewriter makes is one :class:`Note`. The kernel sends them as
:data:`NOTES_MIME_TYPE` and the renderer only displays them, so tests can
assert the exact notes. The MIME type and the kinds come from
``contract.json``, which the TypeScript side reads too.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Literal

_CONTRACT = json.loads(resources.files(__package__).joinpath("contract.json").read_text(encoding="utf-8"))

#: The MIME type of the notes ``display_data`` (the notes renderer's).
NOTES_MIME_TYPE: str = _CONTRACT["notesMimeType"]

#: The MIME type of ``%%transform``'s diff view (``sync_kernel.kernel.transform_view``).
TRANSFORM_MIME_TYPE: str = _CONTRACT["transformMimeType"]

#: What a note says happened; ``tests/test_contract.py`` checks it lists the contract's kinds.
NoteKind = Literal["rewrite", "async-def", "await-call", "kept-blocking", "internal"]

#: Kinds that tell the user something may not behave as on desktop Jupyter.
WARNING_KINDS: frozenset[str] = frozenset(_CONTRACT["warningNoteKinds"])


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
        if self.after:
            return f"line {self.line}: {self.before} → {self.after} ({self.message})"
        if self.before:  # kept as written: nothing to point to
            return f"line {self.line}: {self.before} ({self.message})"
        return f"line {self.line}: {self.message}"
