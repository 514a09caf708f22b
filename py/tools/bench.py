"""Benchmark: codemod transform time next to ``ast.parse`` time, side by side in one run.

``python py/tools/bench.py`` generates notebook-like cells of 10, 100, 1,000
and 10,000 lines and times ``Session().transform`` and ``ast.parse`` on the
same text (best of several runs each). Two kinds of cell:

* ``blocking``: every ten-line block defines a function that sleeps and calls
  it (everything must be analysed and much is rewritten: the worst case);
* ``plain``: the same code without ``time.sleep`` (the common case).

Prints a Markdown table; the ratio column is what matters (goal: ≤ 2×).

Then the cost of one cell against the length of the notebook before it: one
session with the live namespace runs 2,000 cells that each define a sleeping
function, a class calling it and a list, and the same kind of cell is timed at
cell 20 and at cell 2,000 (goal: at most 1.5× apart).
"""

from __future__ import annotations

import ast
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync_kernel import Session  # noqa: E402

SIZES = (10, 100, 1_000, 10_000)

BLOCK = """\
def step_{i}(n):
    total = 0
    for k in range(n):
        total += k * {i}
    {pause}
    return total
value_{i} = step_{i}(3)
print(f"step {i}: {{value_{i}}}")
data_{i} = [x ** 2 for x in range({i} % 7)]
label_{i} = "item-%d" % len(data_{i})
"""


def make_cell(lines: int, blocking: bool) -> str:
    pause = "time.sleep(0)" if blocking else "total += 1"
    blocks = [BLOCK.format(i=i, pause=pause) for i in range(max(1, lines // 10))]
    return "import time\n" + "".join(blocks)


def best_of(action: Callable[[str], object], text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action(text)
        best = min(best, time.perf_counter() - started)
    return best


HISTORY_CELL = """\
def nap_{i}(seconds):
    time.sleep(seconds)
class Box_{i}:
    def go(self):
        nap_{i}(0)
items_{i} = [1, 2, 3]
"""

#: Where the notebook's history is measured, and how many cells are timed around each point.
HISTORY_POINTS = (20, 2_000)
HISTORY_SAMPLE = 10


def history() -> dict[int, float]:
    """Median transform time of a cell at each of :data:`HISTORY_POINTS`, in one session."""
    session = Session(input_hook="__input__")
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec("import time", namespace)
    timings: dict[int, list[float]] = {point: [] for point in HISTORY_POINTS}
    for i in range(max(HISTORY_POINTS) + HISTORY_SAMPLE):
        source = HISTORY_CELL.format(i=i)
        started = time.perf_counter()
        result = session.transform(source, namespace)
        elapsed = time.perf_counter() - started
        exec(compile(result.code, f"<cell {i}>", "exec"), namespace)
        for point in HISTORY_POINTS:
            if point <= i < point + HISTORY_SAMPLE:
                timings[point].append(elapsed)
    return {point: sorted(found)[len(found) // 2] for point, found in timings.items()}


def main() -> int:
    print("| cell | lines | ast.parse | transform | ratio |")
    print("|---|---|---|---|---|")
    for blocking in (True, False):
        for lines in SIZES:
            text = make_cell(lines, blocking)
            repeat = 20 if lines <= 1_000 else 5
            parse = best_of(ast.parse, text, repeat)
            transform = best_of(lambda t: Session(input_hook="__input__").transform(t), text, repeat)
            kind = "blocking" if blocking else "plain"
            print(
                f"| {kind} | {text.count(chr(10)):,} | {parse * 1000:.2f} ms | {transform * 1000:.2f} ms "
                f"| {transform / parse:.2f}× |"
            )
    at = history()
    first, last = HISTORY_POINTS
    print()
    print(f"| cell {first} | cell {last:,} | ratio |")
    print("|---|---|---|")
    print(f"| {at[first] * 1000:.2f} ms | {at[last] * 1000:.2f} ms | {at[last] / at[first]:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
