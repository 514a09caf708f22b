"""Other tasks keep running while a rewritten ``time.sleep`` waits (and are starved by the original)."""

import ast
import inspect

import sync_kernel
from harness import cells_of, run_loop

CELLS = cells_of(
    """
    import asyncio, time
    ticks = []
    async def ticker():
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.005)
    task = asyncio.ensure_future(ticker())
    """,
    """
    before = len(ticks)
    time.sleep(0.1)
    progress = len(ticks) - before
    """,
)


def run_in_one_loop(rewrite: bool) -> dict:
    session = sync_kernel.Session()
    namespace: dict = {}

    async def main() -> None:
        for cell in CELLS:
            code = session.transform(cell, namespace).code if rewrite else cell
            compiled = compile(code, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            if compiled.co_flags & inspect.CO_COROUTINE:
                await eval(compiled, namespace)
            else:
                exec(compiled, namespace)
        namespace["task"].cancel()

    run_loop(main())
    return namespace


def test_background_task_progresses_during_a_rewritten_sleep():
    rewritten = run_in_one_loop(rewrite=True)
    blocking = run_in_one_loop(rewrite=False)
    # 0.1 s at one tick per 5 ms: about twenty ticks while the rewritten sleep waits (a few on a
    # loaded machine); none while the original blocks the loop.
    assert rewritten["progress"] >= 3
    assert blocking["progress"] == 0


def test_task_started_in_one_cell_keeps_running_in_the_next():
    namespace = run_in_one_loop(rewrite=True)
    ticks = namespace["ticks"]
    assert ticks == sorted(ticks) and len(ticks) >= 3
