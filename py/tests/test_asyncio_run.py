"""``asyncio.run(c)`` keeps what it does at the end: tasks it leaves pending are cancelled, async generators closed.

Compared with CPython's own ``asyncio.run`` (the original cells run synchronously),
except for tasks earlier cells started, which desktop Python cannot have: those
keep running, as every task of the kernel does.
"""

import sync_kernel
from harness import assert_same_behaviour, cells_of, run_loop, run_rewritten


def notes_of(result):
    return [(note.line, note.kind, note.message, note.before, note.after) for note in result.notes]


def test_a_runaway_task_is_cancelled_when_main_returns():
    outcome = assert_same_behaviour(
        """
        import asyncio
        async def worker(name):
            try:
                while True:
                    await asyncio.sleep(0.001)
            except asyncio.CancelledError:
                print(name, "cancelled")
                raise
            finally:
                print(name, "cleans up")
        async def main():
            asyncio.create_task(worker("w"))
            await asyncio.sleep(0.005)
            print("main done")
            return 7
        print(asyncio.run(main()))
        print("after")
        """
    )
    assert outcome.stdout == "main done\nw cancelled\nw cleans up\n7\nafter\n"
    (result,) = outcome.results
    assert notes_of(result) == [
        (
            16,
            "rewrite",
            "runs on the kernel's event loop",
            "asyncio.run(main())",
            "await __sync__.run(main())",
        )
    ]


def test_main_that_exits_before_its_worker_leaves_nothing_running():
    assert_same_behaviour(
        """
        import asyncio
        async def worker():
            await asyncio.sleep(0.01)
            print("worker finished")
        async def main():
            asyncio.create_task(worker())
            print("main exits")
        asyncio.run(main())
        """,
        """
        import time
        time.sleep(0.05)
        print("later")
        """,
    )


def test_pending_tasks_are_cancelled_when_main_raises_too():
    outcome = assert_same_behaviour(
        """
        import asyncio
        async def worker():
            try:
                await asyncio.sleep(10)
            finally:
                print("worker stopped")
        async def main():
            asyncio.ensure_future(worker())
            await asyncio.sleep(0)
            raise ValueError("main failed")
        asyncio.run(main(), debug=False)
        """
    )
    assert outcome.stdout == "worker stopped\n"
    assert outcome.cells[0].error == ("ValueError", "main failed", 10)


def test_async_generators_left_open_are_closed_after_the_tasks():
    assert_same_behaviour(
        """
        import asyncio
        async def ticks():
            try:
                for i in range(10):
                    yield i
                    await asyncio.sleep(0)
            finally:
                print("ticks closed")
        async def sleeper():
            try:
                await asyncio.sleep(10)
            finally:
                print("sleeper cancelled")
        async def main():
            asyncio.create_task(sleeper())
            gen = ticks()
            async for tick in gen:
                print("tick", tick)
                if tick == 1:
                    break
            print("main done")
            return gen
        kept = asyncio.run(main=main())
        print("after")
        """
    )


def test_asyncio_run_of_something_else_than_a_coroutine_fails_as_on_desktop():
    assert_same_behaviour(
        """
        import asyncio
        async def main():
            return 1
        try:
            asyncio.run(main)
        except Exception as error:
            print(type(error).__name__)
        """
    )


def test_tasks_that_earlier_cells_started_keep_running():
    cells = cells_of(
        """
        import asyncio
        ticks = []
        async def ticker():
            while True:
                ticks.append(1)
                await asyncio.sleep(0.001)
        background = asyncio.ensure_future(ticker())
        """,
        """
        async def main():
            await asyncio.sleep(0.01)
        asyncio.run(main())
        seen = len(ticks)
        await asyncio.sleep(0.01)
        print(background.done(), len(ticks) > seen)
        background.cancel()
        """,
    )
    outcome = run_rewritten(cells)
    assert [cell.error for cell in outcome.cells] == [None, None]
    assert outcome.stdout == "False True\n"


def test_the_run_is_a_task_of_its_own_with_its_own_context():
    assert_same_behaviour(
        """
        import asyncio, contextvars
        var = contextvars.ContextVar("var", default="outside")
        async def main():
            var.set("inside")
            return asyncio.current_task() is not None
        print(asyncio.run(main()), var.get())
        """
    )


def test_support_run_is_a_drop_in_for_asyncio_run():
    session = sync_kernel.Session()

    async def main():
        async def answer():
            return 42

        return await session.support.run(answer(), debug=True, loop_factory=None)

    assert run_loop(main()) == 42
