"""Plan: which calls are rewritten, which functions become async, and why the others stay blocking."""

from __future__ import annotations

import ast

from stages import INPUT_HOOK, analyse, plan_of
from sync_kernel.codemod.plan import Plan
from sync_kernel.codemod.reasons import Reason, StaysBlocking


def plan(source: str, input_hook: str | None = INPUT_HOOK) -> Plan:
    return plan_of(analyse(source), input_hook)


def converted(p: Plan) -> list[str]:
    return [ref.name for ref in p.converted]


def rewrites(p: Plan) -> list[tuple[str, int]]:
    return [(item.target, item.site.node.lineno) for item in p.rewrites]


def awaits(p: Plan) -> list[tuple[str, int]]:
    return [(ast.unparse(site.node), site.node.lineno) for site in p.awaits]


def kept(p: Plan) -> list[tuple[int, str]]:
    return [(getattr(k.node, "lineno", 0), k.message) for k in p.kept]


def test_module_level_blocking_calls_are_rewritten_without_converting_anything() -> None:
    p = plan("import time, asyncio\ntime.sleep(1)\nasyncio.run(main())\n")
    assert rewrites(p) == [("time.sleep", 2), ("asyncio.run", 3)]
    assert ast.unparse(p.rewrites[1].main) == "main()"  # type: ignore[arg-type]
    assert converted(p) == [] and p.kept == []


def test_a_function_called_only_where_it_can_be_awaited_becomes_async() -> None:
    p = plan(
        """
        import time
        def work():
            time.sleep(1)
        def outer():
            work()
        outer()
        """
    )
    assert converted(p) == ["work", "outer"]
    assert rewrites(p) == [("time.sleep", 3)]
    assert awaits(p) == [("work()", 5), ("outer()", 6)]
    assert p.kept == []


def test_a_function_used_as_a_value_stays_blocking_and_says_why() -> None:
    p = plan(
        """
        import time
        def tick():
            time.sleep(1)
        tick()
        callbacks = [tick]
        """
    )
    assert converted(p) == [] and p.rewrites == [] and p.awaits == []
    assert kept(p) == [(3, "time.sleep stays blocking because `tick` is used as a value on line 5")]


def test_a_call_from_code_that_cannot_await_keeps_the_function_blocking() -> None:
    p = plan(
        """
        import time
        def tick(x):
            time.sleep(1)
            return x
        doubled = list(map(lambda x: tick(x), [1]))
        """
    )
    assert converted(p) == []
    assert kept(p) == [(3, "time.sleep stays blocking because `tick` is called from a lambda on line 5")]


def test_a_caller_that_stays_blocking_keeps_its_callee_blocking() -> None:
    p = plan(
        """
        import time
        def work():
            time.sleep(1)
        def outer():
            work()
        handlers = [outer]
        """
    )
    assert converted(p) == []
    assert kept(p) == [
        (3, "time.sleep stays blocking because `work` is called on line 5 from `outer`, which stays blocking")
    ]


def test_functions_that_can_never_be_async_stay_blocking() -> None:
    p = plan(
        """
        import time
        @memoize
        def cached():
            time.sleep(1)
        class Clock:
            def __init__(self):
                time.sleep(1)
        """
    )
    assert converted(p) == []
    assert kept(p) == [
        (4, "time.sleep stays blocking because `cached` is decorated with @memoize"),
        (7, "time.sleep stays blocking because `__init__` is a special method, which cannot be async"),
    ]


def test_why_each_function_stays_blocking_is_a_fact_of_the_plan() -> None:
    p = plan(
        """
        import time
        @memoize
        def cached():
            time.sleep(1)
        def tick():
            time.sleep(1)
        def outer():
            tick()
        handlers = [outer]
        def idle():
            pass
        """
    )
    facts = {ref.name: reason for ref, reason in p.stays_blocking.items()}
    assert {name: reason.why for name, reason in facts.items()} == {
        "cached": StaysBlocking.DECORATED,
        "outer": StaysBlocking.USED_AS_VALUE,
        "tick": StaysBlocking.CALLED_FROM_BLOCKING,
    }
    assert facts["tick"] == Reason.of(StaysBlocking.CALLED_FROM_BLOCKING, where="line 8", caller="outer")
    assert str(facts["outer"]) == "is used as a value on line 9"


def test_a_reason_names_exactly_the_fields_its_sentence_needs() -> None:
    assert str(Reason.of(StaysBlocking.WRAPS_ASYNC, wrapped="fetch")).endswith(
        "`async def fetch` (it returns what that gives)"
    )
    for why in StaysBlocking:
        if why.fields:
            try:
                Reason.of(why)
            except TypeError as error:
                assert why.name in str(error)
            else:
                raise AssertionError(f"{why.name} was made without its fields")


def test_overriding_methods_are_decided_together() -> None:
    source = """
    import time
    class Base:
        def run(self):
            pass
    class Slow(Base):
        def run(self):
            time.sleep(1)
    Slow().run()
    {extra}
    """
    assert [ref.qualname for ref in plan(source.format(extra="")).converted] == ["Base.run", "Slow.run"]
    p = plan(source.format(extra="handlers = [Base.run]"))
    assert converted(p) == []
    assert kept(p) == [(7, "time.sleep stays blocking because `run` is used as a value on line 9")]


def test_an_ambiguous_callee_is_left_alone_with_a_note() -> None:
    p = plan("import time\nwait = time.sleep if fast else print\nwait(1)\n")
    assert p.rewrites == []
    assert kept(p) == [(3, "could not tell whether `wait` is time.sleep, so it is left as is")]


def test_input_is_rewritten_only_with_an_input_hook() -> None:
    source = "name = input('name? ')\n"
    assert rewrites(plan(source)) == [("input", 1)]
    assert rewrites(plan(source, input_hook=None)) == []


def test_loop_set_up_calls_are_made_harmless() -> None:
    p = plan("import asyncio\nloop = asyncio.new_event_loop()\nasyncio.set_event_loop(loop)\nloop.close()\n")
    assert [(n.target, n.kind) for n in p.neutral] == [
        ("asyncio.new_event_loop", "get_event_loop"),
        ("asyncio.set_event_loop", "noop"),
        ("loop.close", "noop"),
    ]


def test_a_generator_becomes_async_when_every_call_is_iterated_by_a_for_loop() -> None:
    looped = plan("import time\ndef ticks():\n    time.sleep(1)\n    yield 1\nfor t in ticks():\n    pass\n")
    assert converted(looped) == ["ticks"]
    assert [site.node.lineno for site in looped.async_fors] == [5]
    listed = plan("import time\ndef ticks():\n    time.sleep(1)\n    yield 1\nvalues = list(ticks())\n")
    assert converted(listed) == []
    assert kept(listed) == [
        (
            3,
            "time.sleep stays blocking because `ticks` is a generator called on line 5 outside a `for` loop, "
            "so it cannot become async",
        )
    ]
