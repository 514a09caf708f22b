"""Names follow Python's execution model: each case is rewritten only where the name really is the target."""

import pytest

from harness import assert_same_behaviour, rewrite


def rewritten_lines(source):
    (result,) = rewrite(source)
    return [
        number
        for number, (old, new) in enumerate(zip(source.splitlines(), result.code.splitlines(), strict=True), start=1)
        if old != new
    ]


@pytest.mark.parametrize(
    "source, changed_lines",
    [
        # A parameter named like the module hides it.
        ("import time\ndef f(time):\n    time.sleep(0)\nf(None)\n", []),
        # The same after statements that need no analysis (symtable then reads only the others) ...
        ("values = [\n    1,\n]\nimport time\ndef f(time):\n    time.sleep(0)\nf(None)\n", []),
        # ... also when one of those shares a line with a statement that does.
        ("values = (1,\n    2); import time\ndef f():\n    global time\n    time.sleep(0)\nf()\n", [3, 5, 6]),
        # A local bound after its use is still local (the use raises UnboundLocalError).
        ("import time\ndef f():\n    time.sleep(0)\n    time = 1\n", []),
        # A local import inside the function is the module.
        ("def f():\n    import time\n    time.sleep(0)\nf()\n", [1, 3, 4]),
        # `global` makes the function see (and rebind) the module's name.
        ("import time\ndef f():\n    global time\n    time.sleep(0)\nf()\n", [2, 4, 5]),
        ("time = None\ndef setup():\n    global time\n    import time\ndef f():\n    time.sleep(0)\nsetup()\n", []),
        # `nonlocal` follows the enclosing function's binding.
        (
            "import time\ndef outer():\n    t = None\n    def inner():\n        nonlocal t\n        t = 1\n    t.sleep(0)\n",
            [],
        ),
        ("import time\ndef outer():\n    t = time\n    def inner():\n        t.sleep(0)\n    inner()\n", [2, 4, 5, 6]),
        # Class scope: names bound in the class body are not seen by its methods.
        (
            "import time\nclass C:\n    time = None\n    def m(self):\n        time.sleep(0)\nC().m()\n",
            [4, 5, 6],
        ),
        # Comprehension variables are local to the comprehension.
        ("import time\n[time for time in range(3)]\ntime.sleep(0)\n", [3]),
        ("import time\nvalues = [time.sleep(0) for time in [None]]\n", []),
        # `del` unbinds; a loop target rebinds; walrus binds.
        ("import time\ndel time\ntime.sleep(0)\n", []),
        ("import time\nfor time in [None]:\n    pass\ntime.sleep(0)\n", []),
        ("import time\nif (time := None) is None:\n    pass\ntime.sleep(0)\n", []),
        ("import time\n(pause := time.sleep)\npause(0)\n", [3]),
        # `except ... as` and `match` captures bind names too.
        ("import time\ntry:\n    1 / 0\nexcept ZeroDivisionError as time:\n    time.sleep(0)\n", []),
        ("import time\nmatch 1:\n    case time:\n        time.sleep(0)\n", []),
        # User functions or classes named sleep/time, and `import other as time`.
        ("def sleep(x):\n    return x\nsleep(1)\n", []),
        ("class time:\n    def sleep(x):\n        return x\ntime.sleep(1)\n", []),
        ("import math as time\ntime.sleep(1)\n", []),
        # Rebinding later in the cell changes later lines only.
        ("import time\ntime.sleep(0)\ntime = None\ntime.sleep(0)\n", [2]),
        ("import time\nif input:\n    time = None\ntime.sleep(0)\n", []),
    ],
)
def test_names_resolve_as_python_does(source, changed_lines):
    assert rewritten_lines(source) == changed_lines


def test_scoped_names_behave_the_same():
    assert_same_behaviour(
        """
        import time
        def f(time=None):
            return time
        class Clock:
            time = "class attribute"
            def tick(self):
                time.sleep(0.001)
                return Clock.time
        values = [time for time in ["comprehension"]]
        print(f(), Clock().tick(), values, time.__name__)
        """
    )


def test_functions_see_globals_as_bound_after_their_def():
    assert_same_behaviour(
        """
        wait = None
        def pause():
            wait(0.001)
            return "paused"
        from time import sleep as wait
        print(pause())
        """
    )
