"""Decorators defined in the notebook are followed: ``@deco def f`` binds ``f`` to the wrapper ``deco`` returns.

Each test runs the cells on CPython as written and rewritten, and compares
(``assert_same_behaviour``), then checks what the rewrite did.
"""

import textwrap

from harness import assert_same_behaviour

RETRY = """
import time, functools
def retry(times):
    def decorator(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            for attempt in range(times):
                try:
                    return f(*args, **kwargs)
                except ValueError as error:
                    print("retry", attempt, error)
                    time.sleep(0.001)
            raise RuntimeError("gave up")
        return wrapper
    return decorator
"""

FLAKY = """
calls = []
@retry(times=3)
def flaky(x):
    calls.append(x)
    if len(calls) < 3:
        raise ValueError("not yet")
    return x * 2
print(flaky(21), flaky.__name__)
"""


#: A plain decorator whose wrapper sleeps.
SLOWLY = """
import time
def slowly(f):
    def inner(k):
        time.sleep(0.001)
        return f(k) + 1
    return inner
"""


def test_a_retry_decorator_with_a_sleep_makes_its_wrapper_async():
    outcome = assert_same_behaviour(RETRY, FLAKY)
    assert "        async def wrapper(*args, **kwargs):" in outcome.results[0].code
    assert "await __sync__.sleep(0.001)" in outcome.results[0].code
    assert "print(await flaky(21), flaky.__name__)" in outcome.results[1].code
    assert "retry 1 not yet\n42 flaky" in outcome.stdout


def test_the_same_cell_and_a_plain_decorator():
    outcome = assert_same_behaviour(
        SLOWLY
        + textwrap.dedent(
            """
            @slowly
            def step(k):
                return k * 10
            print(step(1), [step(i) for i in range(3)])
            """
        )
    )
    code = outcome.results[0].code
    assert "    async def inner(k):" in code
    assert "print(await step(1), [await step(i) for i in range(3)])" in code


def test_stacked_decorators_keep_the_inner_wrapper_blocking():
    # The outer wrapper calls the inner one through its parameter, without `await`.
    outcome = assert_same_behaviour(
        SLOWLY
        + textwrap.dedent(
            """
            @slowly
            @slowly
            def twice(k):
                return k
            print(twice(1))
            """
        )
    )
    assert "async def" not in outcome.results[0].code
    (note,) = [n for n in outcome.results[0].notes if n.kind == "kept-blocking"]
    assert "`inner` is used as a value on line 8" in note.message  # the outer `@slowly`


def test_wrappers_handed_where_they_cannot_be_awaited_get_their_blocking_version():
    outcome = assert_same_behaviour(
        RETRY,
        FLAKY,
        """
        calls.clear()
        print(list(map(flaky, [1, 2, 3])))
        def double(x):
            return x * 2
        safe = retry(2)(double)
        print(safe(5), list(map(retry(2)(double), [1])), sorted([3, 1], key=retry(1)(double)))
        """,
    )
    code = outcome.results[2].code
    assert "map(__sync__.blocking(flaky), [1, 2, 3])" in code
    assert "await safe(5)" in code
    assert "map(__sync__.blocking(retry(2)(double)), [1])" in code


def test_a_wrapper_used_as_a_value_in_its_own_cell_stays_blocking():
    outcome = assert_same_behaviour(
        SLOWLY
        + textwrap.dedent(
            """
            @slowly
            def step(k):
                return k * 10
            print(list(map(step, [1, 2])))
            """
        )
    )
    assert "async def" not in outcome.results[0].code
    (note,) = [n for n in outcome.results[0].notes if n.kind == "kept-blocking"]
    assert "`inner` is used as a value" in note.message


def test_an_async_def_under_a_wrapper_that_sleeps_keeps_its_coroutine():
    # The wrapper returns the coroutine of the async def: made async, it would return a coroutine
    # of a coroutine. In its own cell it stays blocking; from an earlier cell, its twin is used.
    outcome = assert_same_behaviour(
        """
        import asyncio, time
        def timed(f):
            def inner(*args):
                time.sleep(0.001)
                return f(*args)
            return inner
        @timed
        async def fetch(x):
            await asyncio.sleep(0)
            return x
        print(asyncio.run(fetch(1)))
        """,
        RETRY,
        FLAKY,
        """
        import asyncio
        @retry(2)
        async def later(x):
            return x
        async def main():
            return await asyncio.gather(later(1), later(2))
        print(asyncio.run(main()))
        """,
    )
    assert "async def inner" not in outcome.results[0].code
    assert "@__sync__.twin_decorator(retry(2))" in outcome.results[3].code
    assert "[1, 2]" in outcome.stdout


def test_a_function_returning_a_function_it_defines_is_followed_too():
    outcome = assert_same_behaviour(
        """
        import time
        def make_ticker(step):
            def tick(n):
                time.sleep(0.001)
                return n + step
            return tick
        add_two = make_ticker(2)
        print(add_two(1), make_ticker(3)(1))
        keep = [make_ticker(4)]
        print(keep[0](1))
        """
    )
    code = outcome.results[0].code
    assert "print(await add_two(1), await make_ticker(3)(1))" in code
    assert "keep = [__sync__.blocking(make_ticker(4))]" in code
