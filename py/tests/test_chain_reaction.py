"""Functions that now await become ``async def``, and every call that resolves to them is awaited."""

from harness import assert_rewrites, assert_same_behaviour, kinds, rewrite


def test_function_with_sleep_becomes_async_and_its_call_is_awaited():
    result = assert_rewrites(
        """
        import time
        def work(n):
            time.sleep(0.01)
            return n + 1
        work(1)
        """,
        """
        import time
        async def work(n):
            await __sync__.sleep(0.01)
            return n + 1
        await work(1)
        """,
    )
    assert kinds(result) == [(2, "async-def"), (3, "rewrite"), (5, "await-call")]
    assert result.notes[0].before == "def work" and result.notes[0].after == "async def work"


def test_calls_are_awaited_wherever_an_await_is_legal():
    assert_rewrites(
        """
        import time
        def slow(x):
            time.sleep(0)
            return x
        print(slow(1), slow(2) + slow(3))
        values = [slow(i) for i in range(3)]
        squares = {i: slow(i) ** 2 for i in range(2)}
        label = f"value={slow(4)!r:>5}"
        pick = slow(5) if values else slow(6)
        either = values and slow(7) or slow(8)
        size = slow("abc").upper()
        first = slow([1, 2])[0]
        again = slow(len)("abc")
        spread = print(*slow([1]), **slow({}))
        """,
        """
        import time
        async def slow(x):
            await __sync__.sleep(0)
            return x
        print(await slow(1), await slow(2) + await slow(3))
        values = [await slow(i) for i in range(3)]
        squares = {i: await slow(i) ** 2 for i in range(2)}
        label = f"value={await slow(4)!r:>5}"
        pick = await slow(5) if values else await slow(6)
        either = values and await slow(7) or await slow(8)
        size = (await slow("abc")).upper()
        first = (await slow([1, 2]))[0]
        again = (await slow(len))("abc")
        spread = print(*await slow([1]), **await slow({}))
        """,
    )


def test_nested_expressions_behave_the_same():
    assert_same_behaviour(
        """
        import time
        def slow(x):
            time.sleep(0.001)
            return x
        print(slow(1), slow(2) + slow(3))
        print([slow(i) for i in range(3)], {i: slow(i) ** 2 for i in range(2)})
        print(f"value={slow(4)!r:>5}", slow(5) if slow(0) else slow(6))
        print(slow(0) and slow(7) or slow(8), slow("abc").upper(), slow([1, 2])[0])
        def twice(x):
            return slow(x) * 2
        print(twice(21))
        """
    )


def test_chain_through_several_functions_and_return():
    result = assert_rewrites(
        """
        import time
        def a():
            time.sleep(0)
            return 1
        def b():
            return a() + 1
        def c():
            return b() * 10
        print(c())
        """,
        """
        import time
        async def a():
            await __sync__.sleep(0)
            return 1
        async def b():
            return await a() + 1
        async def c():
            return await b() * 10
        print(await c())
        """,
    )
    assert [kind for _, kind in kinds(result)].count("async-def") == 3


def test_functions_that_do_not_wait_stay_as_they_are():
    assert_rewrites(
        """
        import time
        def fast(x):
            return x * 2
        def slow():
            time.sleep(0)
        print(fast(2))
        slow()
        """,
        """
        import time
        def fast(x):
            return x * 2
        async def slow():
            await __sync__.sleep(0)
        print(fast(2))
        await slow()
        """,
    )


def test_methods_self_obj_and_class_calls():
    assert_rewrites(
        """
        import time
        class Robot:
            def __init__(self, name):
                self.name = name
            def step(self):
                time.sleep(0)
                return self.name
            def walk(self, n):
                return [self.step() for _ in range(n)]
            @staticmethod
            def pause():
                time.sleep(0)
            @classmethod
            def build(cls):
                cls.pause()
                return cls("built")
        robot = Robot("r2")
        print(robot.walk(2), Robot.step(robot))
        Robot.pause()
        other = Robot.build()
        """,
        """
        import time
        class Robot:
            def __init__(self, name):
                self.name = name
            async def step(self):
                await __sync__.sleep(0)
                return self.name
            async def walk(self, n):
                return [await self.step() for _ in range(n)]
            @staticmethod
            async def pause():
                await __sync__.sleep(0)
            @classmethod
            async def build(cls):
                await cls.pause()
                return cls("built")
        robot = Robot("r2")
        print(await robot.walk(2), await Robot.step(robot))
        await Robot.pause()
        other = await Robot.build()
        """,
    )


def test_methods_behave_the_same():
    assert_same_behaviour(
        """
        import time
        class Counter:
            def __init__(self):
                self.count = 0
            def tick(self):
                time.sleep(0.001)
                self.count += 1
                return self.count
            def run(self, n):
                for _ in range(n):
                    print("tick", self.tick())
                return self.count
        counter = Counter()
        total = counter.run(3)
        """,
        """
        print(counter.run(2), total)
        """,
    )


def test_overriding_methods_are_decided_together():
    source = """
        import time
        class Base:
            def step(self):
                return "base"
            def run(self):
                return self.step()
        class Slow(Base):
            def step(self):
                time.sleep(0.001)
                return "slow"
        print(Slow().run(), Base().run())
        """
    outcome = assert_same_behaviour(source)
    code = outcome.results[0].code
    assert 'async def step(self):\n        return "base"' in code
    assert "async def run(self):\n        return await self.step()" in code


def test_nested_functions():
    assert_same_behaviour(
        """
        import time
        def outer(n):
            def inner(i):
                time.sleep(0.001)
                return i * i
            return sum([inner(i) for i in range(n)])
        print(outer(4))
        """
    )
    (result,) = rewrite(
        """
        import time
        def outer(n):
            def inner(i):
                time.sleep(0)
                return i
            return inner(n)
        """
    )
    assert "async def outer" in result.code and "async def inner" in result.code
    assert "return await inner(n)" in result.code


def test_recursion_and_mutual_recursion():
    assert_same_behaviour(
        """
        import time
        def countdown(n):
            if n == 0:
                return "liftoff"
            print(n)
            time.sleep(0.001)
            return countdown(n - 1)
        def is_even(n):
            time.sleep(0)
            return True if n == 0 else is_odd(n - 1)
        def is_odd(n):
            return False if n == 0 else is_even(n - 1)
        print(countdown(3), is_even(4), is_odd(3))
        """
    )


def test_asyncio_run_inside_a_function_called_from_a_later_cell():
    outcome = assert_same_behaviour(
        """
        import asyncio
        async def fetch():
            await asyncio.sleep(0.001)
            return "data"
        def load():
            return asyncio.run(fetch())
        """,
        """
        print(load())
        """,
    )
    assert outcome.results[1].code == "print(await load())\n"


def test_user_async_functions_and_their_plain_calls_are_never_changed():
    (result,) = rewrite(
        """
        import asyncio
        async def job():
            await asyncio.sleep(0)
        task = asyncio.ensure_future(job())
        pending = job()
        pending.close()
        """
    )
    assert not result.changed


def test_blocking_call_inside_a_user_async_def_is_left_blocking():
    result = assert_rewrites(
        """
        import time
        async def job():
            time.sleep(0)
        """,
        """
        import time
        async def job():
            time.sleep(0)
        """,
    )
    assert kinds(result) == [(3, "kept-blocking")]


def test_a_module_level_function_with_a_dunder_name_is_not_a_special_method():
    outcome = assert_same_behaviour(
        """
        import time
        def __init__(n):
            time.sleep(0.001)
            return input(f"{n}? ")
        print(__init__(1))
        def __call__():
            return __init__(2)
        print(__call__())
        class Box:
            def __init__(self):
                time.sleep(0.001)
                self.value = 3
        print(Box().value)
        """,
        answers=["a", "b"],
    )
    (result,) = outcome.results
    assert "async def __init__(n):" in result.code and "async def __call__():" in result.code
    assert "print(await __init__(1))" in result.code and "return await __init__(2)" in result.code
    assert '    return await __input__(f"{n}? ")' in result.code
    assert [(note.line, note.kind, note.message) for note in result.notes if note.kind == "kept-blocking"] == [
        (11, "kept-blocking", "time.sleep stays blocking because `__init__` is a special method, which cannot be async")
    ]
