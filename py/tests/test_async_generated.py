"""Generated programs mixing the user's coroutines with blocking helpers (STYLE 12a).

Plain helpers sleep (or not) and call each other; the user's ``async def``
coroutines print, call helpers, sleep with ``time.sleep`` or ``await
asyncio.sleep``, and start tasks that ``main`` may leave running; ``main``
gathers them under ``asyncio.run``, and module code calls helpers too. The
order of the printed lines is the oracle: desktop Python holds up every task
during a blocking call and cancels what ``asyncio.run`` left pending (the
order of those cancellations is not defined, so they are listed sorted).
"""

import random

import pytest

from harness import assert_same_behaviour

HELPERS = ("h0", "h1", "h2")
COROUTINES = ("c0", "c1", "c2")


def _helper(rng: random.Random, index: int) -> list[str]:
    name = HELPERS[index]
    body = [f"def {name}(tag):", f"    print('{name} in', tag)"]
    if rng.random() < 0.6:
        body.append("    time.sleep(0.001)")
    if index + 1 < len(HELPERS) and rng.random() < 0.5:
        body.append(f"    {HELPERS[index + 1]}(tag)")
    body.append(f"    print('{name} out', tag)")
    return body


def _coroutine(rng: random.Random, name: str) -> list[str]:
    body = [f"async def {name}(tag):", f"    print('{name} start', tag)"]
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.3:
            body.append("    time.sleep(0.001)")
        elif roll < 0.6:
            body.append(f"    {rng.choice(HELPERS)}(tag)")
        elif roll < 0.8:
            body.append("    await asyncio.sleep(0)")
        else:
            body.append(f"    asyncio.create_task(runaway('{name}'))")
    body.append(f"    print('{name} end', tag)")
    return body


def program(seed: int) -> str:
    rng = random.Random(seed)
    lines = ["import asyncio, time", "stopped = []"]
    for index in range(len(HELPERS)):
        lines += _helper(rng, index)
    lines += [
        "async def runaway(owner):",
        "    try:",
        "        await asyncio.sleep(10)",
        "    finally:",
        "        stopped.append(owner)",  # in which order is up to the set asyncio.run cancels from
    ]
    for name in COROUTINES:
        lines += _coroutine(rng, name)
    calls = ", ".join(f"{rng.choice(COROUTINES)}({tag})" for tag in range(rng.randint(2, 3)))
    lines += ["async def main():", f"    await asyncio.gather({calls})", "    print('main done')"]
    lines += [f"{rng.choice(HELPERS)}('module')", "asyncio.run(main())", "stopped.sort()", "print('stopped', stopped)"]
    lines += [f"{rng.choice(HELPERS)}('after')"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(60))
def test_generated_coroutines_print_in_cpythons_order(seed):
    assert_same_behaviour(program(seed))
