"""Blocking calls whose callee is more than a name: in parentheses, behind a comment, a conditional, ``getattr``.

Found by sweeping the codemod over third-party packages (pexpect's ``(input if PY3 else
raw_input)('> ')``): the rewrite of a parenthesised callee did not compile, and a conditional
callee was replaced whole, so its test no longer ran. Each test compares with desktop CPython.
"""

import pytest

from harness import assert_same_behaviour, rewrite


def no_internal_notes(*cells: str) -> None:
    for result in rewrite(*cells):
        assert [n.message for n in result.notes if n.kind == "internal"] == []


ALIAS_IN_PARENTHESES = """
import time
pause = time.sleep
def nap():
    (pause)(0.001)
    ( pause ) (0.001)
    (pause  # a comment between the callee and its arguments
    )(0.001)
    return "napped"
print(nap())
"""


def test_a_parenthesised_callee_handed_over_to_the_kernel_compiles_and_runs() -> None:
    no_internal_notes(ALIAS_IN_PARENTHESES)
    outcome = assert_same_behaviour(ALIAS_IN_PARENTHESES)
    assert outcome.stdout == "napped\n"
    assert "__sync__.call((pause), 0.001)" in outcome.results[0].code


@pytest.mark.desktop_threads  # compares with a real thread, which Pyodide cannot start
def test_a_parenthesised_wait_on_a_thread_compiles_and_runs() -> None:
    cell = 'import threading\nt = threading.Thread(target=print, args=("in thread",))\nt.start()\n(t.join)()\nprint("joined")'
    no_internal_notes(cell)
    assert assert_same_behaviour(cell).stdout == "in thread\njoined\n"


def test_a_conditional_callee_still_evaluates_its_test() -> None:
    chosen = 'PY3 = True\nanswer = (input if PY3 else raw_input)("> ")\nprint("got", answer)'
    assert assert_same_behaviour(chosen, answers=["yes"]).stdout == "> got yes\n"
    # Desktop Python raises NameError for `PY3` before it calls anything.
    unbound = 'answer = (input if PY3 else raw_input)("> ")\nprint("got", answer)'
    outcome = assert_same_behaviour(unbound, answers=["yes"])
    assert outcome.stdout == ""


def test_a_sleep_looked_up_with_getattr_sleeps_as_written() -> None:
    outcome = assert_same_behaviour('import time\ngetattr(time, "sleep")(0.001)\nprint("slept")')
    assert outcome.stdout == "slept\n"
    assert "await __sync__.call(getattr(time, " in outcome.results[0].code
