"""What the generator knows while it writes a notebook: the names bound so far and how to call them.

Every callable in the pools takes one small int and returns an int (or, for
the blockers, is called with ``0`` and returns ``None``), so any call can be
nested in any other. A pool entry is a call template (``"obj.run({})"``)
owned by one module-level name; rebinding or deleting that name drops it.
``deps`` records which names a definition uses, so that no generated program
recurses without end, and ``cost`` bounds how many blocking calls one call
may make, so every program stays small.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .program import Notebook, Statement

#: Most blocking calls (estimated) one call of a pool entry may make.
COST_LIMIT = 12
_SIMPLE_CALL = re.compile(r"[A-Za-z_]\w*\(\{\}\)")


@dataclass(frozen=True)
class Entry:
    """A call template (``{}`` is the argument), the name it belongs to, and the names it uses."""

    template: str
    owner: str
    names: frozenset[str]
    multiplier: int = 1

    def simple_name(self) -> str | None:
        """``work`` for ``work({})``: the entry can be passed as a callback."""
        return self.template[:-4] if _SIMPLE_CALL.fullmatch(self.template) else None


class Context:
    """The state of one notebook being generated."""

    def __init__(self, rng: random.Random, features: frozenset[str]) -> None:
        self.rng = rng
        self.features = features
        self.marker = 0
        self.blockers: list[Entry] = []  # expressions callable as ``expr(0)``
        self.funcs: list[Entry] = []  # int -> int
        self.coros: list[Entry] = []  # int -> coroutine of int
        self.classes: dict[str, bool] = {}  # class name -> has ``make`` classmethod
        self.generators: set[str] = set()
        self.deps: dict[str, frozenset[str]] = {}
        self.cost: dict[str, int] = {}
        self.bound: set[str] = set()
        self.cells: list[list[Statement]] = [[]]
        self.tags: set[str] = set()  # productions of the statement being written

    # -- output -----------------------------------------------------------
    def use(self, production: str) -> None:
        """Record that the statement being written uses ``production``."""
        self.tags.add(production)

    def emit(self, lines: Iterable[str]) -> None:
        """Append a statement to the current cell, tagged with what was used to write it."""
        self.cells[-1].append(Statement("\n".join(lines), frozenset(self.tags)))
        self.tags = set()

    def emit_prerequisite(self, production: str, lines: Iterable[str]) -> None:
        """Append a statement others need (an import, a helper), without taking the current tags."""
        self.cells[-1].append(Statement("\n".join(lines), frozenset({production})))

    def new_cell(self) -> None:
        self.cells.append([])

    def notebook(self, answers: tuple[str, ...]) -> Notebook:
        return Notebook(tuple(tuple(cell) for cell in self.cells if cell), answers)

    def next_marker(self) -> int:
        self.marker += 1
        return self.marker

    def on(self, feature: str) -> bool:
        return feature in self.features

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    # -- names ------------------------------------------------------------
    def forget(self, name: str) -> None:
        """``name`` is rebound or deleted: drop what it owned."""
        self.blockers = [e for e in self.blockers if e.owner != name]
        self.funcs = [e for e in self.funcs if e.owner != name]
        self.coros = [e for e in self.coros if e.owner != name]
        self.classes.pop(name, None)
        self.generators.discard(name)
        self.deps.pop(name, None)
        self.cost.pop(name, None)
        self.bound.discard(name)

    def bind(self, name: str, names: Iterable[str] = (), cost: int = 0) -> None:
        self.forget(name)
        self.bound.add(name)
        self.deps[name] = frozenset(names)
        self.cost[name] = cost

    def reaches(self, names: Iterable[str], target: str) -> bool:
        """Whether calling something that uses ``names`` may end up using ``target``."""
        seen: set[str] = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name == target:
                return True
            if name not in seen:
                seen.add(name)
                stack.extend(self.deps.get(name, ()))
        return False

    def dependents(self, name: str) -> bool:
        return any(name in deps for other, deps in self.deps.items() if other != name)

    def entry_cost(self, entry: Entry) -> int:
        return max(1, self.cost.get(entry.owner, 1)) * entry.multiplier

    def callable_entries(self, pool: list[Entry], exclude: str | None, budget: int = COST_LIMIT) -> list[Entry]:
        """Entries that do not lead back to ``exclude`` and stay within the cost budget."""
        return [
            e for e in pool if (exclude is None or not self.reaches(e.names, exclude)) and self.entry_cost(e) <= budget
        ]

    def pick_name(self, pool: tuple[str, ...]) -> str | None:
        """A name from ``pool``: a fresh one, or (with the ``redefine`` feature) possibly a bound one."""
        fresh = [n for n in pool if n not in self.bound]
        if self.on("redefine") and (not fresh or self.chance(0.3)):
            taken = [n for n in pool if n in self.bound]
            if taken:
                self.use("redefine")
                return self.rng.choice(taken)
        return self.rng.choice(fresh) if fresh else None
