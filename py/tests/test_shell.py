"""The kernel's shell on host CPython: outputs, errors, history, input, interrupt, magics."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from kernel_harness import Event, Harness, make_harness, plain, stream_text
from sync_kernel.codemod.notes import NOTES_MIME_TYPE, Note
from sync_kernel.codemod.session import TransformResult
from sync_kernel.kernel.inputs import Blocking


def types_of(events: list[Event]) -> list[str]:
    return [e.msg_type for e in events]


# -- results and displays ------------------------------------------------------


def test_last_expression_is_an_execute_result_with_rich_reprs(harness: Harness) -> None:
    harness.run(
        "class Box:\n    def _repr_html_(self):\n        return '<b>box</b>'\n    def __repr__(self):\n        return 'Box()'"
    )
    reply, events = harness.run("Box()")
    assert reply["status"] == "ok"
    results = [e for e in events if e.msg_type == "execute_result"]
    assert len(results) == 1
    assert results[0].content["data"] == {"text/plain": "Box()", "text/html": "<b>box</b>"}
    assert results[0].content["execution_count"] == reply["execution_count"] == 2


def test_statement_and_semicolon_produce_no_result(harness: Harness) -> None:
    _, events = harness.run("x = 1")
    _, quiet = harness.run("x + 1;")
    assert "execute_result" not in types_of(events + quiet)


def test_display_update_and_clear_output(harness: Harness) -> None:
    _, events = harness.run(
        "from IPython.display import display, clear_output\n"
        "h = display('first', display_id='d1')\n"
        "h.update('second')\n"
        "clear_output(wait=True)\n"
    )
    assert types_of(events) == ["display_data", "update_display_data", "clear_output"]
    first, update, clear = events
    assert first.content["data"]["text/plain"] == "'first'"
    assert first.content["transient"] == {"display_id": "d1"}
    assert update.content["data"]["text/plain"] == "'second'"
    assert update.content["transient"] == {"display_id": "d1"}
    assert clear.content == {"wait": True}


def test_streams_are_batched_and_keep_order_with_other_outputs(harness: Harness) -> None:
    _, events = harness.run(
        "import sys\nfor i in range(3): print(i)\nprint('err', file=sys.stderr)\nprint('out')\ndisplay('d')\nprint('end')"
    )
    assert [(e.msg_type, e.content.get("text")) for e in events] == [
        ("stream", "0\n1\n2\n"),
        ("stream", "err\n"),
        ("stream", "out\n"),
        ("display_data", None),
        ("stream", "end\n"),
    ]


def test_many_prints_become_few_messages(harness: Harness) -> None:
    _, events = harness.run("for i in range(100_000): print(i)")
    streams = [e for e in events if e.msg_type == "stream"]
    assert stream_text(events) == "".join(f"{i}\n" for i in range(100_000))
    assert len(streams) <= 200


def test_in_out_and_underscore(harness: Harness) -> None:
    harness.run("6 * 7")
    reply, events = harness.run("_ * 2")
    assert [e.content["data"]["text/plain"] for e in events if e.msg_type == "execute_result"] == ["84"]
    _, events = harness.run("(In[1], Out[1], _2)")
    assert events[-1].content["data"]["text/plain"] == "('6 * 7', 42, 84)"


# -- errors ---------------------------------------------------------------------


def test_error_shows_the_users_line_at_its_number_and_no_internal_frames(harness: Harness) -> None:
    reply, events = harness.run("a = 1\nb = 0\n\nprint(a / b)\n")
    assert reply["status"] == "error"
    assert (reply["ename"], reply["evalue"]) == ("ZeroDivisionError", "division by zero")
    errors = [e for e in events if e.msg_type == "error"]
    assert len(errors) == 1
    text = plain(errors[0].content["traceback"])
    assert "line 4" in text and "print(a / b)" in text
    assert "sync_kernel" not in text and "interactiveshell" not in text


def test_error_in_a_function_from_an_earlier_cell_shows_that_cells_source(harness: Harness) -> None:
    harness.run("def half(x):\n    # comment\n    return x / 0\n")
    reply, events = harness.run("half(3)")
    text = plain(reply["traceback"])
    assert "return x / 0" in text and "line 3" in text and "half(3)" in text


def test_error_in_the_main_of_asyncio_run_shows_the_users_frames_only(harness: Harness) -> None:
    reply, _ = harness.run("import asyncio\nasync def main():\n    return 1 / 0\nasyncio.run(main())\n")
    assert reply["ename"] == "ZeroDivisionError"
    text = plain(reply["traceback"])
    assert "asyncio.run(main())" in text and "return 1 / 0" in text
    assert "support.py" not in text


def test_syntax_errors_are_reported_as_syntaxerror_with_the_line(harness: Harness) -> None:
    reply, _ = harness.run("x = 1\ny = = 2\n")
    assert reply["status"] == "error" and reply["ename"] == "SyntaxError"
    assert "y = = 2" in plain(reply["traceback"]) and "line 2" in plain(reply["traceback"])
    reply, _ = harness.run("x = 1\ny = (\n")
    assert reply["status"] == "error" and reply["ename"] == "SyntaxError"


def test_exception_raised_inside_the_kernel_hides_the_kernels_frames(harness: Harness) -> None:
    harness.kernel.shell.input_hook.allowed = False  # type: ignore[union-attr]
    reply, _ = harness.run("x = await __input__('?')", allow_stdin=False)
    assert reply["ename"] == "StdinNotAllowed"
    text = plain(reply["traceback"])
    assert "x = await __input__('?')" in text and "inputs.py" not in text


# -- input -----------------------------------------------------------------------


def answer_input_with(harness: Harness, value: str | None) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = []

    def on_event(event: Event) -> None:
        if event.msg_type == "input_request":
            requests.append(event.content)
            assert harness.kernel is not None
            harness.loop.call_soon(harness.kernel.input_reply, value or "", value is None)

    harness.on_event = on_event
    return requests


def test_input_and_getpass_are_answered_through_input_requests(harness: Harness) -> None:
    requests = answer_input_with(harness, "Ada")
    reply, events = harness.run(
        "name = await __input__('Name? ')\nsecret = await __input__.getpass()\nprint(name, secret)"
    )
    assert reply["status"] == "ok"
    assert requests == [{"prompt": "Name? ", "password": False}, {"prompt": "Password: ", "password": True}]
    assert stream_text(events) == "Ada Ada\n"


def test_input_at_end_of_input_raises_eoferror(harness: Harness) -> None:
    answer_input_with(harness, None)
    reply, _ = harness.run("await __input__('more? ')")
    assert (reply["ename"], reply["evalue"]) == ("EOFError", "EOF when reading a line")
    assert "inputs.py" not in plain(reply["traceback"])


def test_blocking_input_without_stack_switching_says_why() -> None:
    harness, close = make_harness(transform=False)
    try:
        reply, _ = harness.run("input('x? ')")
        assert reply["ename"] == "RuntimeError"
        assert "could not be rewritten" in reply["evalue"] and "JSPI" in reply["evalue"]
    finally:
        close()


def test_blocking_input_with_stack_switching_waits_through_run_sync() -> None:
    waited: list[str] = []

    def run_sync(awaitable: Any) -> Any:
        # Stands in for Pyodide's run_sync: drive the awaitable to completion.
        waited.append("run_sync")
        coroutine = awaitable
        try:
            coroutine.send(None)
        except StopIteration as done:
            return done.value
        raise AssertionError("the fake only supports awaitables that finish at once")

    harness, close = make_harness(blocking=Blocking(run_sync, lambda: True), transform=False)
    try:
        assert harness.kernel is not None
        harness.kernel.shell.input_hook._ask = _answer_at_once  # type: ignore[method-assign]
        reply, events = harness.run("print(input('x? '))")
        assert reply["status"] == "ok", reply
        assert waited == ["run_sync"] and stream_text(events) == "answered x? \n"
    finally:
        close()


async def _answer_at_once(prompt: str, password: bool) -> str:
    return f"answered {prompt}"


# -- interrupt and tasks --------------------------------------------------------


def test_interrupt_cancels_the_cell_at_its_await_and_reports_keyboardinterrupt(harness: Harness) -> None:
    assert harness.kernel is not None
    kernel = harness.kernel

    # Interrupt once the cell has printed (its output is flushed when it awaits).
    harness.on_event = lambda e: e.msg_type == "stream" and harness.loop.call_soon(kernel.interrupt)
    reply, events = harness.run("import asyncio\nprint('start')\nawait asyncio.sleep(30)\nprint('never')")
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    text = plain(reply["traceback"])
    assert "await asyncio.sleep(30)" in text and "line 3" in text
    assert "asyncio/tasks.py" not in text
    assert stream_text(events) == "start\n"
    reply, _ = harness.run("1 + 1")
    assert reply["status"] == "ok"


def test_interrupt_while_waiting_for_input(harness: Harness) -> None:
    assert harness.kernel is not None
    kernel = harness.kernel
    harness.on_event = lambda e: e.msg_type == "input_request" and harness.loop.call_soon(kernel.interrupt)
    reply, _ = harness.run("await __input__('?')")
    assert reply["ename"] == "KeyboardInterrupt"
    assert not kernel.shell.input_hook.waiting


@contextmanager
def sigint_handled_by(harness: Harness) -> Iterator[tuple[threading.Event, threading.Thread]]:
    """``SIGINT`` goes to the kernel's handler (as :func:`sync_kernel.kernel.start` sets it in
    Pyodide); a thread sends one once the cell has set ``started`` (a name in the cell's namespace)."""
    assert harness.kernel is not None
    kernel = harness.kernel
    started = threading.Event()
    kernel.shell.push({"started": started}, interactive=False)

    def send() -> None:
        started.wait()
        os.kill(os.getpid(), signal.SIGINT)
        # Then the interrupt by message, as the runtime's main side sends it.
        harness.loop.call_soon_threadsafe(kernel.interrupt)

    sender = threading.Thread(target=send, daemon=True)
    previous = signal.signal(signal.SIGINT, kernel.on_interrupt_signal)
    try:
        sender.start()
        yield started, sender
    finally:
        started.set()
        sender.join()
        signal.signal(signal.SIGINT, previous)


def test_sigint_stops_a_loop_that_never_awaits_at_the_users_line(harness: Harness) -> None:
    with sigint_handled_by(harness):
        reply, events = harness.run("n = 0\nstarted.set()\nwhile True:\n    n += 1")
    assert reply["ename"] == "KeyboardInterrupt"
    assert [e.msg_type for e in events].count("error") == 1
    text = plain(reply["traceback"])
    assert re.search(r"-+> [34] ", text), text
    assert "sync_kernel" not in text
    reply, events = harness.run("n > 0")
    assert events[-1].content["data"]["text/plain"] == "True"


def test_sigint_then_the_interrupt_message_is_one_interrupt(harness: Harness) -> None:
    cell = (
        "import asyncio\nn = 0\ntry:\n    started.set()\n    while True:\n        n += 1\n"
        "except KeyboardInterrupt:\n    print('caught')\nawait asyncio.sleep(0.05)\nprint('after')"
    )
    with sigint_handled_by(harness):
        reply, events = harness.run(cell)
    assert reply["status"] == "ok"
    assert stream_text(events) == "caught\nafter\n"


def test_sigint_while_the_cell_awaits_cancels_it_there(harness: Harness) -> None:
    with sigint_handled_by(harness):
        reply, events = harness.run("import asyncio\nstarted.set()\nawait asyncio.sleep(30)")
    assert reply["ename"] == "KeyboardInterrupt"
    assert [e.msg_type for e in events].count("error") == 1
    assert "await asyncio.sleep(30)" in plain(reply["traceback"])
    assert harness.run("1 + 1")[0]["status"] == "ok"


def test_sigint_between_the_cells_statements_stops_the_next_one_at_its_line(harness: Harness) -> None:
    # IPython runs a cell's statements one by one; a SIGINT can land in its code between two of
    # them (found as a rare hang: then cancelling the cell's task stops nothing, as the next
    # statement, a loop that never awaits, never reaches an await).
    assert harness.kernel is not None
    kernel = harness.kernel
    kernel.shell.push({"between_statements": lambda: kernel.on_interrupt_signal(signal.SIGINT, None)})
    reply, events = harness.run("print('first')\nbetween_statements()\nn = 0\nwhile n < 10**6:\n    n += 1")
    assert reply["ename"] == "KeyboardInterrupt"
    assert stream_text(events) == "first\n"
    assert re.search(r"-+> 3 ", plain(reply["traceback"])), plain(reply["traceback"])
    assert harness.run("n")[1][-1].content["ename"] == "NameError", "the loop's statement never ran"
    reply, events = harness.run("print('next cell')")
    assert reply["status"] == "ok" and stream_text(events) == "next cell\n", "nothing is left for the next cell"


def test_a_stop_raised_before_a_statements_first_line_shows_that_line(harness: Harness) -> None:
    # The engine checks for a Stop as each statement's code starts, where a module's code is at
    # line 0: the traceback shows the statement's line, as for any other Stop, not "line 0".
    cell = (
        "import sys\n"
        "cell = sys._getframe().f_code.co_filename\n"
        "def stop_as_the_next_statement_starts(frame, event, arg):\n"
        "    if event == 'call' and frame.f_code.co_filename == cell:\n"
        "        sys.settrace(None)\n"
        "        raise KeyboardInterrupt\n"
        "sys.settrace(stop_as_the_next_statement_starts)\n"
        "\n"
        "print('never')\n"
    )
    reply, events = harness.run(cell)
    assert reply["ename"] == "KeyboardInterrupt"
    text = plain(reply["traceback"])
    assert re.search(r"-+> 9 print\('never'\)", text), text
    assert "line 0" not in text and "Error retrieving" not in text, text
    assert stream_text(events) == ""


def test_sigint_with_no_cell_running_is_dropped(harness: Harness) -> None:
    assert harness.kernel is not None
    harness.kernel.on_interrupt_signal(signal.SIGINT, None)
    assert harness.run("1 + 1")[0]["status"] == "ok"


def test_background_tasks_keep_running_between_and_during_cells(harness: Harness) -> None:
    harness.run(
        "import asyncio\nticks = []\nasync def tick():\n    while True:\n        ticks.append(1)\n        await asyncio.sleep(0.01)\n"
        "task = asyncio.get_event_loop().create_task(tick())"
    )
    reply, events = harness.run("n = len(ticks)\nawait asyncio.sleep(0.2)\nlen(ticks) - n >= 5")
    assert events[-1].content["data"]["text/plain"] == "True"
    harness.run("task.cancel()")


# -- notes and magics ----------------------------------------------------------


class StubSession:
    """Stands in for the codemod: awaits calls of ``wait(`` and notes it."""

    CALL = re.compile(r"(?<!def )\bwait\(")

    def transform(self, source: str, namespace: Any = None, *, remember: bool = True) -> TransformResult:
        if not self.CALL.search(source) or "run_cell_magic" in source:
            return TransformResult(code=source, source=source)
        note = Note(1, 0, "rewrite", "awaited", "wait(", "await wait(")
        return TransformResult(code=self.CALL.sub("await wait(", source), notes=[note], source=source)


@pytest.fixture
def stubbed(harness: Harness) -> Harness:
    assert harness.kernel is not None
    harness.kernel.shell.pipeline.session = StubSession()  # type: ignore[assignment]
    harness.run("import asyncio\nasync def wait(x):\n    await asyncio.sleep(0)\n    return x")
    return harness


def test_notes_come_first_and_only_for_changed_cells(stubbed: Harness) -> None:
    _, events = stubbed.run("print(wait(5))")
    assert types_of(events) == ["display_data", "stream"]
    notes = events[0].content["data"]
    assert notes[NOTES_MIME_TYPE] == [
        {"line": 1, "col": 0, "kind": "rewrite", "message": "awaited", "before": "wait(", "after": "await wait("}
    ]
    assert notes["text/plain"] == "line 1: wait( → await wait( (awaited)"
    assert stream_text(events) == "5\n"
    _, unchanged = stubbed.run("print(1)")
    assert types_of(unchanged) == ["stream"]


def test_transform_notes_warnings_and_off(stubbed: Harness) -> None:
    stubbed.run("%transform notes warnings")
    _, events = stubbed.run("print(wait(1))")
    assert types_of(events) == ["stream"]
    stubbed.run("%transform notes all")
    _, events = stubbed.run("print(wait(1))")
    assert types_of(events) == ["display_data", "stream"]
    reply, _ = stubbed.run("%transform notes loud")
    assert reply["status"] == "error" and "usage" in reply["evalue"]


@pytest.mark.filterwarnings("ignore:coroutine 'wait' was never awaited:RuntimeWarning")
def test_transform_off_and_on(stubbed: Harness) -> None:
    _, events = stubbed.run("%transform off")
    assert stream_text(events) == "Rewriting is off.\n"
    _, events = stubbed.run("print(wait(2))")
    assert "coroutine" in stream_text(events)
    stubbed.run("%transform on")
    _, events = stubbed.run("print(wait(2))")
    assert stream_text(events) == "2\n"


def test_cell_magic_shows_the_rewrite_and_does_not_run(stubbed: Harness) -> None:
    _, events = stubbed.run("%%transform\nprint(wait(3))\nran = True")
    assert types_of(events) == ["display_data", "display_data"]
    assert events[0].content["data"]["text/plain"] == "print(await wait(3))\nran = True"
    assert NOTES_MIME_TYPE in events[1].content["data"]
    reply, _ = stubbed.run("ran")
    assert reply["ename"] == "NameError"


def test_the_rewrite_comes_with_a_diff_view_whose_text_is_the_rewrite(harness: Harness) -> None:
    from sync_kernel.kernel.transform_view import TRANSFORM_MIME_TYPE

    cell = (
        "import time\ndef twice():\n    # two waits\n    print(time.sleep(0), time.sleep(0))\n"
        "twice()\nmessage = 'time.sleep(3)'"
    )
    _, events = harness.run(f"%%transform\n{cell}")
    data = events[0].content["data"]
    lines = data[TRANSFORM_MIME_TYPE]["lines"]
    # The segments put together are the rewritten lines, in order: the view shows nothing else.
    assert ["".join(text for text, _, _ in line["segments"]) for line in lines] == data["text/plain"].splitlines()
    assert [line["status"] for line in lines] == ["same", "changed", "same", "changed", "changed", "same"]
    added = ["".join(text for text, _, new in line["segments"] if new) for line in lines]
    assert added[1] == "async " and added[4] == "await "
    assert added[3].count("await") == 2 and "print" not in added[3]
    kinds = {text: kind for line in lines for text, kind, _ in line["segments"]}
    assert kinds["async"] == kinds["def"] == kinds["await"] == "keyword"
    assert kinds["# two waits"] == "comment" and kinds["'time.sleep(3)'"] == "string"
    assert ["twice", "definition", False] in lines[1]["segments"]


def test_line_magic_shows_the_last_executed_cell(stubbed: Harness) -> None:
    stubbed.run("y = wait(4)")
    _, events = stubbed.run("%transform")
    assert events[0].content["data"]["text/plain"] == "y = await wait(4)"
    assert events[1].content["data"][NOTES_MIME_TYPE][0]["kind"] == "rewrite"


# -- %%time and %time ------------------------------------------------------------

# IPython writes microseconds with a Greek mu (or "us" where the terminal cannot show it).
UNITS = {"s": 1.0, "ms": 1e-3, "\u03bcs": 1e-6, "us": 1e-6, "ns": 1e-9}
TIMES = re.compile(r"CPU times: user .+, sys: .+, total: .+\nWall time: ([\d.]+) (s|ms|\u03bcs|us|ns)\n")


def wall_time(text: str) -> float:
    """The seconds of the one ``Wall time`` line in ``text``."""
    (match,) = TIMES.finditer(text)
    return float(match.group(1)) * UNITS[match.group(2)]


def test_time_cell_magic_awaits_the_rewritten_sleep_and_reports_times_before_the_result(harness: Harness) -> None:
    harness.run(
        "import asyncio, time\nticks = []\nasync def tick():\n    while True:\n        ticks.append(1)\n"
        "        await asyncio.sleep(0.01)\ntask = asyncio.get_event_loop().create_task(tick())"
    )
    reply, events = harness.run(
        "%%time\nn = len(ticks)\nfor i in range(2):\n    print(i)\n    time.sleep(0.1)\nlen(ticks) - n"
    )
    assert reply["status"] == "ok"
    assert types_of(events)[0] == "display_data"  # the notes, first
    notes = events[0].content["data"][NOTES_MIME_TYPE]
    # The magic's own note on line 1, then the sleep at the user's line 5.
    assert [(note["line"], note["kind"]) for note in notes] == [(1, "rewrite"), (5, "rewrite")]
    assert "timed code runs as the cell" in notes[0]["message"]
    assert types_of(events)[-1] == "execute_result"
    output = stream_text(events)
    assert output.startswith("0\n1\nCPU times: ")
    assert wall_time(output) >= 0.2
    # The background task ran while the cell slept: the sleep was awaited, not a busy-wait.
    assert int(events[-1].content["data"]["text/plain"]) >= 10
    harness.run("task.cancel()")


def test_time_line_magic_awaits_its_code(harness: Harness) -> None:
    harness.run("import time")
    reply, events = harness.run("%time time.sleep(0.05)")
    assert reply["status"] == "ok"
    assert events[0].content["data"][NOTES_MIME_TYPE][-1]["after"] == "await __sync__.sleep(0.05)"
    assert wall_time(stream_text(events)) >= 0.05
    _, events = harness.run("%transform")
    assert events[0].content["data"]["text/plain"] == "%time await __sync__.sleep(0.05)"


def test_time_magic_over_code_that_needs_no_rewrite_is_ipythons_own(harness: Harness) -> None:
    reply, events = harness.run("%time 6 * 7")
    assert reply["status"] == "ok"
    assert types_of(events) == ["stream", "execute_result"]
    assert TIMES.fullmatch(stream_text(events))
    assert events[-1].content["data"]["text/plain"] == "42"


def test_an_error_in_a_timed_cell_shows_the_users_line_after_the_times(harness: Harness) -> None:
    harness.run("import time")
    reply, events = harness.run("%%time\n\ntime.sleep(0.01)\n1 / 0\n")
    assert reply["status"] == "error" and reply["ename"] == "ZeroDivisionError"
    assert types_of(events)[-1] == "error"
    assert TIMES.fullmatch(stream_text(events))
    text = plain(events[-1].content["traceback"])
    assert "line 4" in text and "1 / 0" in text and "sync_kernel" not in text


def test_interrupting_a_timed_cell_reports_times_then_keyboardinterrupt(harness: Harness) -> None:
    assert harness.kernel is not None
    kernel = harness.kernel
    harness.run("import time")
    harness.on_event = lambda e: e.msg_type == "stream" and harness.loop.call_soon(kernel.interrupt)
    reply, events = harness.run("%%time\nprint('start')\ntime.sleep(30)")
    assert reply["ename"] == "KeyboardInterrupt"
    assert types_of(events)[-1] == "error"
    assert wall_time(stream_text(events)) < 30
    assert "time.sleep(30)" in plain(reply["traceback"])


def test_transform_magics_show_a_timed_cell_with_its_magic(harness: Harness) -> None:
    harness.run("import time")
    _, events = harness.run("%%transform\n%%time\ntime.sleep(0.01)")
    assert events[0].content["data"]["text/plain"] == "%%time\nawait __sync__.sleep(0.01)"
    harness.run("%%time\n\nx = 1\ntime.sleep(0.01)")
    _, events = harness.run("%transform")
    assert events[0].content["data"]["text/plain"] == "%%time\n\nx = 1\nawait __sync__.sleep(0.01)"


# -- completion, inspection, completeness ----------------------------------------


def test_complete_inspect_and_is_complete(harness: Harness) -> None:
    import json

    assert harness.kernel is not None
    harness.run("alphabet_soup = 1")
    completion = json.loads(harness.kernel.complete(json.dumps({"code": "alpha", "cursor_pos": 5})))
    assert "alphabet_soup" in completion["matches"] and completion["cursor_start"] == 0
    found = json.loads(harness.kernel.inspect(json.dumps({"code": "len", "cursor_pos": 3, "detail_level": 0})))
    assert found["found"] and "Return the number of items" in found["data"]["text/plain"]
    assert json.loads(harness.kernel.is_complete(json.dumps({"code": "for i in x:"})))["status"] == "incomplete"
    assert json.loads(harness.kernel.is_complete(json.dumps({"code": "x = 1"})))["status"] == "complete"


COMPLETIONS = [
    ("dict keys", "data['al", None),
    ("attributes", "import math\nmath.sq", None),
    ("keyword arguments", "area(rad", None),
    ("paths", "open('notes/ch", None),
    ("magics", "%ti", None),
    ("inferred by jedi", "def shout(text: str):\n    return text.up", None),
]


@pytest.mark.parametrize(("what", "code", "cursor"), COMPLETIONS, ids=[c[0] for c in COMPLETIONS])
def test_completions_are_ipykernels(
    harness: Harness, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, what: str, code: str, cursor: int | None
) -> None:
    """The complete_reply is what desktop ipykernel's would be, types included (IPython with jedi)."""
    import json
    import types

    from ipykernel.ipkernel import IPythonKernel

    assert harness.kernel is not None
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "chapter1.txt").write_text("")
    monkeypatch.chdir(tmp_path)
    harness.run("data = {'alpha': 1, 'beta': 2}\ndef area(radius, *, scale=1):\n    return 3.14 * radius**2 * scale")
    at = len(code) if cursor is None else cursor
    ours = json.loads(harness.kernel.complete(json.dumps({"code": code, "cursor_pos": at})))
    desktop = IPythonKernel._experimental_do_complete(types.SimpleNamespace(shell=harness.kernel.shell), code, at)  # type: ignore[arg-type]
    assert ours == desktop
    assert ours["matches"], f"{what}: something is offered"


def test_help_and_namespace_magics_print_as_in_ipython(
    harness: Harness, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``obj?``, ``obj??``, ``help(obj)``, ``%who``, ``%whos``, ``%history``, ``%env``, ``%cd``, ``%pwd``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    harness.run('def area(radius, *, scale=1):\n    "Area of a circle."\n    return 3.14 * radius**2 * scale')
    harness.run("count = 3")
    outputs = {}
    for code in ["area?", "area??", "help(area)", "%who", "%whos", "%history -n 1-2", "%env HOME", "%cd sub", "%pwd"]:
        reply, events = harness.run(code)
        assert reply["status"] == "ok", code
        shown = stream_text(events) + "".join(
            e.content["data"].get("text/plain", "") for e in events if e.msg_type in ("display_data", "execute_result")
        )
        outputs[code] = re.sub(r"\x1b\[[0-9;]*m", "", shown)  # IPython colours the help
    assert re.search(r"Signature:\s*area\(radius, \*, scale=1\)", outputs["area?"])
    assert re.search(r"Docstring:\s*Area of a circle\.", outputs["area?"])
    assert "return 3.14 * radius**2 * scale" in outputs["area??"]
    assert "area(radius, *, scale=1)" in outputs["help(area)"] and "Area of a circle." in outputs["help(area)"]
    assert outputs["%who"].split() == ["area", "count"]
    assert re.search(r"^count +int +3$", outputs["%whos"], re.M)
    history = outputs["%history -n 1-2"]
    assert history.startswith("   1:") and "def area(radius, *, scale=1):" in history and "   2: count = 3" in history
    assert os.environ["HOME"] in outputs["%env HOME"]
    assert outputs["%pwd"].strip("'\n") == str(tmp_path / "sub") == os.getcwd()


def test_jedi_is_switched_on_when_the_runtime_has_installed_it(harness: Harness) -> None:
    """Started without jedi (as in Pyodide, where it is installed later), the kernel completes what
    only inference finds once :func:`use_jedi` has run."""
    import json

    from IPython.core import completer

    assert harness.kernel is not None
    code = "def shout(text: str):\n    return text.up"  # only inference knows what text is
    request = json.dumps({"code": code, "cursor_pos": len(code)})
    harness.kernel.shell.Completer.use_jedi = False
    saved = completer.JEDI_INSTALLED
    completer.JEDI_INSTALLED = False
    try:
        assert json.loads(harness.kernel.complete(request))["matches"] == []
        harness.kernel.use_jedi()
        assert json.loads(harness.kernel.complete(request))["matches"] == ["upper"]
    finally:
        completer.JEDI_INSTALLED = saved


def test_cells_cannot_replace_or_close_the_kernel_loop(harness: Harness) -> None:
    harness.run(
        "import asyncio\nkernel_loop = asyncio.get_running_loop()\nother = asyncio.new_event_loop()\nasyncio.set_event_loop(other)"
    )
    reply, events = harness.run("await asyncio.sleep(0)\nprint(asyncio.get_running_loop() is kernel_loop)")
    assert reply["status"] == "ok" and stream_text(events) == "True\n"
    harness.run("other.close()")


def test_user_expressions_and_silent_requests(harness: Harness) -> None:
    harness.run("x = 20")
    reply, events = harness.run("x += 1", user_expressions={"double": "x * 2"})
    assert reply["user_expressions"]["double"]["data"] == {"text/plain": "42"}
    count = reply["execution_count"]
    reply, events = harness.run("x", silent=True)
    assert reply["status"] == "ok" and events == []
    assert harness.run("1")[0]["execution_count"] == count + 1


def test_a_failure_inside_the_kernel_is_an_error_reply_not_a_dead_kernel(harness: Harness) -> None:
    assert harness.kernel is not None
    shell = harness.kernel.shell

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise LookupError("the kernel itself failed")

    shell.run_cell_async = broken  # type: ignore[method-assign]
    try:
        reply, events = harness.run("1 + 1")
    finally:
        del shell.run_cell_async
    assert (reply["status"], reply["ename"], reply["evalue"]) == ("error", "LookupError", "the kernel itself failed")
    assert [e.msg_type for e in events] == ["error"]
    assert harness.run("1 + 1")[0]["status"] == "ok"


def test_cell_magic_knows_what_earlier_cells_converted(harness: Harness) -> None:
    harness.run("import time\ndef work():\n    time.sleep(0)\n    return 1")
    _, events = harness.run("%%transform\nprint(work())")
    assert events[0].content["data"]["text/plain"] == "print(await work())"
    # The preview changed nothing: the next cell is rewritten (and runs) as usual.
    _, events = harness.run("print(work())")
    assert stream_text(events) == "1\n"


def test_sigint_in_an_asyncio_run_the_codemod_kept_stops_the_cell_at_its_line(harness: Harness) -> None:
    # A kept `asyncio.run` runs on a private loop below the cell's frame: the cell's task has
    # stepped out of the kernel's loop meanwhile, yet the signal lands in the cell's code.
    assert harness.kernel is not None
    kernel = harness.kernel
    kernel.shell.push({"signal_here": lambda: kernel.on_interrupt_signal(signal.SIGINT, sys._getframe(1))})
    reply, events = harness.run(
        "import asyncio\nasync def main():\n    await asyncio.sleep(0.01)\n    signal_here()\n    await asyncio.sleep(20)\n"
        "print('start')\nlist(map(lambda _: asyncio.run(main()), [0]))\nprint('never')"
    )
    assert reply["ename"] == "KeyboardInterrupt"
    assert stream_text(events) == "start\n"
    assert re.search(r"-+> 7 list\(map", plain(reply["traceback"])), plain(reply["traceback"])
    reply, events = harness.run("print(list(map(lambda _: asyncio.run(asyncio.sleep(0, 'again')), [0])))")
    assert stream_text(events) == "['again']\n", reply


def test_sigint_in_ipythons_run_code_just_before_the_statement_stops_it_at_its_line(harness: Harness) -> None:
    # The window the between-statements check cannot see: IPython's run_code has begun (it reads
    # `user_ns` for exec) when the signal lands. The statement must not run on (a loop would not stop).
    assert harness.kernel is not None
    shell = harness.kernel.shell
    shell.interrupt_next_statement()
    source = "n = 0\nwhile True:\n    n += 1\n"
    statement = compile(source, shell.compile.cache(source, 99), "exec")
    asyncio.run(InteractiveShell.run_code(shell, statement))  # IPython's own, past the check in ours
    assert shell.last_error is not None and shell.last_error["ename"] == "KeyboardInterrupt"
    assert re.search(r"-+> 1 n = 0", plain(shell.last_error["traceback"])), "stopped at the statement's line"
    assert "n" not in shell.user_ns
    assert sys.gettrace() is None, "disarmed once it fired"
    reply, events = harness.run("print('next cell')")
    assert reply["status"] == "ok" and stream_text(events) == "next cell\n"


def test_an_interrupt_armed_after_the_last_statement_does_not_reach_the_next_cell(harness: Harness) -> None:
    assert harness.kernel is not None
    kernel = harness.kernel
    kernel.shell.push({"after_last": lambda: kernel.shell.interrupt_next_statement()})
    harness.run("after_last()")
    assert sys.gettrace() is None
    reply, events = harness.run("print('next cell')")
    assert reply["status"] == "ok" and stream_text(events) == "next cell\n"


def test_an_error_is_formatted_once_and_its_history_keeps_what_the_cell_showed(harness: Harness) -> None:
    # IPython formats a cell's error again for its history, from the whole traceback (the kernel's
    # frames too): that second pass made a Stop's reply up to half a second late.
    assert harness.kernel is not None
    shell = harness.kernel.shell
    formatted = []
    original = shell.InteractiveTB.structured_traceback

    def counting(*args: Any, **kwargs: Any) -> Any:
        formatted.append(args[0])
        return original(*args, **kwargs)

    shell.InteractiveTB.structured_traceback = counting  # type: ignore[method-assign]
    try:
        reply, _ = harness.run("def fail():\n    raise ValueError('boom')\nfail()")
    finally:
        del shell.InteractiveTB.structured_traceback
    assert reply["ename"] == "ValueError"
    assert formatted == [ValueError]
    stored = shell.history_manager.exceptions[reply["execution_count"]]
    assert stored == {"ename": "ValueError", "evalue": "boom", "traceback": reply["traceback"]}
