"""The rewritten cell as a diff a person can scan, for ``%%transform`` and ``%transform``.

:func:`transform_view` compares the cell as written with the rewritten one
(``difflib``, line by line, then character by character within a changed
line) and splits each line of the result into segments that carry a token kind
from Python's own tokenizer (keyword, string, ...) and whether the segment is
new. The front end's renderer (``src/lab/transform-renderer.ts``) only puts
those segments into elements as text: no markup is ever built from the code.

Example::

    >>> view = transform_view("time.sleep(1)", "await asyncio.sleep(1)")
    >>> [line["status"] for line in view["lines"]]
    ['changed']
    >>> [(text, changed) for text, kind, changed in view["lines"][0]["segments"]][:3]
    [('await', True), (' asyncio', True), ('.', False)]
"""

from __future__ import annotations

import builtins
import difflib
import io
import keyword
import re
import token
import tokenize
from typing import Any

from ..codemod.notes import TRANSFORM_MIME_TYPE

__all__ = ["TRANSFORM_MIME_TYPE", "transform_view"]

#: Segment: (text, token kind or "", whether it is new in the rewrite).
Segment = tuple[str, str, bool]


def _token_kinds(code: str) -> dict[int, list[tuple[int, int, str]]]:
    """Per line (0-based), the (start, end, kind) of the tokens worth colouring; empty if untokenizable."""
    kinds: dict[int, list[tuple[int, int, str]]] = {}
    lines = code.splitlines()
    after_def = False
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            kind = ""
            if tok.type == token.NAME:
                if keyword.iskeyword(tok.string) or tok.string in ("await", "async"):
                    kind = "keyword"
                elif after_def:
                    kind = "definition"
                elif hasattr(builtins, tok.string):
                    kind = "builtin"
                after_def = tok.string in ("def", "class")
            elif tok.type == token.STRING or tok.type in _FSTRING_TYPES:
                kind = "string"
            elif tok.type == token.NUMBER:
                kind = "number"
            elif tok.type == token.COMMENT:
                kind = "comment"
            elif tok.type == token.OP:
                kind = "operator"
            if not kind:
                continue
            (row, col), (end_row, end_col) = tok.start, tok.end
            for line in range(row, end_row + 1):  # a string may span lines
                start = col if line == row else 0
                end = end_col if line == end_row else len(lines[line - 1])
                kinds.setdefault(line - 1, []).append((start, end, kind))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {}
    return kinds


_FSTRING_TYPES = {
    getattr(token, name) for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(token, name)
}


_WORDS = re.compile(r"\w+|\s+|[^\w\s]")


def _changed_columns(before: str, after: str) -> list[tuple[int, int]]:
    """The column ranges of ``after`` that are not in ``before``, compared word by word (a
    character diff would keep the ``t`` of ``time`` in ``await``)."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    starts = [0]
    for word in new:
        starts.append(starts[-1] + len(word))
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        (starts[j1], starts[j2])
        for tag, _, _, j1, j2 in matcher.get_opcodes()
        if tag in ("replace", "insert") and j2 > j1
    ]


def _segments(text: str, kinds: list[tuple[int, int, str]], changed: list[tuple[int, int]]) -> list[Segment]:
    """``text`` cut at every token and change boundary; consecutive pieces alike are merged."""
    cuts = {0, len(text)}
    for start, end, _ in kinds:
        cuts.update((start, end))
    for start, end in changed:
        cuts.update((start, end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    pieces: list[Segment] = []
    for start, end in zip(points, points[1:], strict=False):
        kind = next((k for s, e, k in kinds if s <= start and end <= e), "")
        new = any(s <= start and end <= e for s, e in changed)
        if pieces and pieces[-1][1] == kind and pieces[-1][2] == new:
            pieces[-1] = (pieces[-1][0] + text[start:end], kind, new)
        else:
            pieces.append((text[start:end], kind, new))
    return pieces


def transform_view(original: str, rewritten: str) -> dict[str, Any]:
    """The view's JSON: the rewritten lines (``same``, ``changed`` or ``added``) in order, with the
    original lines that are gone (``removed``) where they were; each line as segments."""
    old, new = original.splitlines(), rewritten.splitlines()
    kinds = _token_kinds(rewritten)
    lines: list[dict[str, Any]] = []

    def add(status: str, index: int, changed: list[tuple[int, int]]) -> None:
        text = new[index]
        lines.append({"status": status, "segments": _segments(text, kinds.get(index, []), changed)})

    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for j in range(j1, j2):
                add("same", j, [])
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            add("changed", j1 + k, _changed_columns(old[i1 + k], new[j1 + k]))
        for i in range(i1 + paired, i2):
            lines.append({"status": "removed", "segments": [(old[i], "", False)]})
        for j in range(j1 + paired, j2):
            add("added", j, [(0, len(new[j]))])
    return {"lines": lines}
