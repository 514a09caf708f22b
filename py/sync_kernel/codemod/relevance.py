"""Pick the top-level statements of a cell worth analysing.

Most of a notebook has nothing to do with blocking calls. A statement is
analysed when

* its text mentions a name that matters: a catalogue name (``time``,
  ``sleep``, ``asyncio``, ``input``, ...), a name that earlier cells bound to
  something tracked (``wait = time.sleep``, a function made async), or a name
  bound by another statement that matters (``def work(): time.sleep(1)``
  makes ``work`` matter, and so every statement calling ``work``); or
* it binds a name that an analysed statement mentions, since what that name
  holds decides what the analysed statement means (``show = print`` matters
  to ``pause = show if fast else time.sleep``). This closes transitively.

A statement kept only by the second rule mentions no name that matters, so
what it binds is nothing the codemod tracks (its bindings do not make more
statements matter); it is analysed all the same, so that the names it binds
read as what they are rather than as unbound.

Scanning text with a regular expression is much cheaper than walking trees,
so this keeps large cells fast; it may keep a statement that turns out not to
matter, never drop one that does: the analysis of the kept statements gives
the same rewrite as the analysis of the whole cell (a test checks this).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field

from .rules import CALL_RULE_MODULES, CALL_RULES
from .source import SourceText, statement_lines
from .waits import REPLACED_MODULES, UI_POLL_MODULE

#: Identifiers whose presence makes a statement worth analysing: the rules' modules and builtins,
#: the modules whose waits are rewritten, and ``getattr`` (``getattr(robot, command)()`` may call
#: any method, one that waits included). A bare ``sleep`` or ``run`` only matters once an import
#: that names ``time`` or ``asyncio`` (or an earlier cell, through the session's seeds) has bound it.
TRIGGER_NAMES = frozenset(
    CALL_RULE_MODULES
    | {rule.target for rule in CALL_RULES.values() if "." not in rule.target}
    | {UI_POLL_MODULE, *REPLACED_MODULES, "getattr"}
)

_IDENTIFIER = re.compile(r"[^\W\d]\w*")
#: Stands for "any name": a star import from a module we cannot see may bind anything.
EVERYTHING = "*"


def identifiers(text: str) -> set[str]:
    """Every identifier in ``text`` (in code, strings or comments alike: a superset of the names it uses)."""
    return set(_IDENTIFIER.findall(text))


#: Fields of statements that hold assignment targets (``name``: a ``type X = ...`` alias).
_TARGET_FIELDS = frozenset({"targets", "target", "optional_vars", "name"})


def bound_names(statement: ast.stmt, text: str) -> set[str]:
    """Names a top-level statement may bind (and the method names of a class); ``text``: its source.

    Over-approximates where that is cheaper (a store inside a lambda), but
    leaves out the targets of comprehensions, which bind nothing outside them.
    Expressions are only searched when the text has a walrus (``:=``), and
    function bodies only when it says ``global``.
    """
    if isinstance(statement, ast.ImportFrom) and any(alias.name == "*" for alias in statement.names):
        module = sys.modules.get(statement.module or "") if not statement.level else None
        if module is None:
            return {EVERYTHING}
        exported: list[str] = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        return set(exported)
    walrus, declares = ":=" in text, "global" in text
    if not walrus:  # the common statements, without a walk
        if isinstance(statement, ast.Expr):
            return set()
        if isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets):
            return {t.id for t in statement.targets if isinstance(t, ast.Name)}
        if isinstance(statement, (ast.AugAssign, ast.AnnAssign)) and isinstance(statement.target, ast.Name):
            return {statement.target.id}
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return _definition_names(statement, declares)
    names: set[str] = set()
    nodes: list[ast.AST] = [statement]
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names |= _definition_names(node, declares)
            if walrus:  # a walrus here binds in the enclosing scope
                nodes.extend(node.decorator_list)
                if isinstance(node, ast.ClassDef):
                    nodes.extend(node.bases)
                    nodes.extend(node.keywords)
                else:
                    nodes.extend(node.args.defaults)
                    nodes.extend(d for d in node.args.kw_defaults if d is not None)
        elif isinstance(node, ast.comprehension):
            nodes.append(node.iter)
            nodes.extend(node.ifs)  # a walrus there binds in the enclosing scope
        elif isinstance(node, ast.expr):
            if walrus:
                nodes.extend(ast.iter_child_nodes(node))
        else:
            if isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
                names.add(node.name)
            elif isinstance(node, ast.MatchMapping) and node.rest:
                names.add(node.rest)
            for name, value in ast.iter_fields(node):
                for child in value if isinstance(value, list) else [value]:
                    if isinstance(child, ast.AST) and (
                        walrus or name in _TARGET_FIELDS or not isinstance(child, ast.expr)
                    ):
                        nodes.append(child)
    return names


def _definition_names(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, declares: bool) -> set[str]:
    """The name a def or class binds, the method names of a class, and the globals its code declares."""
    names = {node.name}
    if isinstance(node, ast.ClassDef):
        stack: list[ast.stmt] = list(node.body)
        while stack:  # methods, also those of nested classes
            member = stack.pop()
            if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(member.name)
            elif isinstance(member, ast.ClassDef):
                stack.extend(member.body)
    if declares:
        names |= {name for inner in ast.walk(node) if isinstance(inner, ast.Global) for name in inner.names}
    return names


@dataclass
class Relevance:
    """The statements of a cell to analyse, and what the others bind."""

    tree: ast.Module
    #: ``(index, statement)`` pairs of ``tree.body`` to analyse, in order.
    chosen: list[tuple[int, ast.stmt]]
    #: The source of each statement of ``tree.body``.
    texts: list[str] = field(default_factory=list)
    _bound: dict[int, set[str]] = field(default_factory=dict)

    def dropped_bindings(self) -> set[str]:
        """Names the statements left out may bind (they hold nothing the codemod tracks)."""
        kept = {index for index, _ in self.chosen}
        names: set[str] = set()
        for index, statement in enumerate(self.tree.body):
            if index not in kept:
                names |= self._bound[index] if index in self._bound else bound_names(statement, self.texts[index])
        return names

    def dropped_globals(self) -> set[str]:
        """Names that code in the statements left out declares ``global`` (calling it may rebind them)."""
        kept = {index for index, _ in self.chosen}
        return {
            name
            for index, statement in enumerate(self.tree.body)
            if index not in kept and "global" in self.texts[index]
            for node in ast.walk(statement)
            if isinstance(node, ast.Global)
            for name in node.names
        }


def relevant_statements(tree: ast.Module, source: SourceText, seeds: set[str]) -> Relevance:
    """The statements of ``tree.body`` that may need the codemod (``seeds``: names earlier cells made matter)."""
    statements = tree.body
    texts = [source.lines(*statement_lines(s)) for s in statements]
    words = [set(_IDENTIFIER.findall(text)) for text in texts]
    wanted = set(TRIGGER_NAMES) | seeds
    #: Names the chosen statements mention: a statement binding one of them is chosen too.
    read: set[str] = set()
    bound: dict[int, set[str]] = {}

    def binds(index: int) -> set[str]:
        if index not in bound:
            bound[index] = bound_names(statements[index], texts[index])
        return bound[index]

    # Classes a chosen class derives from: their code may call its methods, so it must be seen.
    bases: set[str] = set()
    chosen = [False] * len(statements)
    spreads = [False] * len(statements)  # chosen for mentioning a name that matters
    changed = True
    while changed:
        changed = False
        for index, statement in enumerate(statements):
            if spreads[index]:
                continue
            star = isinstance(statement, ast.ImportFrom) and any(a.name == "*" for a in statement.names)
            base = isinstance(statement, ast.ClassDef) and statement.name in bases
            if star or base or EVERYTHING in wanted or words[index] & wanted:
                chosen[index] = spreads[index] = changed = True
                wanted |= binds(index)
                read |= words[index]
                if isinstance(statement, ast.ClassDef):
                    bases |= {b.id for b in statement.bases if isinstance(b, ast.Name)}
            elif not chosen[index] and words[index] & read and binds(index) & read:
                chosen[index] = changed = True
                read |= words[index]
    picked = [(index, statement) for index, statement in enumerate(statements) if chosen[index]]
    return Relevance(tree, picked, texts, bound)
