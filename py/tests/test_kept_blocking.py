"""Where an ``await`` is impossible the code keeps working with a blocking version, and a note says why."""

import pytest

from harness import assert_same_behaviour, rewrite


def kept_messages(result):
    return [note.message for note in result.notes if note.kind == "kept-blocking"]


CASES = {
    "lambda": (
        """
        import time
        def tick(x):
            time.sleep(0.001)
            return x
        doubled = list(map(lambda x: tick(x) * 2, [1, 2]))
        print(doubled)
        """,
        "`tick` is called from a lambda on line 5",
    ),
    "map": (
        """
        import time
        def tick(x):
            time.sleep(0.001)
            return x + 1
        print(list(map(tick, [1, 2])))
        """,
        "`tick` is used as a value on line 5",
    ),
    "sorted key": (
        """
        import time
        def score(word):
            time.sleep(0.001)
            return len(word)
        print(sorted(["ccc", "a", "bb"], key=score))
        """,
        "`score` is used as a value on line 5",
    ),
    "dict of callbacks": (
        """
        import time
        def on_click():
            time.sleep(0.001)
            print("clicked")
        handlers = {"click": on_click}
        handlers["click"]()
        """,
        "`on_click` is used as a value on line 5",
    ),
    "widget-style callback": (
        """
        import time
        class Button:
            def __init__(self):
                self.callbacks = []
            def on_click(self, callback):
                self.callbacks.append(callback)
            def click(self):
                for callback in self.callbacks:
                    callback(self)
        def handler(button):
            time.sleep(0.001)
            print("handled")
        button = Button()
        button.on_click(handler)
        button.click()
        """,
        "`handler` is used as a value on line 14",
    ),
    "generator consumed by sync code": (
        """
        import time
        def countdown(n):
            while n:
                time.sleep(0.001)
                yield n
                n -= 1
        print(list(countdown(3)), sum(countdown(2)))
        """,
        "`countdown` is a generator",
    ),
    "generator expression": (
        """
        import time
        def weight(x):
            time.sleep(0.001)
            return x
        print(sum(weight(x) for x in range(4)))
        """,
        "`weight` is called from a generator expression on line 5",
    ),
    "__init__": (
        """
        import time
        class Sensor:
            def __init__(self):
                time.sleep(0.001)
                self.ready = True
        print(Sensor().ready)
        """,
        "`__init__` is a special method, which cannot be async",
    ),
    "dunder": (
        """
        import time
        class Slow:
            def __len__(self):
                time.sleep(0.001)
                return 3
        print(len(Slow()))
        """,
        "`__len__` is a special method, which cannot be async",
    ),
    "property": (
        """
        import time
        class Thermometer:
            @property
            def reading(self):
                time.sleep(0.001)
                return 21.5
        print(Thermometer().reading)
        """,
        "`reading` is decorated with @property",
    ),
    "class body": (
        """
        import time
        def configure():
            time.sleep(0.001)
            return {"debug": False}
        class Settings:
            values = configure()
        print(Settings.values)
        """,
        "`configure` is called from a class body on line 6",
    ),
    "unknown decorator": (
        """
        import functools, time
        @functools.lru_cache(maxsize=None)
        def fib(n):
            time.sleep(0.0001)
            return n if n < 2 else fib(n - 1) + fib(n - 2)
        print(fib(10))
        """,
        "`fib` is decorated with @functools.lru_cache(maxsize=None)",
    ),
    "decorator function": (
        """
        import time
        def slow_down(func):
            time.sleep(0.001)
            return func
        @slow_down
        def hello():
            return "hi"
        print(hello())
        """,
        "`slow_down` is used as a value on line 5",
    ),
    "method passed as a value": (
        """
        import time
        class Job:
            def run(self):
                time.sleep(0.001)
                return "ran"
        job = Job()
        actions = [job.run]
        print(actions[0]())
        """,
        "`run` is used as a value on line 7",
    ),
    "method through an unknown receiver": (
        """
        import time
        class Robot:
            def move(self):
                time.sleep(0.001)
                return "moved"
        fleet = [Robot(), Robot()]
        print(list(map(lambda robot: robot.move(), fleet)))
        """,
        "`move` may be called on line 7 through a name the codemod cannot follow",
    ),
    "class with a base we cannot see": (
        """
        import json, time
        class Encoder(json.JSONEncoder):
            def default(self, o):
                time.sleep(0.001)
                return sorted(o)
        print(json.dumps({"a": {3, 1}}, cls=Encoder))
        """,
        "`default` is a method of `Encoder`, which derives from `json.JSONEncoder` (that code may call it)",
    ),
    "called from a function that stays blocking": (
        """
        import time
        def inner():
            time.sleep(0.001)
            return 1
        def outer():
            return inner() + 1
        print(list(map(lambda _: outer(), [0])))
        """,
        "`inner` is called on line 6 from `outer`, which stays blocking",
    ),
    "ambiguous definition": (
        """
        import time
        fast = False
        if fast:
            def wait():
                pass
        else:
            def wait():
                time.sleep(0.001)
        wait()
        print("waited")
        """,
        "may be called on line 9 through a name the codemod cannot follow",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_impossible_await_keeps_working_with_a_note(name):
    source, reason = CASES[name]
    outcome = assert_same_behaviour(source)
    (result,) = outcome.results
    messages = kept_messages(result)
    assert any(reason in message for message in messages), messages
    # The blocking call stays where it was, and no function around it became async.
    assert [note.before for note in result.notes if note.kind == "kept-blocking"][0].startswith("time.sleep(")
    assert [note for note in result.notes if note.kind == "async-def"] == []
    assert "async def" not in result.code


def test_ambiguous_blocking_callee_is_left_alone_with_a_note():
    (result,) = rewrite(
        """
        import asyncio, time
        fast = True
        wait = time.sleep if fast else asyncio.sleep
        wait(0)
        """
    )
    assert not result.changed
    assert kept_messages(result) == ["could not tell whether `wait` is time.sleep, so it is left as is"]


def test_blocking_function_passed_as_a_value_gets_a_note():
    (result,) = rewrite("import time\nlist(map(time.sleep, [0, 0]))")
    assert not result.changed
    assert kept_messages(result) == ["time.sleep is passed on as a value, so it stays blocking"]


def test_default_values_and_decorator_arguments_are_awaited_at_module_level():
    outcome = assert_same_behaviour(
        """
        import time
        def slow_default():
            time.sleep(0.001)
            return 5
        def add(x, y=slow_default()):
            return x + y
        print(add(1))
        """
    )
    assert "def add(x, y=await slow_default()):" in outcome.results[0].code


def test_a_base_class_without_blocking_calls_is_still_analysed():
    outcome = assert_same_behaviour(
        """
        class Animal:
            def speak(self):
                return "..."
            def greet(self):
                return "I say " + self.speak()
        import time
        class Dog(Animal):
            def speak(self):
                time.sleep(0.001)
                return "woof"
        print(Dog().greet(), Animal().greet())
        """
    )
    code = outcome.results[0].code
    assert 'async def speak(self):\n        return "..."' in code
    assert 'return "I say " + await self.speak()' in code
    assert "print(await Dog().greet(), await Animal().greet())" in code


# ---- inside the user's own `async def` a blocking call blocks the event loop, as on desktop -----------------


def notes_of(result):
    return [(note.line, note.kind, note.message) for note in result.notes]


def test_time_sleep_in_a_users_async_def_holds_up_the_other_tasks():
    outcome = assert_same_behaviour(
        """
        import asyncio, time
        async def work(n):
            print("start", n)
            time.sleep(0.01)
            print("end", n)
        async def main():
            await asyncio.gather(work(1), work(2))
        asyncio.run(main())
        """
    )
    assert outcome.stdout == "start 1\nend 1\nstart 2\nend 2\n"
    (result,) = outcome.results
    assert "    time.sleep(0.01)\n" in result.code
    assert notes_of(result) == [
        (4, "kept-blocking", "time.sleep blocks the event loop inside `async def work`, as on desktop"),
        (8, "rewrite", "runs on the kernel's event loop"),
    ]


def test_a_plain_function_called_from_a_users_async_def_keeps_blocking():
    outcome = assert_same_behaviour(
        """
        import asyncio, time
        def helper(n):
            time.sleep(0.01)
            print("helper", n)
        async def work(n):
            print("start", n)
            helper(n)
            print("end", n)
        async def main():
            await asyncio.gather(work(1), work(2), asyncio.sleep(0))
        asyncio.run(main())
        helper(3)
        """
    )
    assert outcome.stdout == "start 1\nhelper 1\nend 1\nstart 2\nhelper 2\nend 2\nhelper 3\n"
    (result,) = outcome.results
    assert "async def helper" not in result.code and "await helper" not in result.code
    assert notes_of(result) == [
        (
            3,
            "kept-blocking",
            "time.sleep stays blocking because `helper` is called on line 7 from `async def work`, "
            "where it blocks the event loop as on desktop",
        ),
        (11, "rewrite", "runs on the kernel's event loop"),
    ]


def test_a_function_an_earlier_cell_made_async_blocks_inside_a_users_async_def():
    outcome = assert_same_behaviour(
        """
        import asyncio, time
        def helper(n):
            time.sleep(0.01)
            print("helper", n)
        helper(0)
        """,
        """
        async def work(n):
            print("start", n)
            helper(n)
            print("end", n)
        async def main():
            await asyncio.gather(work(1), work(2))
        asyncio.run(main())
        """,
        memory_too=False,  # the blocking twin is found through the live namespace, as in the kernel
    )
    assert outcome.stdout == "helper 0\nstart 1\nhelper 1\nend 1\nstart 2\nhelper 2\nend 2\n"
    first, second = outcome.results
    assert "async def helper" in first.code
    assert "    __sync__.blocking(helper)(n)\n" in second.code


def test_input_in_a_users_async_def_is_awaited_so_it_works_without_jspi():
    # A prompt in the user's own async def: awaited (a blocking one cannot be answered without
    # JSPI). With one task waiting, the output is desktop Python's.
    outcome = assert_same_behaviour(
        """
        import asyncio
        async def ask(n):
            print("asking", n)
            answer = input(f"{n}? ")
            print("got", answer)
        async def main():
            await ask(1)
            await ask(2)
        asyncio.run(main())
        """,
        answers=["a", "b"],
    )
    assert outcome.stdout == "asking 1\n1? got a\nasking 2\n2? got b\n"
    (result,) = outcome.results
    assert "answer = await __input__(" in result.code
    assert (4, "rewrite") in [(line, kind) for line, kind, _ in notes_of(result)]
