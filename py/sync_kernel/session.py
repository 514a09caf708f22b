"""Session: the codemod's memory across the cells of one notebook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, MutableMapping

from .notes import Note


@dataclass(frozen=True)
class TransformResult:
    """The rewritten cell: ``code`` to run, ``notes`` to show, ``changed`` if any edit."""

    code: str
    notes: list[Note] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(note.kind != "kept-blocking" for note in self.notes) or False


class Session:
    """Rewrites the cells of one notebook in order, remembering what earlier cells bound.

    ``input_hook`` names an awaitable the kernel puts in the user namespace;
    ``input(p)`` becomes ``await <input_hook>(p)`` and ``getpass.getpass(p)``
    becomes ``await <input_hook>.getpass(p)``. With ``None`` they are left alone.
    """

    def __init__(self, input_hook: str | None = None) -> None:
        self.input_hook = input_hook

    def transform(
        self, source: str, namespace: MutableMapping[str, Any] | None = None
    ) -> TransformResult:
        """Rewrite one cell. Never raises. Placeholder: returns the cell unchanged."""
        return TransformResult(code=source)
