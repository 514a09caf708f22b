"""The cell pipeline: every transform a cell goes through before it runs, in one place.

1. IPython's input transforms (``%magics``, ``!shell``, ``?help``) — the
   shell's ``transform_cell``, which IPython 9.16+ expects the caller to run;
2. ``%pip``/``!pip`` lines become awaited calls of micropip
   (:func:`~sync_kernel.codemod.magic_calls.await_pip_lines`), with rewriting
   on or off, since the browser has no other way to run pip;
3. a lone ``%%time``/``%time`` cell whose code needs rewriting gives that code
   to the codemod, to run as the cell, timed
   (:func:`~sync_kernel.codemod.magic_calls.find_timed_code`);
4. the codemod (:class:`~sync_kernel.codemod.session.Session`) with the live
   user namespace, unless rewriting is off;
5. the code of ``%time``, ``%timeit`` and ``%%capture`` (IPython's magics run
   their code themselves, synchronously) goes through the codemod too; where
   that changed it, the magic becomes an awaited call of its twin in
   :mod:`.code_magics` (``await __magics__.timeit(options, code)``), on the
   same line, with the code's own notes at the user's lines.

Running a cell and ``%%transform`` both call :meth:`CellPipeline.plan`, so what
``%%transform`` shows is what would run; each step's edits come back as notes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from ..codemod.magic_calls import MAGICS_NAME, await_pip_lines, find_code_magics, find_timed_code
from ..codemod.notes import Note
from ..codemod.session import Session, TransformResult
from ..codemod.source import Edit, SourceText, apply_edits

ExcInfo = tuple[Any, Any, Any]


@dataclass(frozen=True)
class CellPlan:
    """What the pipeline made of one cell."""

    #: The cell as the user wrote it.
    raw: str
    #: IPython's transform of it (what ``In[n]`` holds).
    parsed: str
    #: The code to run.
    code: str
    #: The rewritten cell as the user reads it (``%transform``): for a timed
    #: cell, the magic line followed by the rewritten code.
    shown: str
    notes: list[Note] = field(default_factory=list)
    #: Run ``code`` as the cell and report its times (``%%time``/``%time``).
    timed: bool = False
    #: The exception IPython's input transforms raised, if any (IPython reports it).
    preprocessing_error: ExcInfo | None = None


class CellPipeline:
    """The transforms of one shell's cells.

    ``transform_cell`` is IPython's; ``session`` is the codemod's memory of
    the notebook; ``namespace`` gives the live user namespace the cells run in.
    """

    def __init__(
        self,
        transform_cell: Callable[[str], str],
        session: Session,
        namespace: Callable[[], MutableMapping[str, Any]],
    ) -> None:
        self.transform_cell = transform_cell
        self.session = session
        self.namespace = namespace

    def plan(self, raw_cell: str, *, rewrite: bool = True, remember: bool = True) -> CellPlan:
        """Transform ``raw_cell``; ``rewrite=False`` skips the codemod, ``remember=False`` leaves its memory as it was."""
        try:
            parsed = self.transform_cell(raw_cell)
        except Exception:
            return CellPlan(raw_cell, raw_cell, raw_cell, raw_cell, preprocessing_error=sys.exc_info())
        pip = await_pip_lines(parsed, raw_cell)
        if not rewrite:
            return CellPlan(raw_cell, parsed, pip.code, pip.code, pip.notes)
        timed = find_timed_code(raw_cell, parsed, self.transform_cell)
        if timed is not None:
            result = self._rewrite(timed.code, remember)
            if result.changed:
                note = Note(1, 0, "rewrite", "the timed code runs as the cell, awaited")
                shown = timed.shown(result.code)
                return CellPlan(raw_cell, parsed, result.code, shown, [note, *result.notes], timed=True)
        result = self._rewrite(pip.code, remember)
        code, magic_notes = self._await_code_magics(result.code, raw_cell, remember)
        notes = sorted([*pip.notes, *result.notes, *magic_notes], key=lambda note: (note.line, note.col))
        return CellPlan(raw_cell, parsed, code, code, notes)

    def _await_code_magics(self, cell: str, raw_cell: str, remember: bool) -> tuple[str, list[Note]]:
        """``cell`` with each code magic whose code the codemod changes made an awaited call of its twin."""
        edits: list[Edit] = []
        notes: list[Note] = []
        source = SourceText(cell)
        raw_lines = raw_cell.splitlines()
        for magic in find_code_magics(cell, raw_cell):
            parts = [magic.code] if magic.setup is None else [magic.code, magic.setup]
            results = [self._rewrite(part, remember) for part in parts]
            if not any(result.changed for result in results):
                continue
            arguments = ", ".join(repr(argument) for argument in [magic.options, *(r.code for r in results)])
            after = f"await {MAGICS_NAME}.{magic.name}({arguments})"
            edits.append(Edit(source.start(magic.call), source.end(magic.call), after))
            line = magic.call.lineno
            before = raw_lines[line - 1].strip() if line <= len(raw_lines) else ""
            message = f"%{magic.name} runs the rewritten code, awaited"
            notes.append(
                Note(line, magic.call.col_offset, "rewrite", message, before, f"await {MAGICS_NAME}.{magic.name}(…)")
            )
            notes += [note for result in results for note in result.notes]
        return (apply_edits(cell, edits) if edits else cell), notes

    def _rewrite(self, cell: str, remember: bool) -> TransformResult:
        try:
            return self.session.transform(cell, namespace=self.namespace(), remember=remember)
        except Exception as error:  # the codemod promises never to raise; say so if it does
            note = Note(1, 0, "internal", f"the cell was run unchanged: the rewriter failed ({error!r})")
            return TransformResult(code=cell, notes=[note], source=cell)
