"""Rewrite: exactly the planned edits, one note per change, every line keeping its number."""

from __future__ import annotations

from stages import Analysis, analyse, plan_of, rewriter_of
from sync_kernel.codemod.notes import Note
from sync_kernel.codemod.plan import Blocking, Kept, Plan
from sync_kernel.codemod.rewrite import Rewriter
from sync_kernel.codemod.source import apply_edits


def code(analysis: Analysis, rewriter: Rewriter) -> str:
    return apply_edits(analysis.text.text, rewriter.edits())


def planned(source: str) -> tuple[Analysis, Rewriter]:
    analysis = analyse(source)
    return analysis, rewriter_of(analysis, plan_of(analysis))


def test_only_the_calls_in_the_plan_are_rewritten() -> None:
    analysis = analyse("import time\ntime.sleep(1)\ntime.sleep(2)\n")
    _, second = analysis.collected.calls
    rewriter = rewriter_of(analysis, Plan(rewrites=[Blocking(second, "sleep", "time.sleep")]))
    assert code(analysis, rewriter) == "import time\ntime.sleep(1)\nawait __sync__.sleep(2)\n"
    assert rewriter.notes() == [
        Note(3, 0, "rewrite", "waits without freezing the page", "time.sleep(2)", "await __sync__.sleep(2)")
    ]


def test_an_empty_plan_changes_nothing() -> None:
    analysis = analyse("import time\ntime.sleep(1)\n")
    rewriter = rewriter_of(analysis, Plan())
    assert rewriter.edits() == [] and rewriter.notes() == []


def test_a_refusal_is_a_note_without_an_edit() -> None:
    analysis = analyse("import time\nprint(time.sleep)\n")
    (load,) = analysis.collected.loads
    rewriter = rewriter_of(analysis, Plan(kept=[Kept(load.node, "stays blocking")]))
    assert rewriter.edits() == []
    assert rewriter.notes() == [Note(2, 6, "kept-blocking", "stays blocking", "time.sleep", "")]


def test_one_note_per_change_in_source_order() -> None:
    analysis, rewriter = planned(
        """
        import time
        def work():
            time.sleep(1)
        work()
        """
    )
    assert code(analysis, rewriter) == "import time\nasync def work():\n    await __sync__.sleep(1)\nawait work()\n"
    assert rewriter.notes() == [
        Note(2, 0, "async-def", "`work` now waits without blocking, so it is async", "def work", "async def work"),
        Note(3, 4, "rewrite", "waits without freezing the page", "time.sleep(1)", "await __sync__.sleep(1)"),
        Note(4, 0, "await-call", "`work` is async now, so the call is awaited", "work()", "await work()"),
    ]


def test_a_multi_line_call_keeps_every_line_number() -> None:
    analysis, rewriter = planned(
        """
        import asyncio
        result = asyncio.run(
            main(),
            debug=True,
        )
        print(result)
        """
    )
    after = code(analysis, rewriter)
    # Only the callee changes (asyncio.run keeps its arguments and its end-of-run semantics in __sync__.run).
    assert after == "import asyncio\nresult = await __sync__.run(\n    main(),\n    debug=True,\n)\nprint(result)\n"
    assert [note.line for note in rewriter.notes()] == [2]


def test_an_awaited_receiver_is_parenthesised() -> None:
    analysis, rewriter = planned("import time\ndef make():\n    time.sleep(1)\nvalue = make().real\n")
    assert code(analysis, rewriter).splitlines()[3] == "value = (await make()).real"


def test_input_goes_through_the_input_hook() -> None:
    analysis, rewriter = planned("name = input('name? ')\n")
    assert code(analysis, rewriter) == "name = await __input__('name? ')\n"


def test_the_blocking_twin_is_the_original_def_calling_other_twins() -> None:
    analysis, rewriter = planned(
        """
        import time
        def work():
            time.sleep(1)
        def outer():
            work()
        outer()
        """
    )
    work, outer = analysis.collected.functions
    assert rewriter.twin_source(work) == "def work():\n    time.sleep(1)"
    assert rewriter.twin_source(outer) == "def outer():\n    __sync__.blocking(work)()"
