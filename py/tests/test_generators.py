"""Generators that block become async generators when every use is a ``for`` that can become ``async for``."""

from harness import assert_rewrites, assert_same_behaviour, cells_of, rewrite, run_original, run_rewritten


def test_generator_iterated_by_for_loops_becomes_an_async_generator():
    result = assert_rewrites(
        """
        import time
        def ticks(n):
            for i in range(n):
                time.sleep(0)
                yield i
        for tick in ticks(3):
            print(tick)
        squares = [t * t for t in ticks(3) if t]
        table = {t: [u for u in ticks(t)] for t in range(2)}
        """,
        """
        import time
        async def ticks(n):
            for i in range(n):
                await __sync__.sleep(0)
                yield i
        async for tick in ticks(3):
            print(tick)
        squares = [t * t async for t in ticks(3) if t]
        table = {t: [u async for u in ticks(t)] for t in range(2)}
        """,
    )
    assert [note.kind for note in result.notes].count("await-call") == 3


def test_async_generators_behave_the_same():
    assert_same_behaviour(
        """
        import time
        def progress(total):
            done = 0
            while done < total:
                time.sleep(0.001)
                done += 1
                yield f"{done}/{total}"
        def report():
            for line in progress(3):
                print(line)
            return [p for p in progress(2)]
        print(report())
        """
    )


def test_comprehension_for_keyword_is_found_past_comments():
    (result,) = rewrite(
        """
        import time
        def gen():
            time.sleep(0)
            yield 1
        values = [
            x  # for each value, formatted
            for  # comment mentioning for
            x in gen()
        ]
        """
    )
    assert result.code.splitlines()[6] == "    async for  # comment mentioning for"


def test_generator_used_outside_a_for_loop_stays_blocking():
    outcome = assert_same_behaviour(
        """
        import time
        def countdown(n):
            while n:
                time.sleep(0.001)
                yield n
                n -= 1
        for value in countdown(2):
            print(value)
        print(list(countdown(3)))
        """
    )
    messages = [note.message for note in outcome.results[0].notes if note.kind == "kept-blocking"]
    assert messages == [
        "time.sleep stays blocking because `countdown` is a generator called on line 9 outside a `for` loop, so it cannot become async"
    ]


def test_generators_with_yield_from_or_a_return_value_stay_blocking():
    for body in ["    yield from range(2)\n", "    yield 1\n    return 'done'\n"]:
        (result,) = rewrite("import time\ndef gen():\n    time.sleep(0)\n" + body + "for x in gen():\n    pass\n")
        assert not result.changed, body


def test_generator_from_an_earlier_cell():
    cells = cells_of(
        """
        import time
        def ticks(n):
            for i in range(n):
                time.sleep(0.001)
                yield i
        for t in ticks(2):
            print("first cell", t)
        """,
        """
        for t in ticks(2):
            print("second cell", t)
        print(list(ticks(3)), sum(ticks(3)))
        """,
    )
    expected = run_original(cells)
    actual = run_rewritten(cells)
    assert actual.behaviour() == expected.behaviour()
    assert actual.results[1].code.splitlines()[0] == "async for t in ticks(2):"
    assert "list(__sync__.blocking(ticks)(3))" in actual.results[1].code
