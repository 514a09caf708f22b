"""The statement filter is a shortcut: with it and without it, every cell is rewritten the same way.

Sources are every cell written in this test suite (the string arguments of
each call, taken as the cells of one notebook, and every other multi-line
string that parses), plus a sample of the standard library.
"""

import ast
import sys
import textwrap
from pathlib import Path

import sync_kernel

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))

import sweep  # noqa: E402

#: Files with blocking calls of several kinds, so the comparison covers rewriting too.
WITH_BLOCKING_CALLS = ("turtledemo/penrose.py", "asyncio/__main__.py", "turtledemo/clock.py")


def _cell(node: ast.expr) -> str | None:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value.strip("\n")):
        return None
    text = textwrap.dedent(node.value).strip("\n") + "\n"
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    return text


def notebooks_in_the_tests() -> list[list[str]]:
    """Every call's string arguments that parse, as one notebook; every other such string alone."""
    notebooks: list[list[str]] = []
    for path in sorted(HERE.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_calls: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                cells = [(arg, _cell(arg)) for arg in node.args]
                found = [text for _, text in cells if text is not None]
                if found:
                    notebooks.append(found)
                    in_calls |= {id(arg) for arg, text in cells if text is not None}
        for node in ast.walk(tree):
            if isinstance(node, ast.expr) and id(node) not in in_calls:
                text = _cell(node)
                if text is not None:
                    notebooks.append([text])
    return notebooks


def transform_all(notebook: list[str], *, filtered: bool) -> list[tuple]:
    """Each cell's code and notes, from one session reading its memory only.

    Across cells the messages of notes may differ: a statement an earlier
    cell left out is remembered as "something untracked", not as what it is
    (a plain class, say), and a note may explain the same decision from that.
    Within a cell they must be the same.
    """
    session = sync_kernel.Session(input_hook="__input__", prefilter=filtered)
    results = [session.transform(cell) for cell in notebook]
    alone = len(notebook) == 1
    return [
        (result.code, [(n.line, n.col, n.kind, n.before, n.after, n.message if alone else "") for n in result.notes])
        for result in results
    ]


def test_the_suite_has_cells_to_compare():
    notebooks = notebooks_in_the_tests()
    assert len(notebooks) >= 150
    assert sum(len(cells) > 1 for cells in notebooks) >= 10


def test_the_filter_changes_no_rewrite_of_the_suites_cells():
    differ = []
    for notebook in notebooks_in_the_tests():
        if transform_all(notebook, filtered=True) != transform_all(notebook, filtered=False):
            differ.append(notebook)
    assert differ == []


def test_the_filter_changes_no_rewrite_of_a_sample_of_the_standard_library():
    every = sweep.stdlib_files()
    with_blocking = [path for path in every if any(str(path).endswith(name) for name in WITH_BLOCKING_CALLS)]
    files = sweep.sample(every, 12) + with_blocking
    differ = []
    for path in files:
        try:
            source = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if transform_all([source], filtered=True) != transform_all([source], filtered=False):
            differ.append(str(path))
    assert differ == []


#: Notebooks where an earlier cell's class is left out by the filter (nothing in it is tracked)
#: and a later cell subclasses it or calls it: with the live namespace, the class is then judged
#: by its live code either way.
EARLIER_CLASSES = [
    [
        "import time\nclass Robot:\n    def m(self, k):\n        return self.m(k) + 1\n",
        "pause = time.sleep\nclass Drone(Robot):\n    def m(self, k):\n        pause(0)\n",
    ],
    [
        "from time import *\nclass Sensor:\n    def __init__(self):\n        self.k = 1\n    def go(self):\n"
        "        return self.m(self.k)\n",
        "class FastSensor(Sensor):\n    def m(self, k):\n        sleep(0)\nprint(FastSensor().m(1))\n",
    ],
    [
        "import time\nclass Sensor:\n    v = 2\n    def m(self, k):\n        return k + self.v\n"
        "    @classmethod\n    def make(cls, k):\n        return cls().m(k)\n",
        "class Robot:\n    def m(self, k):\n        time.sleep(0)\n    @classmethod\n    def make(cls, k):\n"
        "        return cls().m(k)\nprint('result', Sensor.make(1))\n",
    ],
    [
        "class Animal:\n    def speak(self):\n        return '...'\n",
        "import time\nclass Dog(Animal):\n    def speak(self):\n        time.sleep(0)\n        return 'woof'\n"
        "print(Dog().speak(), Animal().speak())\n",
    ],
    [
        "import time\nclass Sensor:\n    def m(self, k):\n        return k + 1\nobj = Sensor()\n",
        "class Robot:\n    def m(self, k):\n        time.sleep(0)\n        return (lambda v: obj.run(v))(k)\n"
        "    def run(self, k):\n        return self.m(k) + 1\nprint(Robot().run(1))\n",
    ],
    [
        "class Sensor:\n    def __init__(self):\n        self.k = self.m(1)\n",
        "class Drone(Sensor):\n    def m(self, k):\n        return k + 1\n",
        "class FastSensor(Drone):\n    def m(self, k):\n        print('got', input('> '))\n",
    ],
    [
        "import time\nwait = time.sleep\ndef work(k):\n    for i in range(2):\n        wait(0)\n        yield i + k\n",
        "class Robot:\n    def m(self, k):\n        time.sleep(0)\n        return max(work(k))\n"
        "def work(k):\n    p = wait\n    p(0)\n    return [k]\nprint(Robot().m(1))\n",
    ],
    [  # a name earlier converted code awaits matters, even once deleted
        "def fetch(k):\n    if k <= 0:\n        return 0\n    time.sleep(0)\n    return fetch(k - 1) + 1\n"
        "import time\ndel fetch\n",
        "def fetch(k):\n    return k + 8\n",
    ],
]


def test_the_filter_changes_no_rewrite_when_an_earlier_class_is_judged_by_its_live_code():
    import harness

    for cells in EARLIER_CLASSES:
        runs = [
            harness.run_rewritten(
                cells, ["ada"], session=sync_kernel.Session(input_hook="__input__", prefilter=filtered)
            )
            for filtered in (True, False)
        ]
        on, off = ([(r.code, [n.summary() for n in r.notes]) for r in run.results] for run in runs)
        assert on == off, cells
        assert runs[0].behaviour() == harness.run_original(cells, ["ada"]).behaviour()
