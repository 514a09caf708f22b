"""The rewrite rules, in every spelling that resolves to the target (and none that does not)."""

from harness import assert_rewrites, assert_same_behaviour, kinds, rewrite

# ---- time.sleep ------------------------------------------------------------------------------


def test_time_sleep_becomes_an_awaited_sleep_on_the_event_loop():
    result = assert_rewrites(
        """
        import time
        time.sleep(0.01)
        """,
        """
        import time
        await __sync__.sleep(0.01)
        """,
    )
    assert kinds(result) == [(2, "rewrite")]
    (note,) = result.notes
    assert (note.before, note.after) == ("time.sleep(0.01)", "await __sync__.sleep(0.01)")


def test_every_spelling_of_time_sleep_is_rewritten():
    spellings = [
        "import time as t\nt.sleep(0)",
        "from time import sleep\nsleep(0)",
        "from time import sleep as wait\nwait(0)",
        "from time import *\nsleep(0)",
        "import time\npause = time.sleep\npause(0)",
        "from time import sleep\nwait = sleep\nagain = wait\nagain(0)",
        "import time\nif True:\n    time.sleep(0)",
    ]
    for source in spellings:
        (result,) = rewrite(source)
        assert result.code.splitlines()[:-1] == source.splitlines()[:-1], source
        assert result.code.splitlines()[-1].strip() == "await __sync__.sleep(0)", source


def test_spelling_bound_in_an_earlier_cell_is_rewritten():
    first, second = rewrite("from time import sleep as nap", "nap(0)")
    assert not first.changed
    assert second.code == "await __sync__.sleep(0)\n"


def test_the_users_own_asyncio_name_is_not_needed():
    assert_same_behaviour(
        """
        import time
        asyncio = "not the module"
        time.sleep(0.01)
        print(asyncio)
        """
    )


def test_sleep_that_is_not_time_sleep_is_left_alone():
    for source in [
        "def sleep(x):\n    print('mine', x)\nsleep(1)",
        "class time:\n    @staticmethod\n    def sleep(x):\n        print('mine', x)\ntime.sleep(1)",
        "import json as time\ntime.sleep(1)",
        "import time\ntime = None\ntime.sleep(1)",
        "from asyncio import sleep\nsleep(1)",
        "import time\ndel time\ntime.sleep(1)",
    ]:
        (result,) = rewrite(source)
        assert not result.changed, source


def test_time_sleep_with_wrong_arguments_is_left_to_fail_as_before():
    (result,) = rewrite("import time\ntime.sleep()\ntime.sleep(secs=1)")
    assert not result.changed


def test_a_sleep_length_time_sleep_refuses_raises_its_error_after_the_rewrite_too():
    # asyncio.sleep returns at once for a negative length; a frame-rate loop that
    # overshoots (`time.sleep(period - elapsed)`) must fail as it does on desktop.
    outcome = assert_same_behaviour(
        """
        import fractions, time
        def pause(seconds):
            time.sleep(seconds)
        for seconds in [-1, -0.5, float("nan"), float("inf"), 10**30, "1", None, fractions.Fraction(1, 2)]:
            try:
                pause(seconds)
            except (ValueError, TypeError, OverflowError) as error:
                print(repr(seconds), type(error).__name__, error)
        pause(True)
        pause(0.0)
        print("slept")
        """
    )
    assert outcome.cells[0].stdout.count("\n") == 9


def test_progress_loop_prints_the_same():
    assert_same_behaviour(
        """
        import time
        for step in range(3):
            print(f"step {step}")
            time.sleep(0.01)
        print("done")
        """
    )


# ---- asyncio.run and loops ---------------------------------------------------------------------


def test_asyncio_run_becomes_await():
    result = assert_rewrites(
        """
        import asyncio
        async def main():
            return 42
        print(asyncio.run(main()))
        """,
        """
        import asyncio
        async def main():
            return 42
        print(await __sync__.run(main()))
        """,
    )
    assert kinds(result) == [(4, "rewrite")]


def test_asyncio_run_with_keywords_and_main_keyword():
    assert_rewrites(
        """
        import asyncio
        asyncio.run(main(), debug=True)
        asyncio.run(main=main())
        value = asyncio.run(coro or other())
        """,
        """
        import asyncio
        await __sync__.run(main(), debug=True)
        await __sync__.run(main=main())
        value = await __sync__.run(coro or other())
        """,
    )


def test_multiline_asyncio_run_keeps_every_line():
    result = assert_rewrites(
        """
        import asyncio
        asyncio.run(
            main(),
            debug=True,
        )
        print("after")
        """,
        """
        import asyncio
        await __sync__.run(
            main(),
            debug=True,
        )
        print("after")
        """,
    )
    assert result.code.count("\n") == 6


def test_asyncio_run_runs_and_returns_the_result():
    assert_same_behaviour(
        """
        import asyncio

        async def fetch(n):
            await asyncio.sleep(0.01)
            return n * 2

        async def main():
            results = await asyncio.gather(fetch(1), fetch(2))
            print("results", results)
            return sum(results)

        total = asyncio.run(main())
        print(total)
        """
    )


def test_run_until_complete_on_every_kind_of_loop():
    result = assert_rewrites(
        """
        import asyncio
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main())
        asyncio.get_running_loop().run_until_complete(main())
        other = asyncio.get_event_loop()
        other.run_until_complete(main())
        loop.close()
        """,
        """
        import asyncio
        loop = __asyncio__.get_event_loop()
        __sync__.noop(loop)
        await main()
        await main()
        other = asyncio.get_event_loop()
        await main()
        __sync__.noop()
        """,
    )
    assert [note.kind for note in result.notes] == ["rewrite"] * 6


def test_new_loop_script_runs_the_same():
    assert_same_behaviour(
        """
        import asyncio

        async def greet(name):
            await asyncio.sleep(0.01)
            print("hello", name)
            return len(name)

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            size = loop.run_until_complete(greet("loop"))
        finally:
            loop.close()
        print(size)
        """
    )


def test_asyncio_runner_context():
    assert_rewrites(
        """
        import asyncio
        with asyncio.Runner() as runner:
            runner.run(main())
            print(runner.run(main()))
        """,
        """
        import asyncio
        with __sync__.Runner() as runner:
            await main()
            print(await main())
        """,
    )


def test_asyncio_runner_runs_the_same():
    assert_same_behaviour(
        """
        import asyncio

        async def square(x):
            await asyncio.sleep(0)
            return x * x

        with asyncio.Runner() as runner:
            first = runner.run(square(3))
            second = runner.run(square(4))
        print(first, second)
        """
    )


# ---- input and getpass ----------------------------------------------------------------------------


def test_input_and_getpass_become_awaited_hook_calls():
    result = assert_rewrites(
        """
        import getpass
        name = input("Name? ")
        secret = getpass.getpass("Secret: ")
        """,
        """
        import getpass
        name = await __input__("Name? ")
        secret = await __input__.getpass("Secret: ")
        """,
    )
    assert kinds(result) == [(2, "rewrite"), (3, "rewrite")]


def test_input_without_a_hook_is_left_alone():
    (result,) = rewrite("name = input('Name? ')", input_hook=None)
    assert not result.changed and result.notes == []


def test_input_answers_arrive_in_order():
    assert_same_behaviour(
        """
        from getpass import getpass as ask_secret
        name = input("Name? ")
        secret = ask_secret()
        print(f"hello {name}, your secret has {len(secret)} letters")
        """,
        answers=["Ada", "sesame"],
    )


def test_input_at_end_of_file_raises_eof_error_as_before():
    outcome = assert_same_behaviour("value = input('more? ')", answers=[])
    assert outcome.cells[0].error is not None and outcome.cells[0].error[0] == "EOFError"
