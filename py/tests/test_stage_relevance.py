"""Relevance: which top-level statements of a cell the later stages look at."""

from __future__ import annotations

import pytest

from stages import analyse, cell, plan_of, rewriter_of
from sync_kernel.codemod.relevance import relevant_statements
from sync_kernel.codemod.source import apply_edits


def kept(source: str, seeds: frozenset[str] = frozenset()) -> list[int]:
    """Indices of the statements kept from a dedented cell."""
    tree, text = cell(source)
    return [index for index, _ in relevant_statements(tree, text, set(seeds)).chosen]


def test_keeps_statements_that_mention_a_catalogue_name() -> None:
    source = """
    x = 1
    import time
    print(x)
    time.sleep(0)
    """
    assert kept(source) == [1, 3]


def test_a_cell_without_catalogue_names_keeps_nothing() -> None:
    assert kept("total = sum([1, 2])\nprint(total)\n") == []


def test_keeps_what_uses_a_name_bound_by_a_kept_statement_even_earlier_in_the_cell() -> None:
    source = """
    def later():
        work()
    def work():
        time.sleep(1)
    later()
    unrelated = 2
    """
    assert kept(source) == [0, 1, 2]


def test_a_method_name_of_a_kept_class_makes_its_calls_matter() -> None:
    source = """
    class Clock:
        def pause(self):
            time.sleep(1)
    other.pause()
    other.resume()
    """
    assert kept(source) == [0, 1]


def test_keeps_the_classes_a_kept_class_derives_from() -> None:
    source = """
    class Base:
        pass
    class Unrelated:
        pass
    class Clock(Base):
        def pause(self):
            time.sleep(1)
    """
    assert kept(source) == [0, 2]


def test_names_from_earlier_cells_are_seeds() -> None:
    assert kept("wait(1)\n") == []
    assert kept("wait(1)\n", frozenset({"wait"})) == [0]


def test_a_star_import_from_an_unknown_module_may_bind_anything() -> None:
    source = """
    from some_unimported_module import *
    x = 1
    """
    assert kept(source) == [0, 1]


@pytest.mark.parametrize(
    "source",
    [
        "import time\ntime.sleep(1)\nprint('done')\n",
        "from time import sleep as nap\nvalues = []\ndef work():\n    nap(1)\nwork()\nprint(values)\n",
        "import time\nclass Base:\n    pass\nclass C(Base):\n    def m(self):\n        time.sleep(1)\nC().m()\n",
        "import time\ndef tick():\n    time.sleep(0)\nhandlers = [tick]\nfor h in handlers:\n    h()\n",
    ],
)
def test_the_filter_changes_no_rewrite(source: str) -> None:
    def rewritten(every_statement: bool) -> tuple[str, list[str]]:
        analysis = analyse(source, every_statement=every_statement)
        rewriter = rewriter_of(analysis, plan_of(analysis))
        return apply_edits(analysis.text.text, rewriter.edits()), [note.summary() for note in rewriter.notes()]

    assert rewritten(every_statement=False) == rewritten(every_statement=True)


def test_keeps_the_statements_that_bind_names_a_kept_statement_reads() -> None:
    source = """
    from dataclasses import dataclass
    import time
    @dataclass
    class Job:
        delay: float
        def run(self):
            time.sleep(self.delay)
    Job(0.1).run()
    """
    assert kept(source) == [0, 1, 2, 3]
