"""Collect: one walk over the kept statements records bindings per scope, call sites and value uses."""

from __future__ import annotations

import ast

from stages import analyse
from sync_kernel.codemod.collect import Collected


def collect(source: str) -> Collected:
    return analyse(source, every_statement=True).collected


def binds(collected: Collected) -> list[tuple[str, str, str]]:
    """``(name, kind, kind of the scope it is bound in)`` for every binding, in walk order."""
    return [(bind.name, bind.kind, bind.scope.kind) for bind in collected.binds]


def calls(collected: Collected) -> list[tuple[str, int, int, str, str]]:
    """``(callee, line, column, host kind, scope kind)`` for every call site."""
    return [
        (ast.unparse(site.node.func), site.node.lineno, site.node.col_offset, site.host.kind, site.scope.kind)
        for site in collected.calls
    ]


def test_bindings_are_recorded_in_the_scope_that_holds_them() -> None:
    collected = collect(
        """
        import time
        def f(x, *rest):
            y = time
            return y
        z = f
        """
    )
    assert binds(collected) == [
        ("time", "import", "module"),
        ("f", "def", "module"),
        ("x", "param", "function"),
        ("rest", "param", "function"),
        ("y", "value", "function"),
        ("z", "value", "module"),
    ]


def test_each_import_form_records_its_module_and_attribute() -> None:
    collected = collect(
        """
        import time
        import time as t
        import os.path
        from time import sleep as nap
        """
    )
    assert [(b.name, b.module, b.attr) for b in collected.binds] == [
        ("time", "time", None),
        ("t", "time", None),
        ("os", "os", None),
        ("nap", "time", "sleep"),
    ]


def test_global_and_walrus_bind_outside_their_own_scope() -> None:
    collected = collect(
        """
        def setup():
            global clock
            clock = 1
        values = [(last := n) for n in range(3)]
        """
    )
    assert binds(collected) == [
        ("setup", "def", "module"),
        ("clock", "value", "module"),
        ("last", "value", "module"),
        ("values", "value", "module"),
    ]


def test_unknown_values_unbinding_and_loop_targets() -> None:
    collected = collect(
        """
        a, b = pair
        for item in items:
            del item
        count += 1
        """
    )
    assert binds(collected) == [
        ("a", "unknown", "module"),
        ("b", "unknown", "module"),
        ("item", "unknown", "module"),
        ("item", "unbind", "module"),
        ("count", "unknown", "module"),
    ]


def test_module_bindings_are_grouped_by_the_statement_that_applies_them() -> None:
    collected = collect("import time, asyncio\nwait = time.sleep\n")
    grouped = [[b.name for b in group] for group in collected.binds_at.values()]
    assert grouped == [["time", "asyncio"], ["wait"]]


def test_call_sites_have_their_positions_scope_and_host() -> None:
    collected = collect(
        """
        import time
        time.sleep(1)
        def f():
            return [time.sleep(2)]
        pause = lambda: time.sleep(3)
        class C:
            late = time.sleep(4)
        lazy = (time.sleep(n) for n in range(5))
        """
    )
    assert calls(collected) == [
        ("time.sleep", 2, 0, "module", "module"),
        ("time.sleep", 4, 12, "function", "function"),
        ("time.sleep", 5, 16, "lambda", "lambda"),
        ("time.sleep", 7, 11, "class", "class"),
        ("range", 8, 31, "module", "module"),
        ("time.sleep", 8, 8, "genexpr", "comprehension"),
    ]


def test_call_sites_know_how_they_are_used() -> None:
    collected = collect(
        """
        async def main():
            await ready()
        make().attribute
        for row in rows():
            pass
        plain()
        """
    )
    flags = {ast.unparse(s.node.func): (s.awaited, s.wrap, s.loop is not None) for s in collected.calls}
    assert flags == {
        "ready": (True, False, False),
        "make": (False, True, False),
        "rows": (False, False, True),
        "plain": (False, False, False),
    }


def test_loads_are_value_uses_and_aliases_but_not_callees() -> None:
    collected = collect(
        """
        wait = time.sleep
        print(time.sleep)
        time.sleep(1)
        """
    )
    loads = [(ast.unparse(load.node), load.node.lineno, load.alias) for load in collected.loads]
    assert loads == [("time.sleep", 1, True), ("time.sleep", 2, False)]


def test_generators_and_those_an_async_generator_cannot_replace() -> None:
    collected = collect(
        """
        def ticks():
            yield 1
        def delegate():
            yield from ticks()
        def counted():
            yield 1
            return 2
        def plain():
            return 3
        """
    )
    assert sorted(ref.name for ref in collected.generators) == ["counted", "delegate", "ticks"]
    assert sorted(ref.name for ref in collected.plain_generators) == ["counted", "delegate", "plain"]


def test_functions_and_classes_get_records_with_qualified_names() -> None:
    collected = collect(
        """
        class Clock:
            def tick(self):
                def inner():
                    pass
        async def main():
            pass
        """
    )
    assert [(f.qualname, f.lineno, f.binding, f.user_async) for f in collected.functions] == [
        ("Clock.tick", 2, "method", False),
        ("Clock.tick.<locals>.inner", 3, "function", False),
        ("main", 5, "function", True),
    ]
    (clock,) = collected.classes
    assert list(clock.methods) == ["tick"]
