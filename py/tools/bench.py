"""Benchmark: codemod transform time next to ``ast.parse`` time, side by side in one run.

``python py/tools/bench.py`` generates notebook-like cells of 10, 100, 1,000
and 10,000 lines and times ``Session().transform`` and ``ast.parse`` on the
same text (best of several runs each). Two kinds of cell:

* ``blocking``: every ten-line block defines a function that sleeps and calls
  it (everything must be analysed and much is rewritten: the worst case);
* ``plain``: the same code without ``time.sleep`` (the common case).

Prints a Markdown table; the ratio column is what matters (goal: ≤ 2×).
"""

from __future__ import annotations

import ast
import sys
import time
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


def best_of(action, text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action(text)
        best = min(best, time.perf_counter() - started)
    return best


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
