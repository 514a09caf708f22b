"""Source text with AST positions: offsets, segments and spliced edits.

The codemod never unparses: it changes a cell by splicing small text edits at
AST positions, so untouched code keeps its comments and formatting and every
line keeps its number. ``ast`` columns count UTF-8 bytes; this module turns
them into string offsets.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

# The line breaks Python's tokenizer knows (``str.splitlines`` knows more).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_COMMENT = re.compile(r"#[^\r\n]*")


class SourceText:
    """A cell's text, indexed by line, that maps AST positions to offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def split_lines(self) -> list[str]:
        """The lines (with their line breaks) as Python's tokenizer numbers them."""
        starts = self._line_starts
        lines = [self.text[a:b] for a, b in zip(starts, starts[1:], strict=False)]
        if starts[-1] < len(self.text):
            lines.append(self.text[starts[-1] :])
        return lines

    def offset(self, lineno: int, col: int) -> int:
        """The string offset of ``(lineno, col)``, with ``col`` in UTF-8 bytes."""
        start = self._line_starts[lineno - 1]
        end = self._line_starts[lineno] if lineno < len(self._line_starts) else len(self.text)
        line = self.text[start:end]
        if line.isascii():
            return start + col
        return start + len(line.encode("utf-8")[:col].decode("utf-8", errors="replace"))

    def start(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def last_keyword(self, start: int, end: int, word: str) -> int:
        """Offset of the last ``word`` keyword in ``text[start:end]``, not counting comments.

        For keywords the AST gives no position of (``for``/``async`` of a comprehension clause);
        the span must hold no string literals.
        """
        between = _COMMENT.sub(lambda m: " " * len(m.group()), self.text[start:end])
        found = [m.start() for m in re.finditer(rf"\b{word}\b", between)]
        if not found:
            raise ValueError(f"no `{word}` between offsets {start} and {end}")
        return start + found[-1]

    def segment(self, node: ast.AST) -> str:
        return self.text[self.start(node) : self.end(node)]

    def lines(self, first: int, last: int) -> str:
        """The text of lines ``first..last`` (1-based, inclusive)."""
        start = self._line_starts[first - 1]
        end = self._line_starts[last] if last < len(self._line_starts) else len(self.text)
        return self.text[start:end]


def statement_lines(statement: ast.stmt) -> tuple[int, int]:
    """The first (decorators included) and last line of a statement."""
    decorators = getattr(statement, "decorator_list", [])
    first = min([statement.lineno, *(decorator.lineno for decorator in decorators)])
    return first, statement.end_lineno or statement.lineno


def blank_lines(lines: list[str], keep: list[bool]) -> str:
    """``lines`` joined, each line not kept left empty, so every line keeps its number."""
    return "".join(line if kept else "\n" for line, kept in zip(lines, keep, strict=True))


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``new`` (an insertion when ``start == end``).

    ``order`` breaks ties between insertions at one offset: lower goes first,
    so an outer ``await (`` precedes an inner ``await ``.
    """

    start: int
    end: int
    new: str
    order: int = 0


class EditConflict(Exception):
    """Two edits overlap; the rewriter planned something inconsistent."""


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Splice ``edits`` into ``text``. Insertions at a replacement's start go first."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end != e.start, e.order))
    pieces: list[str] = []
    cursor = 0
    for edit in ordered:
        if edit.start < cursor:
            raise EditConflict(f"edit at offset {edit.start} overlaps an earlier edit")
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.new)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)
