"""``asyncio.run`` the codemod kept as written (it cannot await there) still runs as in a script.

Each notebook is run as written on CPython (no loop running: the real ``asyncio.run``)
and rewritten, on the kernel's loop, where the kept call runs on a private loop.
"""

import asyncio

import pytest

from harness import assert_same_behaviour, desktop_asyncio, run_loop, run_rewritten
from sync_kernel.codemod import blocking_run


def test_a_decorator_that_runs_a_coroutine_function_called_from_map():
    outcome = assert_same_behaviour(
        """
        import asyncio, functools
        def run_async(f):
            @functools.wraps(f)
            def wrapper(*args, **kwargs):
                return asyncio.run(f(*args, **kwargs))
            return wrapper
        @run_async
        async def fetch(n):
            await asyncio.sleep(0.001)
            return n * 10
        print(list(map(fetch, [1, 2, 3])))
        print(sorted([3, 1, 2], key=lambda v: asyncio.run(asyncio.sleep(0, -v))))
        """
    )
    assert outcome.stdout == "[10, 20, 30]\n[3, 2, 1]\n"


def test_a_kept_run_cancels_the_tasks_it_left_and_closes_its_generators():
    outcome = assert_same_behaviour(
        """
        import asyncio
        async def ticker():
            try:
                while True:
                    yield 1
                    await asyncio.sleep(0.001)
            finally:
                print("generator closed")
        async def worker():
            try:
                await asyncio.sleep(10)
            finally:
                print("worker cancelled")
        async def main(n):
            asyncio.create_task(worker())
            async for _ in ticker():
                break
            await asyncio.sleep(0.002)
            return n
        print(list(map(lambda n: asyncio.run(main(n)), (1, 2))))
        """
    )
    assert outcome.stdout.count("worker cancelled") == 2
    assert outcome.stdout.count("generator closed") == 2
    assert outcome.stdout.endswith("[1, 2]\n")


def test_an_exception_from_the_kept_run_reaches_the_caller_and_the_kernel_loop_goes_on():
    outcome = assert_same_behaviour(
        """
        import asyncio
        async def fail():
            await asyncio.sleep(0.001)
            raise ValueError("bad value")
        def guarded():
            try:
                return asyncio.run(fail())
            except ValueError as error:
                return f"caught {error}"
        print(*map(lambda _: guarded(), [0]))
        """,
        """
        await_later = asyncio.sleep(0.001)
        asyncio.run(await_later)
        print("the next cell runs")
        """,
    )
    assert outcome.stdout == "caught bad value\nthe next cell runs\n"


def test_while_a_kept_run_waits_the_kernels_other_tasks_wait_too():
    """As on desktop: the call blocks its caller, so nothing else of the kernel's loop runs meanwhile."""
    outcome = run_rewritten(
        [
            "import asyncio\nticks = []\nasync def tick():\n    while True:\n        ticks.append(1)\n"
            "        await asyncio.sleep(0.001)\nbackground = asyncio.ensure_future(tick())",
            "await asyncio.sleep(0.005)\nbefore = len(ticks)\n"
            "during = list(map(lambda _: asyncio.run(asyncio.sleep(0.02, len(ticks))), [0]))[0]\n"
            "print(during == before, len(ticks) == before)\nbackground.cancel()",
        ]
    )
    assert outcome.stdout == "True True\n", outcome.behaviour()


def test_with_no_loop_running_asyncio_run_is_the_original():
    calls = []

    def original(main, *, debug=None, **extra):
        calls.append((main, debug, extra))
        return "the original ran"

    run = blocking_run._blocking_run(original)
    with desktop_asyncio():  # no loop running (inside Pyodide the tests themselves run on one)
        assert run("main", debug=True) == "the original ran"
    assert calls == [("main", True, {})]


def test_inside_a_running_loop_bad_input_fails_as_asyncio_run_does():
    async def cell():
        blocking_run.install()
        with pytest.raises((ValueError, TypeError), match="coroutine"):  # ValueError before Python 3.14
            asyncio.run(5)  # type: ignore[arg-type]
        return asyncio.current_task()

    assert run_loop(cell()) is not None  # the cell's task is current again after the private run
