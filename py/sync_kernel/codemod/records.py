"""Records of the user's functions and classes.

One :class:`FunctionRef` per ``def`` and one :class:`ClassRef` per ``class``.
While a cell is analysed they hold its AST nodes; once the cell is done the
session keeps them (without the nodes) as its memory, so a later cell that
calls ``work()`` knows that ``work`` was made ``async``. Identity is equality:
two defs of the same name are two records.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from .reasons import Reason

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

#: How a function is bound where it is defined.
Binding = Literal["function", "method", "staticmethod", "classmethod"]


@dataclass(eq=False)
class FunctionRef:
    """A user ``def`` (or ``async def``)."""

    name: str
    qualname: str
    lineno: int
    user_async: bool
    binding: Binding = "function"
    #: The line its code starts at: its first decorator's, else ``lineno`` (``co_firstlineno``).
    first_line: int = 0
    cls: ClassRef | None = None
    #: Set when the codemod made this function ``async def``; final once its cell is done.
    converted: bool = False
    #: A converted generator (now an async generator: iterate it with ``async for``).
    generator: bool = False
    #: Why it must stay synchronous whatever its uses (decorated with a decorator the codemod
    #: cannot follow), else ``None``.
    stays_sync: Reason | None = None
    #: The function it defines and returns, when it returns only that (a decorator returns its
    #: wrapper, a decorator factory its decorator): what calling it gives.
    returns: FunctionRef | None = None
    #: The cell's AST node, only while that cell is analysed.
    node: FunctionNode | None = field(default=None, repr=False)
    #: The original source of the ``def`` and the sync rewrite used for its blocking twin.
    twin_source: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"<function {self.qualname} line {self.lineno}>"


@dataclass(eq=False)
class ClassRef:
    """A user ``class``."""

    name: str
    qualname: str
    lineno: int
    bases: list[ClassRef] = field(default_factory=list)
    #: A base, metaclass or decorator we cannot see through, as a predicate with the class
    #: as subject ("derives from `Thread`"): its methods may be called by code we do not
    #: control, so they stay synchronous.
    open: str | None = None
    methods: dict[str, FunctionRef] = field(default_factory=dict)
    subclasses: list[ClassRef] = field(default_factory=list)
    #: The kind of thread primitive it derives from (``class Worker(threading.Thread)``), if any.
    primitive: str | None = None
    #: Bases that are live classes of the user's which no cell's analysis recorded.
    live_bases: list[type] = field(default_factory=list, repr=False)
    node: ast.ClassDef | None = field(default=None, repr=False)
    #: The live class an earlier cell made from this statement (a weak reference), once matched.
    live: Callable[[], type | None] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"<class {self.qualname} line {self.lineno}>"

    def lookup(self, name: str) -> FunctionRef | None | Literal["open"]:
        """Find method ``name`` along the bases (depth first, left to right).

        Returns the method, ``None`` if no class in the hierarchy defines it,
        or ``"open"`` if an unknown base might.
        """
        seen: set[int] = set()

        def walk(cls: ClassRef) -> FunctionRef | None | Literal["open"]:
            if id(cls) in seen:
                return None
            seen.add(id(cls))
            if name in cls.methods:
                return cls.methods[name]
            for base in cls.bases:
                found = walk(base)
                if found is not None:
                    return found
            if cls.open or any(name in k.__dict__ for live in cls.live_bases for k in live.__mro__):
                return "open"
            return None

        return walk(self)

    def primitive_kind(self) -> str | None:
        """The kind of thread primitive this class or one of its recorded bases derives from."""
        stack, seen = [self], set()
        while stack:
            cls = stack.pop()
            if id(cls) in seen:
                continue
            seen.add(id(cls))
            if cls.primitive is not None:
                return cls.primitive
            stack.extend(cls.bases)
        return None
