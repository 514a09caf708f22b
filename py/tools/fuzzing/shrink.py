"""Delta debugging for notebooks: cut a failing notebook down to one that still fails the same way.

A notebook is flattened to units (a statement and the index of its cell).
Passes, repeated until none makes progress or the budget of tries is spent:
``ddmin`` over the units (drop halves, quarters, ... single statements),
merging cells (all into one, then neighbours), and dropping single lines of
multi-line statements when what is left still parses.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .program import Notebook, Statement

Unit = tuple[int, Statement]


class _Budget:
    def __init__(self, fails: Callable[[Notebook], bool], answers: tuple[str, ...], tries: int) -> None:
        self.fails = fails
        self.answers = answers
        self.left = tries

    def __call__(self, units: list[Unit]) -> bool:
        if self.left <= 0 or not units:
            return False
        self.left -= 1
        return self.fails(_notebook(units, self.answers))


def _notebook(units: list[Unit], answers: tuple[str, ...]) -> Notebook:
    cells: dict[int, list[Statement]] = {}
    for cell, statement in units:
        cells.setdefault(cell, []).append(statement)
    return Notebook(tuple(tuple(cells[k]) for k in sorted(cells)), answers)


def shrink(notebook: Notebook, fails: Callable[[Notebook], bool], max_tries: int = 600) -> Notebook:
    """A smaller notebook for which ``fails`` holds (``notebook`` itself if nothing smaller does)."""
    test = _Budget(fails, notebook.answers, max_tries)
    units = [(i, statement) for i, cell in enumerate(notebook.cells) for statement in cell]
    while test.left > 0:
        before = _notebook(units, notebook.answers)
        units = _ddmin(units, test)
        units = _merge_cells(units, test)
        units = _drop_lines(units, test)
        if _notebook(units, notebook.answers) == before:
            break
    return _notebook(units, notebook.answers)


def _ddmin(units: list[Unit], test: _Budget) -> list[Unit]:
    parts = 2
    while len(units) >= 2 and test.left > 0:
        size = -(-len(units) // parts)
        for start in range(0, len(units), size):
            candidate = units[:start] + units[start + size :]
            if test(candidate):
                units = candidate
                parts = max(parts - 1, 2)
                break
        else:
            if parts >= len(units):
                break
            parts = min(parts * 2, len(units))
    return units


def _merge_cells(units: list[Unit], test: _Budget) -> list[Unit]:
    cells = sorted({cell for cell, _ in units})
    if len(cells) > 1:
        merged = [(cells[0], statement) for _, statement in units]
        if test(merged):
            return merged
    previous = cells[0] if cells else 0
    for current in cells[1:]:
        merged = [(previous if cell == current else cell, statement) for cell, statement in units]
        if test(merged):
            units = merged
        else:
            previous = current
    return units


def _drop_lines(units: list[Unit], test: _Budget) -> list[Unit]:
    index = 0
    while index < len(units):
        cell, statement = units[index]
        for text in _without_one_line(statement.text):
            candidate = units[:index] + [(cell, Statement(text, statement.productions))] + units[index + 1 :]
            if test(candidate):
                units = candidate
                break
        else:
            index += 1
    return units


def _without_one_line(text: str) -> list[str]:
    lines = text.split("\n")
    found = []
    for k in range(len(lines) if len(lines) > 1 else 0):
        candidate = "\n".join(lines[:k] + lines[k + 1 :])
        try:
            ast.parse(candidate)
        except SyntaxError:
            continue
        found.append(candidate)
    return found
