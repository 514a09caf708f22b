"""Methods reached through ``getattr``: a command dispatch (``getattr(player, action)()``) prints what it prints on desktop.

``getattr(x, "name")`` is read as ``x.name``; ``getattr(x, name)`` with a computed name may be any
method of the notebook's classes, so its call is settled at run time (awaited only if it returned a
coroutine of a converted method) or those methods stay blocking. Each test runs the cells as written
on CPython and rewritten, and compares.
"""

import textwrap

import sync_kernel
from harness import assert_same_behaviour

PLAYER = """
import time
class Player:
    def north(self):
        print("walking north")
        time.sleep(0.001)
        return "N"
    def rest(self):
        print("resting")
        time.sleep(0.001)
        return "R"
p = Player()
"""


def test_a_dispatch_by_a_computed_name_in_the_same_cell_calls_the_methods() -> None:
    outcome = assert_same_behaviour(PLAYER + 'for action in ["north", "rest"]:\n    print(getattr(p, action)())\n')
    assert outcome.stdout == "walking north\nN\nresting\nR\n"


def test_a_dispatch_inside_a_method_keeps_the_methods_it_may_reach_blocking() -> None:
    outcome = assert_same_behaviour(
        """
        import time
        class Robot:
            def act(self, command):
                return getattr(self, "do_" + command)()
            def do_beep(self):
                time.sleep(0.001)
                return "beep"
        print(Robot().act("beep"))
        """
    )
    assert outcome.stdout == "beep\n"
    (result,) = outcome.results
    assert "async def" not in result.code


def test_a_later_cell_reads_converted_methods_by_name_and_by_computed_name() -> None:
    assert_same_behaviour(
        PLAYER + "print(p.north())\n",
        'print(getattr(p, "north")())\nhandler = getattr(p, "rest")\nprint(handler())\n',
        'for action in ("rest", "north"):\n    print(getattr(p, action, None)())\n',
    )


def test_a_method_read_by_name_and_handed_on_as_a_value_stays_blocking() -> None:
    outcome = assert_same_behaviour(
        PLAYER + 'callbacks = [getattr(p, "north"), getattr(p, "rest", None)]\nprint([cb() for cb in callbacks])\n'
    )
    assert outcome.stdout == "walking north\nresting\n['N', 'R']\n"


def test_a_getattr_of_the_notebooks_own_is_not_an_attribute_read() -> None:
    assert_same_behaviour(
        PLAYER
        + 'def getattr(obj, name, default=None):\n    return lambda: f"no {name}"\n'
        + 'print(getattr(p, "north")(), p.rest())\n'
    )


def test_the_statement_filter_keeps_a_lookup_by_computed_name_that_mentions_nothing_else() -> None:
    # From the fuzzer: the statement names no function or class the analysis tracks, yet may call `m`.
    cell = PLAYER + 'print("result", getattr(Sensor(), "no" + "rth")())\n'
    filtered = sync_kernel.Session(prefilter=True).transform(textwrap.dedent(cell))
    whole = sync_kernel.Session(prefilter=False).transform(textwrap.dedent(cell))
    assert filtered.code == whole.code
    # Without the live namespace the call cannot be settled at run time, so the methods stay blocking.
    assert "async def" not in filtered.code
