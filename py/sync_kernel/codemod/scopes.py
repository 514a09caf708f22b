"""Scopes and hosts: where a name lives, and whether code there may ``await``.

A *scope* answers name resolution (module, function, lambda, class,
comprehension). Which scope a name belongs to comes from :mod:`symtable`, the
compiler's own analysis; comprehensions are handled here because their
symbol tables differ between Python versions (inlined since 3.12).

A *host* is the code object an expression runs in, which decides whether an
``await`` may go there: module code (top-level await) and ``async def`` bodies
may await; lambdas, class bodies, generator expressions and annotations may
not.
"""

from __future__ import annotations

import ast
import symtable
from dataclasses import dataclass, field
from typing import Literal

from .records import ClassRef, FunctionRef
from .source import Edit, SourceText, apply_edits, blank_lines, statement_lines

ScopeKind = Literal["module", "function", "lambda", "class", "comprehension"]
HostKind = Literal["module", "function", "lambda", "class", "genexpr", "annotation"]

# Symbol tables that do not match a scope of ours: comprehensions (ours are
# built from the AST) and the wrappers of 3.12+ type parameters and annotations.
_COMPREHENSION_TABLES = frozenset({"listcomp", "setcomp", "dictcomp", "genexpr"})
_SCOPE_TABLE_TYPES = frozenset({"module", "function", "class"})


def _table_type(table: symtable.SymbolTable) -> str:
    kind = table.get_type()
    return str(getattr(kind, "value", kind))


def _scope_tables(table: symtable.SymbolTable) -> list[symtable.SymbolTable]:
    """The tables of the scopes nested directly in ``table``, in source order."""
    found: list[symtable.SymbolTable] = []
    for child in table.get_children():
        kind = _table_type(child)
        if kind not in _SCOPE_TABLE_TYPES or (kind == "function" and child.get_name() in _COMPREHENSION_TABLES):
            found.extend(_scope_tables(child))
        else:
            found.append(child)
    return found


def symbol_table(
    source: SourceText, tree: ast.Module, statements: list[tuple[int, ast.stmt]] | None = None
) -> symtable.SymbolTable | None:
    """The compiler's symbol table for a cell, or ``None`` if it will not give one.

    Python 3.14's :func:`symtable.symtable` rejects top-level ``await``,
    ``async for``, ``async with`` and async comprehensions (a notebook cell may
    have them). They do not change which scope a name belongs to, so the table
    is built from a copy of the cell without those keywords; line numbers are
    kept, and the table holds nothing else about positions.

    Only the scopes inside ``statements`` (top-level statements) are asked
    about, and a nested scope's names depend on nothing outside its top-level
    statement, so the table is built from those statements alone (the other
    lines left empty) when that text compiles.
    """
    text = source.text
    if "await" in text or "async" in text:
        source = SourceText(apply_edits(text, _async_keywords(source, tree)))
        text = source.text
    if statements is not None and len(statements) < len(tree.body):
        lines = source.split_lines()
        keep = [False] * len(lines)
        futures = [s for s in tree.body if isinstance(s, ast.ImportFrom) and s.module == "__future__"]
        for statement in [*(s for _, s in statements), *futures]:
            first, last = statement_lines(statement)
            keep[first - 1 : last] = [True] * (last - first + 1)
        table = _symtable(blank_lines(lines, keep))
        if table is not None:
            return table
    return _symtable(text)


def _symtable(text: str) -> symtable.SymbolTable | None:
    try:
        return symtable.symtable(text, "<cell>", "exec")
    except SyntaxError:
        return None


def _async_keywords(source: SourceText, tree: ast.Module) -> list[Edit]:
    """Edits deleting ``await`` and the ``async`` of loops, ``with`` and comprehensions."""
    edits: list[Edit] = []

    def drop(start: int, word: str) -> None:
        end = start + len(word)
        while end < len(source.text) and source.text[end] in " \t":
            end += 1
        edits.append(Edit(start, end, ""))

    for node in ast.walk(tree):
        if isinstance(node, ast.Await):
            drop(source.start(node), "await")
        elif isinstance(node, (ast.AsyncFor, ast.AsyncWith)):
            drop(source.start(node), "async")
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            previous = source.end(node.value if isinstance(node, ast.DictComp) else node.elt)
            for clause in node.generators:
                if clause.is_async:
                    keyword = source.last_keyword(previous, source.start(clause.target), "for")
                    drop(source.last_keyword(previous, keyword, "async"), "async")
                previous = source.end(clause.ifs[-1] if clause.ifs else clause.iter)
    return edits


@dataclass(eq=False)
class Host:
    """The code object an expression is evaluated in."""

    kind: HostKind
    function: FunctionRef | None = None

    def describe(self) -> str:
        """A phrase for notes: "a lambda", "the class body of `C`", ..."""
        if self.kind == "function" and self.function is not None:
            return f"`{self.function.name}`"
        return {
            "module": "the cell",
            "function": "a function",
            "lambda": "a lambda",
            "class": "a class body",
            "genexpr": "a generator expression",
            "annotation": "an annotation",
        }[self.kind]


ScopeNode = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef | ast.expr

#: Where a name resolves: its kind and the scope that holds it.
Resolution = tuple[Literal["global", "local", "comprehension"], "Scope"]


@dataclass(eq=False)
class Scope:
    """A block of Python's execution model, with the names bound in it."""

    kind: ScopeKind
    node: ScopeNode
    parent: Scope | None
    table: symtable.SymbolTable | None = None
    #: Index of the top-level statement this scope sits in (module scope: -1).
    top_index: int = -1
    function: FunctionRef | None = None
    cls: ClassRef | None = None
    #: Names bound by the comprehension's ``for`` targets (comprehension scopes).
    targets: set[str] = field(default_factory=set)
    #: Names that our collector saw bound here (used when no symbol table matched).
    bound: set[str] = field(default_factory=set)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    #: Comprehension targets of comprehensions nested directly in this scope.
    comprehension_targets: set[str] = field(default_factory=set)
    _pending_tables: list[symtable.SymbolTable] | None = field(default=None, repr=False)

    def take_table(self, name: str, lineno: int) -> symtable.SymbolTable | None:
        """The symbol table of the nested scope ``name`` defined on ``lineno``."""
        if self.table is None:
            return None
        if self._pending_tables is None:
            self._pending_tables = _scope_tables(self.table)
        for index, table in enumerate(self._pending_tables):
            if table.get_name() == name and table.get_lineno() == lineno:
                return self._pending_tables.pop(index)
        return None

    def resolve(self, name: str) -> Resolution:
        """Which scope a name used here refers to."""
        if self.kind == "module":
            return ("global", self)
        if self.kind == "comprehension":
            if name in self.targets:
                return ("comprehension", self)
            return self._enclosing(name)
        where = self._classify(name)
        if where == "local":
            return ("local", self)
        if where == "global":
            return ("global", self._module())
        return self._enclosing(name)

    def _classify(self, name: str) -> Literal["local", "global", "free"]:
        if name in self.declared_global:
            return "global"
        if name in self.declared_nonlocal:
            return "free"
        symbol = None
        if self.table is not None:
            try:
                symbol = self.table.lookup(name)
            except KeyError:
                symbol = None
        if symbol is not None:
            if symbol.is_declared_global():
                return "global"
            if symbol.is_local() and (name in self.bound or name not in self.comprehension_targets):
                # Since 3.12 inlined comprehension targets show up as locals of the
                # enclosing function; those are resolved by our comprehension scopes.
                return "local"
            if symbol.is_free():
                return "free"
            if self.kind == "class" or symbol.is_global():
                return "global"
        if name in self.bound:
            return "local"
        return "free" if self.kind != "class" else "global"

    def _enclosing(self, name: str) -> Resolution:
        """Resolve ``name`` as a nested scope sees it (class scopes are skipped)."""
        scope = self.parent
        while scope is not None:
            if scope.kind == "module":
                return ("global", scope)
            if scope.kind == "comprehension":
                if name in scope.targets:
                    return ("comprehension", scope)
            elif scope.kind != "class":
                where = scope._classify(name)
                if where == "local":
                    return ("local", scope)
                if where == "global":
                    return ("global", scope._module())
            scope = scope.parent
        raise AssertionError("a scope chain always ends at the module")

    def _module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def walrus_scope(self) -> Scope:
        """The scope a ``:=`` inside this scope binds in (comprehensions bind outside)."""
        scope = self
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        return scope
