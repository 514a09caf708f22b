"""Generated programs that rebind names between ``time.sleep`` and plain functions (STYLE 12a).

Each program shuffles a few names between ``time.sleep`` and functions that
print, in branches, loops (with ``continue`` and ``break``), nested loops and
``global`` rebinding in functions, and calls them. The oracle is CPython
running the original: a call wrongly taken for a sleep prints nothing where
the original printed. Seeded, so a failure names its program.
"""

import random

import pytest

from harness import assert_same_behaviour

NAMES = ("a", "b", "c", "d")
VALUES = ("time.sleep", "show", "shout")


def _value(rng: random.Random) -> str:
    return rng.choice(VALUES + NAMES)


def _block(rng: random.Random, depth: int, counter: str, in_loop: bool, indent: str) -> list[str]:
    """Statements at ``indent``; ``counter`` is the innermost loop's counter (or a constant name)."""
    lines: list[str] = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.35:
            lines.append(f"{indent}{rng.choice(NAMES)} = {_value(rng)}")
        elif roll < 0.6:
            lines.append(f"{indent}{rng.choice(NAMES)}(0)")
        elif roll < 0.7 and in_loop:
            lines.append(f"{indent}if {counter} % 2:")
            lines.append(f"{indent}    {rng.choice(NAMES)} = {_value(rng)}")
            lines.append(f"{indent}    {rng.choice(('continue', 'break'))}")
        elif roll < 0.8 and depth < 2:
            lines.append(f"{indent}if {counter} % 3 == {rng.randint(0, 2)}:")
            lines.extend(_block(rng, depth + 1, counter, in_loop, indent + "    "))
            lines.append(f"{indent}else:")
            lines.extend(_block(rng, depth + 1, counter, in_loop, indent + "    "))
        elif roll < 0.9 and depth < 2:
            inner = f"n{depth}"  # each loop depth has its own counter, so every loop ends
            if rng.random() < 0.5:
                lines.append(f"{indent}for {inner} in range(4):")
            else:
                lines.append(f"{indent}{inner} = 0")
                lines.append(f"{indent}while {inner} < 3:")
                lines.append(f"{indent}    {inner} += 1")
            lines.extend(_block(rng, depth + 1, inner, True, indent + "    "))
        else:
            lines.append(f"{indent}rebind()")
    return lines


def program(seed: int) -> str:
    rng = random.Random(seed)
    target = rng.choice(NAMES)
    header = [
        "import time",
        "def show(x): print('show', x)",
        "def shout(x): print('SHOUT', x)",
        "def rebind():",
        f"    global {target}",
        f"    {target} = {rng.choice(VALUES)}",
        *(f"{name} = {rng.choice(VALUES)}" for name in NAMES),
        "start = 1",
    ]
    return "\n".join(header + _block(rng, 0, "start", False, "")) + "\n"


@pytest.mark.parametrize("seed", range(200))
def test_generated_rebinding_program_behaves_as_on_cpython(seed):
    assert_same_behaviour(program(seed))
