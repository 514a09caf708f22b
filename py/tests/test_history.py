"""A cell's cost depends on the cell, not on how many cells came before it.

`npm run bench:codemod` times it (cell 20 against cell 2,000); here the same
is checked without a clock: transforming the same kind of cell makes the same
number of Python function calls after 20 cells as after 400.
"""

import sys
from pathlib import Path

import sync_kernel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from bench import HISTORY_CELL  # noqa: E402

#: The bench's cell, then calls of its function and of the one the cell before defined.
CELL = HISTORY_CELL + "print(Box_{i}().go(), nap_{previous}(0))\n"


def _calls_at(cells_before: int) -> int:
    """Python calls made by transforming one more cell after ``cells_before`` cells ran in the session."""
    session = sync_kernel.Session(input_hook="__input__")
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec("import time\ndef nap_0(seconds): pass", namespace)
    for i in range(1, cells_before + 1):
        result = session.transform(CELL.format(i=i, previous=i - 1).rsplit("print", 1)[0], namespace)
        exec(compile(result.code, f"<cell {i}>", "exec"), namespace)
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        count += event == "call"

    sys.setprofile(profile)
    try:
        result = session.transform(CELL.format(i=cells_before + 1, previous=cells_before), namespace)
    finally:
        sys.setprofile(None)
    assert "await Box_" in result.code and "await nap_" in result.code  # the cell was analysed and rewritten
    return count


def test_the_work_for_a_cell_does_not_grow_with_the_notebook():
    assert _calls_at(400) == _calls_at(20)
