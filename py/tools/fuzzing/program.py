"""A generated notebook as data: cells of top-level statements, each tagged with the productions that made it.

The tags let a shrunk reproducer say which grammar features it still uses;
the text is what runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Statement:
    """One top-level statement (possibly several lines) and the productions that generated it."""

    text: str
    productions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Notebook:
    """Cells of statements, plus the lines ``input()`` will read."""

    cells: tuple[tuple[Statement, ...], ...]
    answers: tuple[str, ...] = field(default=())

    def sources(self) -> list[str]:
        """Each cell's source text, as the kernel would receive it."""
        return ["".join(statement.text + "\n" for statement in cell) for cell in self.cells]

    def productions(self) -> frozenset[str]:
        """Every production used by some statement."""
        return frozenset(name for cell in self.cells for statement in cell for name in statement.productions)

    def size(self) -> int:
        """Number of source lines (what the shrinker makes smaller)."""
        return sum(source.count("\n") for source in self.sources())

    def render(self) -> str:
        """The notebook in the percent format (``# %%`` before each cell)."""
        return "".join(f"# %% cell {index + 1}\n{source}" for index, source in enumerate(self.sources()))
