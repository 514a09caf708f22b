"""A name rebound to something else is followed wherever it was rebound: in any branch, in a loop, in any statement."""

from harness import assert_same_behaviour, rewrite


def rewritten_lines(result):
    return [note.line for note in result.notes if note.kind == "rewrite"]


def unsure(line, name="pause"):
    """The note for a call that may or may not be a sleep."""
    return [(line, "kept-blocking", f"could not tell whether `{name}` is time.sleep, so it is left as is")]


def notes_of(result):
    return [(note.line, note.kind, note.message) for note in result.notes]


def test_a_sleep_rebound_to_a_plain_function_in_a_branch_is_not_rewritten():
    cell = """
        import time
        def show(x): print("show", x)
        pause = time.sleep
        if True:
            pause = show
        pause(1)
        """
    outcome = assert_same_behaviour(cell)
    assert outcome.stdout == "show 1\n"
    (result,) = rewrite(cell)
    assert not result.changed and notes_of(result) == unsure(6)


def test_a_sleep_or_a_plain_function_by_condition_is_not_rewritten():
    cell = """
        import time
        def show(x): print("show", x)
        fast = True
        pause = show if fast else time.sleep
        pause(2)
        """
    assert assert_same_behaviour(cell).stdout == "show 2\n"
    (result,) = rewrite(cell)
    assert not result.changed and notes_of(result) == unsure(5)


def test_a_builtin_bound_by_an_unrelated_statement_is_followed():
    cell = """
        import time
        show = print
        pause = time.sleep
        if len("x"):
            pause = show
        pause(3)
        """
    assert assert_same_behaviour(cell).stdout == "3\n"
    (result,) = rewrite(cell)
    assert not result.changed and notes_of(result) == unsure(6)


def test_a_helper_bound_before_or_after_the_statement_that_reads_it():
    cell = """
        import time
        def choose(fast):
            return helper if fast else time.sleep
        helper = lambda x: print("helper", x)
        choose(True)(4)
        pause = time.sleep
        if True:
            pause = alias
        alias = helper
        """
    assert_same_behaviour(cell)
    (result,) = rewrite(cell)
    assert not result.changed
    assert notes_of(result) == [(3, "kept-blocking", "time.sleep is passed on as a value, so it stays blocking")]


def test_a_plain_function_from_an_earlier_cell_read_from_memory_alone():
    cells = (
        """
        def show(x): print("show", x)
        """,
        """
        import time
        pause = show if len("x") else time.sleep
        pause(5)
        """,
    )
    assert assert_same_behaviour(*cells).stdout == "show 5\n"
    first, second = rewrite(*cells)
    assert not second.changed and notes_of(second) == unsure(3)


def test_the_sleep_that_stays_a_sleep_is_still_rewritten():
    cell = """
        import time
        def show(x): print("show", x)
        pause = show
        pause(0)
        pause = time.sleep
        pause(0.001)
        print("done")
        """
    assert assert_same_behaviour(cell).stdout == "show 0\ndone\n"
    (result,) = rewrite(cell)
    assert rewritten_lines(result) == [6]


def test_every_binding_form_of_the_other_function_is_followed():
    forms = {
        "walrus": "print((show := print) is print)",
        "match capture": "match print:\n    case show:\n        pass",
        "global in a def": "def setup():\n    global show\n    show = print\nsetup()",
        "loop target": "for show in [print]:\n    pass",
        "with target": "import contextlib\nwith contextlib.nullcontext(print) as show:\n    pass",
        "import": "from builtins import print as show",
        "class": "class show:\n    def __init__(self, x):\n        print('made', x)",
    }
    for form, binding in forms.items():
        cell = f"{binding}\nimport time\npause = show if len('x') else time.sleep\npause(6)\n"
        assert_same_behaviour(cell)
        (result,) = rewrite(cell)
        line = cell.count("\n")
        assert not result.changed and notes_of(result) == unsure(line), form


def test_a_function_of_an_earlier_cell_that_rebinds_a_global():
    cells = (
        """
        def setup():
            global pause
            pause = print
        """,
        """
        import time
        pause = time.sleep
        setup()
        pause(7)
        """,
    )
    assert assert_same_behaviour(*cells).stdout == "7\n"
    first, second = rewrite(*cells)
    assert not second.changed and notes_of(second) == unsure(4)


# ---- loops: what a name holds is what it holds after any number of passes -----------------------


def chain(length: int, last: str = "show") -> str:
    """A loop that shifts a chain of names one step per pass: the last value reaches ``a`` after ``length`` passes."""
    names = [f"n{k}" for k in range(length)]
    shifts = "".join(f"    {here} = {there}\n" for here, there in zip(names, names[1:], strict=False))
    return (
        "import time\n"
        "def show(x): print('show', x)\n"
        f"{' = '.join(names)} = time.sleep\n"
        f"for i in range({length + 2}):\n"
        f"    {names[0]}(0)\n"
        f"{shifts}"
        f"    {names[-1]} = {last}\n"
    )


def test_a_chain_of_rebindings_in_a_loop_is_followed_to_its_end():
    for length in (2, 4, 5, 8):
        cell = chain(length)
        assert "show 0" in assert_same_behaviour(cell).stdout
        (result,) = rewrite(cell)
        assert not result.changed, cell
        assert notes_of(result) == unsure(5, "n0"), cell


def test_a_chain_longer_than_the_analysis_follows_is_left_as_written():
    cell = chain(80)
    assert "show 0" in assert_same_behaviour(cell).stdout
    (result,) = rewrite(cell)
    assert not result.changed
    assert notes_of(result) == unsure(5, "n0")


def test_a_chain_that_keeps_sleeping_is_still_rewritten():
    cell = chain(5, last="time.sleep")
    assert_same_behaviour(cell)
    (result,) = rewrite(cell)
    assert rewritten_lines(result) == [5]


def test_a_value_that_reaches_the_next_pass_through_continue():
    cell = """
        import time
        def show(x): print("show", x)
        pause = time.sleep
        for i in range(3):
            pause(i / 1000)
            if i == 0:
                pause = show
                continue
            pause = time.sleep
        """
    assert assert_same_behaviour(cell).stdout == "show 0.001\n"
    (result,) = rewrite(cell)
    assert not result.changed and notes_of(result) == unsure(5)


def test_a_value_that_leaves_the_loop_through_break():
    cell = """
        import time
        def show(x): print("show", x)
        pause = time.sleep
        while True:
            if len("x"):
                pause = show
                break
            pause = time.sleep
        pause(8)
        """
    assert assert_same_behaviour(cell).stdout == "show 8\n"
    (result,) = rewrite(cell)
    assert not result.changed and notes_of(result) == unsure(9)
