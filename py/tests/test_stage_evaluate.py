"""Evaluate: what each name and callee of a cell may hold, following module code in order."""

from __future__ import annotations

from stages import Analysis, analyse
from sync_kernel.codemod.reasons import Reason, StaysBlocking
from sync_kernel.codemod.values import (
    ONLY_UNBOUND,
    ONLY_UNKNOWN,
    UNBOUND,
    UNKNOWN,
    Instance,
    Method,
    Module,
    Target,
    Values,
)

SLEEP = Target("time.sleep")
ASYNC_SLEEP = Target("asyncio.sleep")


def final(source: str, name: str) -> Values:
    """What ``name`` holds at the end of the cell."""
    return analyse(source, every_statement=True).evaluator.final_env.get(name)


def callee(analysis: Analysis, line: int) -> Values:
    """What the callee of the (only) call on ``line`` may be, where that call runs."""
    (site,) = [s for s in analysis.collected.calls if s.node.lineno == line]
    evaluator = analysis.evaluator
    return evaluator.value(site.node.func, site.scope, evaluator.globals_for(site.scope, site.stmt))


def test_each_import_form_resolves_to_its_target() -> None:
    source = """
    import time
    import time as t
    from time import sleep as nap
    from asyncio import sleep
    import math
    """
    assert final(source, "time") == {Module("time")}
    assert final(source, "t") == {Module("time")}
    assert final(source, "nap") == {SLEEP}
    assert final(source, "sleep") == {ASYNC_SLEEP}
    assert final(source, "math") == ONLY_UNKNOWN


def test_aliases_follow_what_they_were_given() -> None:
    source = """
    import time
    wait = time.sleep
    pause = wait
    floor = time.floor
    """
    assert final(source, "pause") == {SLEEP}
    assert final(source, "floor") == ONLY_UNKNOWN


def test_rebinding_changes_only_later_lines() -> None:
    source = """
    import time
    before = time.sleep
    time = None
    after = time
    """
    assert final(source, "before") == {SLEEP}
    assert final(source, "time") == ONLY_UNKNOWN
    assert final(source, "after") == ONLY_UNKNOWN


def test_branches_join_and_a_missing_branch_may_leave_a_name_unbound() -> None:
    source = """
    import time, asyncio
    if fast:
        wait = asyncio.sleep
    else:
        wait = time.sleep
    if fast:
        maybe = time.sleep
    """
    assert final(source, "wait") == {SLEEP, ASYNC_SLEEP}
    assert final(source, "maybe") == {SLEEP, UNBOUND}


def test_del_unbinds_and_an_unknown_star_import_may_rebind_anything() -> None:
    assert final("import time\ndel time\n", "time") == ONLY_UNBOUND
    assert final("import time\nfrom nowhere import *\n", "time") == {Module("time"), UNKNOWN}


def test_a_loop_may_run_zero_or_more_times() -> None:
    source = """
    import time
    wait = None
    for _ in range(3):
        wait = time.sleep
    """
    assert final(source, "wait") == {UNKNOWN, SLEEP}


def test_a_function_sees_a_global_as_bound_from_its_def_to_the_end_of_the_cell() -> None:
    analysis = analyse(
        """
        wait = None
        def pause():
            wait(0)
        from time import sleep as wait
        """,
        every_statement=True,
    )
    assert callee(analysis, 3) == {UNKNOWN, SLEEP}


def test_a_local_name_holds_every_value_bound_to_it() -> None:
    analysis = analyse(
        """
        import time, asyncio
        def pause(fast):
            wait = time.sleep
            if fast:
                wait = asyncio.sleep
            wait(0)
        """
    )
    assert callee(analysis, 6) == {SLEEP, ASYNC_SLEEP}


def test_a_parameter_is_unknown_even_when_named_like_a_module() -> None:
    analysis = analyse("import time\ndef f(time):\n    time.sleep(0)\n")
    assert callee(analysis, 3) == ONLY_UNKNOWN


def test_instances_and_methods_of_a_user_class() -> None:
    analysis = analyse(
        """
        import time
        class Clock:
            def tick(self):
                time.sleep(0)
        clock = Clock()
        clock.tick()
        Clock.tick(clock)
        """
    )
    (cls,) = analysis.collected.classes
    # `Clock()` is exactly a Clock: a subclass's override of `tick` cannot be what `clock.tick` calls.
    assert analysis.evaluator.final_env.get("clock") == {Instance(cls, exact=True)}
    assert callee(analysis, 6) == {Method(cls, "tick", bound=True, exact=True)}
    assert callee(analysis, 7) == {Method(cls, "tick", bound=False)}


def test_an_unknown_decorator_makes_the_function_unknown_and_keeps_it_sync() -> None:
    analysis = analyse(
        """
        import time
        @memoize
        def work():
            time.sleep(0)
        """
    )
    (work,) = analysis.collected.functions
    assert analysis.evaluator.final_env.get("work") == ONLY_UNKNOWN
    assert work.stays_sync == Reason.of(StaysBlocking.DECORATED, decorator="memoize")


def test_names_from_before_the_cell_come_from_initial() -> None:
    def initial(name: str) -> Values:
        return frozenset({SLEEP}) if name == "wait" else ONLY_UNBOUND

    analysis = analyse("pause = wait\nnap = other\n", initial, every_statement=True)
    assert analysis.evaluator.final_env.get("pause") == {SLEEP}
    assert analysis.evaluator.final_env.get("nap") == ONLY_UNBOUND


def test_a_loop_is_followed_until_its_names_settle() -> None:
    # Each pass moves time.time one name further: c is reached on the third pass.
    source = """
    import time
    a = time.time
    b = c = time.sleep
    for _ in range(9):
        c = b
        b = a
    """
    assert final(source, "c") == {SLEEP, UNKNOWN}


def test_a_loop_that_does_not_settle_within_the_pass_cap_widens_to_unknown() -> None:
    # Each pass moves time.time (unknown to the codemod) one name further down the chain:
    # f is reached on pass 5, so after the loop f may be time.time, not only time.sleep.
    source = """
    import time
    a = time.time
    b = c = d = e = f = time.sleep
    for _ in range(9):
        f = e
        e = d
        d = c
        c = b
        b = a
    """
    assert final(source, "f") == {SLEEP, UNKNOWN}
