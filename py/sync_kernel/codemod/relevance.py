"""Pick the top-level statements of a cell worth analysing.

Most of a notebook has nothing to do with blocking calls. A statement matters
only if its text mentions a name that matters: a catalogue name (``time``,
``sleep``, ``asyncio``, ``input``, ...), a name that earlier cells bound to
something tracked (``wait = time.sleep``, a function made async), or a name
bound by another statement that matters (``def work(): time.sleep(1)`` makes
``work`` matter, and so every statement calling ``work``). Scanning text with
a regular expression is much cheaper than walking trees, so this keeps large
cells fast; it may keep a statement that turns out not to matter, never drop
one that does.
"""

from __future__ import annotations

import ast
import re
import sys

from .source import SourceText, statement_lines
from .values import TRIGGER_NAMES

_IDENTIFIER = re.compile(r"[^\W\d]\w*")
#: Stands for "any name": a star import from a module we cannot see may bind anything.
_EVERYTHING = "*"


def _bound_names(statement: ast.stmt) -> set[str]:
    """Names a top-level statement binds (and the method names of a class)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {statement.name}
    names: set[str] = set()
    if isinstance(statement, ast.ClassDef):
        names.add(statement.name)
        stack: list[ast.stmt] = list(statement.body)
        while stack:  # methods, also those of nested classes
            member = stack.pop()
            if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(member.name)
            elif isinstance(member, ast.ClassDef):
                stack.extend(member.body)
        return names
    if isinstance(statement, ast.ImportFrom) and any(alias.name == "*" for alias in statement.names):
        module = sys.modules.get(statement.module or "") if not statement.level else None
        if module is None:
            return {_EVERYTHING}
        exported: list[str] = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        return set(exported)
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def relevant_statements(tree: ast.Module, source: SourceText, seeds: set[str]) -> list[tuple[int, ast.stmt]]:
    """The ``(index, statement)`` pairs of ``tree.body`` that may need the codemod."""
    statements = tree.body
    words = [set(_IDENTIFIER.findall(source.lines(*statement_lines(s)))) for s in statements]
    wanted = set(TRIGGER_NAMES) | seeds
    # Classes a chosen class derives from: their code may call its methods, so it must be seen.
    bases: set[str] = set()
    chosen = [False] * len(statements)
    changed = True
    while changed:
        changed = False
        for index, statement in enumerate(statements):
            if chosen[index]:
                continue
            star = isinstance(statement, ast.ImportFrom) and any(a.name == "*" for a in statement.names)
            base = isinstance(statement, ast.ClassDef) and statement.name in bases
            if star or base or _EVERYTHING in wanted or words[index] & wanted:
                chosen[index] = True
                wanted |= _bound_names(statement)
                if isinstance(statement, ast.ClassDef):
                    bases |= {b.id for b in statement.bases if isinstance(b, ast.Name)}
                changed = True
    return [(index, statement) for index, statement in enumerate(statements) if chosen[index]]
