"""The ``time.sleep`` the kernel installs for calls the codemod kept as written (``kernel/interrupts.py``).

On desktop a ``time.sleep`` inside an ``async def`` holds up the event loop: no other task runs
until it returns. Where the engine can switch stacks (JSPI), Pyodide's own sleep lets other tasks
run, so the kernel's must not use it there.
"""

from __future__ import annotations

import asyncio
import threading
import time

from sync_kernel.kernel.interrupts import SLEEP_SLICE, interruptible_sleep


def run_sleep_beside_a_task(sleep_seconds: float, *, can_switch: bool) -> tuple[list[str], list[float]]:
    """Sleep (kept as written) in an ``async def`` while another task is ready; what ran in which order."""
    engine_sleeps: list[float] = []
    sleep = interruptible_sleep(engine_sleeps.append, lambda: can_switch)
    order: list[str] = []

    async def other() -> None:
        order.append("other task")

    async def sleeper() -> None:
        task = asyncio.ensure_future(other())
        await asyncio.sleep(0)  # the task's first step is due before the sleep ends
        order.clear()
        ready = asyncio.ensure_future(other())
        started = time.monotonic()
        sleep(sleep_seconds)
        order.append(f"slept {time.monotonic() - started >= sleep_seconds}")
        await asyncio.gather(task, ready)

    asyncio.run(sleeper())
    return order, engine_sleeps


def test_a_sleep_in_an_async_def_holds_up_other_tasks_where_the_engine_could_switch_stacks() -> None:
    order, engine_sleeps = run_sleep_beside_a_task(0.05, can_switch=True)
    assert order == ["slept True", "other task"]
    # Pyodide's own sleep switches stacks under JSPI and would let the task run.
    assert engine_sleeps == []


def test_without_stack_switching_the_sleep_is_cut_in_slices_that_stop_can_end_between() -> None:
    order, engine_sleeps = run_sleep_beside_a_task(0.12, can_switch=False)
    assert order == ["slept True", "other task"]
    assert len(engine_sleeps) >= 3
    assert max(engine_sleeps) <= SLEEP_SLICE


def test_a_stop_that_cancelled_the_cell_ends_the_sleep_at_once_with_cancelled_error() -> None:
    stop = threading.Event()
    sleep = interruptible_sleep(time.sleep, lambda: True, stop.is_set)

    async def sleeper() -> str:
        threading.Timer(0.05, stop.set).start()  # as the kernel's SIGINT handler, from the interrupt buffer
        try:
            sleep(30)
        except asyncio.CancelledError:
            return "cancelled"
        return "slept"

    started = time.monotonic()
    assert asyncio.run(sleeper()) == "cancelled"
    assert time.monotonic() - started < 5
