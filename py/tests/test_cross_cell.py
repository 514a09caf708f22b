"""Across cells: what earlier cells bound and converted is remembered; the live namespace settles the rest."""

import sync_kernel
from harness import INPUT_HOOK, assert_same_behaviour, cells_of, rewrite, run_original, run_rewritten


def codes(outcome):
    return [result.code for result in outcome.results]


def test_function_converted_in_one_cell_is_awaited_in_the_next():
    outcome = assert_same_behaviour(
        """
        import time
        def work(n):
            time.sleep(0.001)
            return n * 2
        """,
        """
        print(work(21))
        results = [work(i) for i in range(3)]
        """,
    )
    assert codes(outcome)[1] == "print(await work(21))\nresults = [await work(i) for i in range(3)]\n"


def test_calls_in_a_later_cells_function_are_chained():
    outcome = assert_same_behaviour(
        """
        import time
        def step():
            time.sleep(0.001)
            return 1
        """,
        """
        def steps(n):
            return sum([step() for _ in range(n)])
        print(steps(3))
        """,
    )
    assert "async def steps" in codes(outcome)[1]


def test_methods_of_a_class_from_an_earlier_cell():
    outcome = assert_same_behaviour(
        """
        import time
        class Robot:
            def move(self, n):
                time.sleep(0.001)
                return n
        robot = Robot()
        """,
        """
        print(robot.move(1), Robot.move(robot, 2), Robot().move(3))
        """,
    )
    assert codes(outcome)[1] == "print(await robot.move(1), await Robot.move(robot, 2), await Robot().move(3))\n"


def test_subclass_in_a_later_cell_overrides_an_async_method():
    assert_same_behaviour(
        """
        import time
        class Base:
            def step(self):
                time.sleep(0.001)
                return "base"
            def run(self):
                return self.step()
        """,
        """
        class Fast(Base):
            def step(self):
                return "fast"
        print(Fast().run(), Base().run())
        """,
    )


def test_redefinition_in_a_later_cell_wins():
    outcome = assert_same_behaviour(
        """
        import time
        def wait():
            time.sleep(0.001)
            return "slow"
        print(wait())
        """,
        """
        def wait():
            return "fast"
        """,
        """
        print(wait())
        """,
    )
    assert codes(outcome)[2] == "print(wait())\n"


def test_rebinding_and_del_in_later_cells_win():
    outcome = assert_same_behaviour(
        """
        from time import sleep as nap
        nap(0.001)
        """,
        """
        nap = print
        """,
        """
        nap("printed, not slept")
        del nap
        """,
        """
        try:
            nap(1)
        except NameError as error:
            print("gone:", error)
        """,
    )
    assert codes(outcome)[2] == 'nap("printed, not slept")\ndel nap\n'


def test_the_namespace_settles_what_an_earlier_cell_left_ambiguous():
    cells = cells_of(
        """
        import asyncio, time
        fast = False
        wait = asyncio.sleep if fast else time.sleep
        """,
        """
        wait(0.001)
        print("waited")
        """,
    )
    expected = run_original(cells)
    actual = run_rewritten(cells)
    assert actual.behaviour() == expected.behaviour()
    assert codes(actual)[1] == 'await __sync__.sleep(0.001)\nprint("waited")\n'
    # Without the namespace the session cannot know, and leaves the call alone.
    from_memory = run_rewritten(cells, use_namespace=False)
    assert codes(from_memory)[1] == cells[1]
    assert from_memory.behaviour() == expected.behaviour()


def test_an_async_function_used_as_a_value_in_a_later_cell_gets_its_blocking_twin():
    cells = cells_of(
        """
        import time
        def tick(x):
            time.sleep(0.001)
            print("tick", x)
            return x * 10
        print(tick(0))
        """,
        """
        print(list(map(tick, [1, 2])))
        print(sorted([3, 1, 2], key=lambda v: -tick(v)))
        handlers = {"go": tick}
        print(handlers["go"](4))
        """,
    )
    expected = run_original(cells)
    actual = run_rewritten(cells)
    assert actual.behaviour() == expected.behaviour()
    code = codes(actual)[1]
    assert "map(__sync__.blocking(tick), [1, 2])" in code
    assert "lambda v: -__sync__.blocking(tick)(v)" in code
    notes = [note for note in actual.results[1].notes if note.kind == "kept-blocking"]
    assert len(notes) == 3


def test_blocking_twins_chain_to_other_twins_and_keep_super():
    cells = cells_of(
        """
        import time
        def inner(x):
            time.sleep(0.001)
            return x + 1
        def outer(x):
            return inner(x) * 2
        class Base:
            def value(self):
                return 1
        class Child(Base):
            def value(self):
                time.sleep(0.001)
                return super().value() + outer(0)
        print(outer(1), Child().value())
        """,
        """
        print(list(map(outer, [1, 2])))
        child = Child()
        print(list(map(lambda _: child.value(), [0])))
        """,
    )
    expected = run_original(cells)
    actual = run_rewritten(cells)
    assert actual.behaviour() == expected.behaviour()


def test_calls_through_unknown_receivers_are_settled_at_run_time():
    cells = cells_of(
        """
        import time
        class Robot:
            def move(self, name):
                time.sleep(0.001)
                return name + " moved"
        robot = Robot()
        print(robot.move("solo"))
        """,
        """
        class Car:
            def move(self, name):
                return name + " drove"
        fleet = [Robot(), Car()]
        print([vehicle.move(str(i)) for i, vehicle in enumerate(fleet)])
        """,
    )
    expected = run_original(cells)
    actual = run_rewritten(cells)
    assert actual.behaviour() == expected.behaviour()
    assert "await __sync__.settle(vehicle.move(str(i)))" in codes(actual)[1]


def test_memory_alone_follows_aliases_across_cells():
    results = rewrite(
        """
        import time as clock
        """,
        """
        pause = clock.sleep
        """,
        """
        def nap():
            pause(1)
        nap()
        """,
    )
    # `pause` is an alias a later cell may rebind: the function follows it at run time.
    assert results[2].code == "async def nap():\n    await __sync__.call(pause, 1)\nawait nap()\n"


def test_a_function_follows_a_sleep_alias_that_a_later_cell_rebinds():
    # Desktop: `fetch` calls whatever `wait` is when it runs. Before, the rewrite baked the sleep in.
    outcome = assert_same_behaviour(
        """
        import time
        wait = time.sleep
        def fetch(k):
            p = wait
            p(0.001)
            return k + 4
        def nap():
            wait(0.001)
        print(fetch(1))
        """,
        """
        def quiet(seconds):
            print("quiet", seconds)
        flag = True
        wait = quiet if flag else wait
        print("result", sum([fetch(i) for i in range(2)]))
        nap()
        """,
        """
        for i in range(2):
            wait = quiet if i else time.sleep
        nap()
        wait = time.sleep
        nap()
        """,
    )
    assert "await __sync__.call(p, 0.001)" in outcome.results[0].code
    assert "await __sync__.call(wait, 0.001)" in outcome.results[0].code
    assert outcome.stdout.count("quiet 0.001") == 4


def test_an_alias_of_input_or_asyncio_run_is_followed_at_run_time():
    outcome = assert_same_behaviour(
        """
        import asyncio
        ask = input
        go = asyncio.run
        def greet():
            print("hello", ask("name? "))
        async def main():
            await asyncio.sleep(0)
            return "ran"
        def start():
            print(go(main()))
        greet()
        start()
        """,
        """
        ask = lambda prompt: "nobody"
        go = lambda coroutine: coroutine.close() or "closed"
        greet()
        start()
        """,
        answers=["ada"],
    )
    assert 'await __sync__.call(ask, "name? ")' in outcome.results[0].code
    assert "hello ada" in outcome.stdout and "hello nobody" in outcome.stdout
    assert "ran" in outcome.stdout and "closed" in outcome.stdout


def test_names_bound_by_import_and_module_level_calls_keep_the_direct_rewrite():
    (result,) = rewrite(
        """
        import time
        from time import sleep as snooze
        wait = time.sleep
        def nap():
            snooze(1)
            time.sleep(1)
        wait(1)
        """
    )
    assert result.code.count("await __sync__.sleep(1)") == 3


def test_preview_does_not_change_what_the_session_remembers():
    session = sync_kernel.Session(input_hook=INPUT_HOOK)
    namespace: dict = {}
    exec(session.transform("import time", namespace).code, namespace)
    preview = session.transform("def work():\n    time.sleep(0)\n", namespace, remember=False)
    assert "async def work" in preview.code
    later = session.transform("work()\n", namespace)
    assert later.code == "work()\n"


def test_calls_through_unknown_receivers_in_the_same_cell_are_settled_at_run_time():
    cells = cells_of(
        """
        import time
        class Robot:
            def move(self, name):
                time.sleep(0.001)
                return name + " moved"
        class Car:
            def move(self, name):
                return name + " drove"
        fleet = [Robot(), Car(), Robot()]
        for i, vehicle in enumerate(fleet):
            print(vehicle.move(str(i)))
        """,
        """
        print([vehicle.move("again") for vehicle in fleet])
        """,
    )
    expected = run_original(cells)
    actual = run_rewritten(cells)
    assert actual.behaviour() == expected.behaviour()
    first = codes(actual)[0]
    assert "    async def move(self, name):\n        await __sync__.sleep(0.001)" in first
    assert "    print(await __sync__.settle(vehicle.move(str(i))))" in first
    assert '    def move(self, name):\n        return name + " drove"' in first  # Car.move needs no change
    # Without the live namespace nothing can be recognised at run time: `move` stays blocking.
    (from_memory, _) = [r.code for r in run_rewritten(cells, use_namespace=False).results]
    assert "await __sync__.settle" not in from_memory and "async def move" not in from_memory


def test_subclass_of_a_plain_class_from_an_earlier_cell():
    cells = cells_of(
        """
        class Animal:
            def speak(self):
                return "..."
            def describe(self):
                return "an animal"
        """,
        """
        import time
        class Dog(Animal):
            def speak(self):
                time.sleep(0.001)
                return "woof"
        print(Dog().speak(), Dog().describe(), Animal().speak())
        """,
    )
    expected = run_original(cells)
    actual = run_rewritten(cells)
    assert actual.behaviour() == expected.behaviour()
    assert "    async def speak(self):" in codes(actual)[1]
    assert "print(await Dog().speak(), Dog().describe(), Animal().speak())" in codes(actual)[1]


def test_a_plain_base_class_that_calls_the_method_keeps_it_blocking():
    cells = cells_of(
        """
        class Animal:
            def speak(self):
                return "..."
            def greet(self):
                return "I say " + self.speak()
        """,
        """
        import time
        class Dog(Animal):
            def speak(self):
                time.sleep(0.001)
                return "woof"
        print(Dog().greet())
        """,
    )
    expected = run_original(cells)
    actual = run_rewritten(cells)
    assert actual.behaviour() == expected.behaviour()
    (note,) = [n for n in actual.results[1].notes if n.kind == "kept-blocking"]
    assert (
        note.message
        == "time.sleep stays blocking because `speak` is a method of `Dog`, whose base `Animal` may call it"
    )


def test_a_decorated_method_converted_in_an_earlier_cell_gets_its_blocking_twin():
    # The code of a decorated function starts at its decorator's line: it must still be matched
    # with what the codemod remembers, or its twin would be the async function itself.
    assert_same_behaviour(
        """
        import time
        class Robot:
            v = 2
            def m(self, k):
                return k + self.v
            @classmethod
            def make(cls, k):
                time.sleep(0)
                return cls().m(k)
        """,
        """
        print("result", sum(Robot.make(i) for i in range(3)))
        """,
    )


def test_a_function_an_earlier_cell_calls_before_it_exists_stays_blocking():
    # `report` and `total` were compiled calling `fetch` without `await`: when a later cell
    # defines `fetch` with a sleep, making it async would hand them a coroutine.
    outcome = assert_same_behaviour(
        """
        import time
        def report(k):
            print("report", fetch(k))
        def total(ks):
            return sum(map(fetch, ks))
        """,
        """
        def fetch(k):
            time.sleep(0.001)
            return k * 2
        report(3)
        print("total", total([1, 2]))
        """,
    )
    assert "async def fetch" not in outcome.results[1].code
    assert any("an earlier cell defined" in note.message for note in outcome.results[1].notes)


def test_a_function_earlier_code_awaits_stays_async_when_a_later_cell_redefines_it_without_a_wait():
    # The common edit-and-rerun: `pause` loses its sleep, `run` (compiled awaiting it) is not re-run.
    outcome = assert_same_behaviour(
        """
        import time
        def pause(seconds):
            time.sleep(seconds)
        def run(steps):
            for step in range(steps):
                pause(0.001)
                print("step", step)
        """,
        """
        def pause(seconds):
            print("no pause", seconds)
        """,
        """
        run(2)
        print(sorted([2, 1], key=lambda k: pause(k) or k))
        """,
    )
    assert outcome.results[1].code.startswith("async def pause(seconds):")
    (note,) = outcome.results[1].notes
    assert note.message == "`pause` is async because `run`, which an earlier cell defined, awaits it"
    assert outcome.stdout.count("no pause 0.001") == 2


def test_a_redefinition_earlier_code_awaits_stays_async_when_its_own_cell_cannot_await_it():
    # The new `helper` is called from a lambda in its own cell: before, that kept it blocking, and
    # `Robot.m` (compiled awaiting it) then awaited an int. Now the lambda gets the blocking twin.
    for new_helper in ("return k + 13", "p = time.sleep\n                p(0)\n                return k + 13"):
        outcome = assert_same_behaviour(
            """
            import time
            def helper(k):
                time.sleep(0)
                return k
            class Robot:
                def m(self, k):
                    return helper(k) + 1
            """,
            f"""
            def helper(k):
                {new_helper}
            print("lambda", (lambda v: helper(v))(1))
            print("method", Robot().m(0))
            print("listed", sum(helper(i) for i in range(3)))
            """,
        )
        assert outcome.results[1].code.startswith("async def helper(k):")
        assert "__sync__.blocking(helper)(v)" in outcome.results[1].code
        assert "method 14" in outcome.stdout


def test_methods_of_a_class_an_earlier_cells_code_uses_before_it_exists_stay_blocking():
    # `ping` was compiled calling `Robot().run(k)` without `await`: a later `Robot` whose methods
    # sleep must keep them blocking, or `ping` would get a coroutine.
    outcome = assert_same_behaviour(
        """
        import asyncio, time
        async def ping(k):
            return Robot().run(k) + 1
        """,
        """
        class Robot:
            def step(self, k):
                time.sleep(0.001)
                return k + 1
            def run(self, k):
                return self.step(k) * 2
        print("ran", asyncio.run(ping(1)))
        """,
    )
    assert "async def" not in outcome.results[1].code
    assert any("which `ping` (defined by an earlier cell) uses" in note.message for note in outcome.results[1].notes)
    assert outcome.stdout == "ran 5\n"


def test_a_lambda_of_an_earlier_cell_keeps_what_it_calls_blocking():
    outcome = assert_same_behaviour(
        """
        twice = lambda v: fetch(v) * 2
        """,
        """
        import time
        def fetch(k):
            time.sleep(0.001)
            return k + 1
        print(twice(2), sorted([3, 1], key=fetch))
        """,
    )
    assert "async def fetch" not in outcome.results[1].code
    assert any("by `<lambda>`, which an earlier cell defined" in note.message for note in outcome.results[1].notes)


def test_a_generator_defined_again_under_a_name_earlier_code_awaits_stays_a_generator():
    # Its own cell loops over it (`max`, `list` in a lambda): forcing it async would break those.
    outcome = assert_same_behaviour(
        """
        import time
        def fetch(k):
            if k <= 0:
                return 0
            time.sleep(0)
            return fetch(k - 1) + 1
        """,
        """
        def fetch(k):
            for i in range(k % 3 + 1):
                yield i + k
        print("result", max(fetch(2)), (lambda v: len(list(fetch(v))))(2))
        """,
    )
    assert outcome.results[1].code.startswith("def fetch(k):")


def test_an_async_generator_of_an_earlier_cell_reached_through_an_ambiguous_call_gets_its_twin():
    # `step` is the earlier async generator or this cell's plain function: `settle` cannot tell an
    # async generator apart from a value, so the call gets the blocking twin (the plain `step`
    # passes through it unchanged).
    outcome = assert_same_behaviour(
        """
        import time
        def step(k):
            for i in range(2):
                time.sleep(0)
                yield i + k
        """,
        """
        class Robot:
            def m(self, k):
                time.sleep(0)
                return max(step(k))
        print("first", Robot().m(1))
        def step(k):
            return [k + 9]
        print("then", Robot().m(1))
        """,
        memory_too=False,
    )
    assert "max(__sync__.blocking(step)(k))" in outcome.results[1].code


def test_methods_of_a_class_whose_instance_earlier_code_uses_stay_blocking():
    outcome = assert_same_behaviour(
        """
        import time
        import asyncio
        async def ping(k):
            return k + obj.m(k)
        """,
        """
        class Robot:
            def m(self, k):
                time.sleep(0)
                return k + 1
        obj = Robot()
        print("ran", asyncio.run(ping(1)))
        """,
    )
    (note,) = [n for n in outcome.results[1].notes if n.kind == "kept-blocking"]
    assert "whose instance `obj` is used by `ping`, which an earlier cell defined" in note.message


def test_an_instance_of_a_class_its_cell_defined_again_keeps_its_async_methods():
    outcome = assert_same_behaviour(
        """
        import time
        class Sensor:
            def m(self, k):
                time.sleep(0)
                return k
        obj = Sensor()
        class Sensor:
            def m(self, k):
                return k + 1
        """,
        """
        for i in range(2):
            print("loop", obj.m(i), Sensor().m(i))
        """,
        memory_too=False,
    )
    assert 'print("loop", await obj.m(i), Sensor().m(i))' in outcome.results[1].code


def test_a_decorated_redefinition_under_a_name_earlier_code_awaits_makes_its_wrapper_async():
    outcome = assert_same_behaviour(
        """
        import time
        def helper(k):
            time.sleep(0)
            return k
        def step(k):
            for i in range(2):
                yield i + helper(k)
        """,
        """
        def logged(f):
            def inner(k):
                return f(k)
            return inner
        @logged
        def helper(k):
            return k + 9
        for item in step(1):
            print("item", item)
        """,
    )
    assert "    async def inner(k):" in outcome.results[1].code
    assert "item 10\nitem 11" in outcome.stdout


def test_a_method_earlier_code_awaits_through_its_class_stays_async_in_a_new_class():
    outcome = assert_same_behaviour(
        """
        import time
        class Sensor:
            @classmethod
            def make(cls, k):
                time.sleep(0)
                return k
        def fetch(k):
            return Sensor.make(k) + 1
        """,
        """
        class Sensor:
            @classmethod
            def make(cls, k):
                return k * 10
        print(fetch(2))
        """,
    )
    assert "    async def make(cls, k):" in outcome.results[1].code
    assert "21" in outcome.stdout


def test_a_method_earlier_code_awaits_through_a_global_instance_stays_async_in_a_new_class():
    outcome = assert_same_behaviour(
        """
        import time
        class Sensor:
            def m(self, k):
                time.sleep(0)
                return k
        obj = Sensor()
        def fetch(k):
            return obj.m(k) + 1
        """,
        """
        class Sensor:
            v = 2
            def m(self, k):
                return k + self.v
        obj = Sensor()
        print("result", fetch(1))
        """,
    )
    assert "    async def m(self, k):" in outcome.results[1].code
    assert "result 4" in outcome.stdout


def test_a_name_one_function_awaits_and_another_calls_plainly_keeps_a_later_definition_blocking():
    # `helper` settles its call of `fetch`, `work` calls it plainly: a later `fetch` that sleeps
    # must stay blocking, or `work` would get a coroutine.
    outcome = assert_same_behaviour(
        """
        import time
        def fetch(k):
            time.sleep(0)
        """,
        """
        def helper(k):
            return k + fetch(k)
        def fetch(k):
            return k + 6
        def work(k):
            return k + fetch(k) + 8
        """,
        """
        def fetch(k):
            time.sleep(0)
            return k
        print("then", work(1))
        """,
        memory_too=False,
    )
    assert "time.sleep(0)" in outcome.results[2].code
    assert "then 10" in outcome.stdout


def test_blocking_twins_work_without_the_namespace_for_async_generators_and_redefined_names():
    # From memory alone (`python -m sync_kernel transform`, then run): the twin is found by the
    # function's name and first line when no namespace lookup matched it.
    outcome = assert_same_behaviour(
        """
        import time
        def helper(k):
            for i in range(2):
                time.sleep(0)
                yield i + k
        def fetch(k):
            time.sleep(0)
            return k + 5
        """,
        """
        g = lambda v: max(helper(v)) + 1
        f = lambda v: fetch(v) + 1
        print(g(2), f(1))
        def fetch(k):
            return k + 8
        print(f(1))
        """,
    )
    assert "max(__sync__.blocking(helper)(v))" in outcome.results[1].code
    assert "4 7\n10" in outcome.stdout


def test_a_method_earlier_code_awaits_on_a_new_instance_stays_async_in_a_new_class():
    outcome = assert_same_behaviour(
        """
        import time
        class Robot:
            def run(self, k):
                time.sleep(0)
                return k
        class Sensor:
            def m(self, k):
                return sum([Robot().run(i) for i in range(k)])
        """,
        """
        class Robot:
            def run(self, k):
                return k * 10
        print("sum", Sensor().m(3))
        """,
    )
    assert "    async def run(self, k):" in outcome.results[1].code
    assert "sum 30" in outcome.stdout
