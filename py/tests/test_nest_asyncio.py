"""``nest_asyncio``, served with the kernel: a desktop notebook's ``nest_asyncio.apply()`` line works unchanged."""

from __future__ import annotations

from kernel_harness import Harness, stream_text

CELL = """\
import nest_asyncio
nest_asyncio.apply()
import asyncio
async def fetch(name):
    await asyncio.sleep(0.01)
    return name
def fetch_now(name):
    return asyncio.run(fetch(name))
loop = asyncio.get_event_loop()
print(asyncio.run(fetch("run")), loop.run_until_complete(fetch("until complete")), fetch_now("in a function"))
"""


def test_after_apply_asyncio_run_and_run_until_complete_work_as_with_nest_asyncio_on_desktop(harness: Harness) -> None:
    reply, events = harness.run(CELL)
    assert reply["status"] == "ok"
    assert stream_text(events) == "run until complete in a function\n"


def test_apply_refuses_what_is_not_an_event_loop_in_one_line(harness: Harness) -> None:
    reply, _ = harness.run("import nest_asyncio\nnest_asyncio.apply(42)")
    assert reply["status"] == "error"
    assert (reply["ename"], reply["evalue"]) == ("ValueError", "Can't patch loop of type <class 'int'>")


def test_its_docstring_example_runs() -> None:
    import builtins
    import doctest

    import nest_asyncio

    had_underscore = hasattr(builtins, "_")
    try:
        result = doctest.testmod(nest_asyncio)
    finally:
        if not had_underscore and hasattr(builtins, "_"):
            del builtins._  # doctest's displayhook sets it; IPython then stops updating `_`
    assert result.attempted > 0 and result.failed == 0
