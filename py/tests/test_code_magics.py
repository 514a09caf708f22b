"""``%time``, ``%timeit`` and ``%%capture`` over code that needs rewriting: run awaited, reported as IPython does."""

from __future__ import annotations

import re

from kernel_harness import Event, Harness, plain, stream_text
from sync_kernel.codemod.notes import NOTES_MIME_TYPE

NAP = "import asyncio, time\ndef nap(seconds):\n    time.sleep(seconds)\n    return seconds"
TICKER = (
    "ticks = []\nasync def tick():\n    while True:\n        ticks.append(1)\n        await asyncio.sleep(0.005)\n"
    "ticker = asyncio.get_event_loop().create_task(tick())"
)
#: IPython's line for a TimeitResult: "12.3 ms ± 45.6 µs per loop (mean ± std. dev. of 3 runs, 2 loops each)".
TIMEIT_LINE = re.compile(
    r"^([\d.]+) (ns|µs|μs|us|ms|s) ± [\d.]+ \S+ per loop \(mean ± std\. dev\. of (\d+) runs?, (\d+) loops? each\)$"
)
UNITS = {"ns": 1e-9, "µs": 1e-6, "μs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def notes_of(events: list[Event]) -> list[dict[str, object]]:
    return [note for e in events if e.msg_type == "display_data" for note in e.content["data"].get(NOTES_MIME_TYPE, [])]


def timeit_line(events: list[Event]) -> tuple[float, int, int]:
    """(mean seconds per loop, runs, loops) from the line ``%timeit`` printed."""
    (match,) = [m for m in map(TIMEIT_LINE.match, stream_text(events).splitlines()) if m]
    return float(match.group(1)) * UNITS[match.group(2)], int(match.group(3)), int(match.group(4))


def test_timeit_awaits_the_rewritten_code_and_counts_the_waits(harness: Harness) -> None:
    harness.run(NAP)
    harness.run(TICKER)
    reply, events = harness.run("before = len(ticks)\n%timeit -n 2 -r 3 nap(0.02)\nduring = len(ticks) - before")
    assert reply["status"] == "ok"
    mean, runs, loops = timeit_line(events)
    assert (runs, loops) == (3, 2)
    assert mean >= 0.02  # each loop waited its 20 ms
    # 6 naps of 20 ms: the background task ticked all along (the waits were awaits, not busy-waits).
    assert int(harness.run("during")[1][-1].content["data"]["text/plain"]) >= 12
    kinds = [(note["line"], note["kind"]) for note in notes_of(events)]
    assert (2, "rewrite") in kinds and (2, "await-call") in kinds
    harness.run("ticker.cancel()")


def test_timeit_chooses_the_loop_count_as_ipython_does(harness: Harness) -> None:
    harness.run(NAP)
    # IPython tries 1, 10, 100… loops until one run takes 0.2 s: 1 × 30 ms is too short, 10 × 30 ms is not.
    reply, events = harness.run("result = %timeit -o -r 1 nap(0.03)")
    assert reply["status"] == "ok"
    _, runs, loops = timeit_line(events)
    assert (runs, loops) == (1, 10)
    _, events = harness.run("(result.loops, result.repeat, len(result.all_runs), result.best >= 0.03)")
    assert events[-1].content["data"]["text/plain"] == "(10, 1, 1, True)"


def test_timeit_cell_runs_its_setup_line_then_times_the_body(harness: Harness) -> None:
    harness.run(NAP)
    reply, events = harness.run("%%timeit -n1 -r2 -v saved pause = 0.01\nnap(pause)\nnap(pause)")
    assert reply["status"] == "ok"
    mean, runs, loops = timeit_line(events)
    assert (runs, loops) == (2, 1) and mean >= 0.02
    _, events = harness.run("saved.loops, saved.repeat")
    assert events[-1].content["data"]["text/plain"] == "(1, 2)"


def test_quiet_timeit_prints_nothing(harness: Harness) -> None:
    harness.run(NAP)
    reply, events = harness.run("%timeit -q -n1 -r1 nap(0)")
    assert reply["status"] == "ok" and stream_text(events) == ""


def test_time_in_an_assignment_returns_the_value_and_prints_the_times(harness: Harness) -> None:
    harness.run(NAP)
    reply, events = harness.run("x = %time nap(0.05)\nx * 2")
    assert reply["status"] == "ok"
    output = stream_text(events)
    assert output.startswith("CPU times: ") and "Wall time: " in output
    wall = re.search(r"Wall time: ([\d.]+) (ms|s)", output)
    assert wall is not None and float(wall.group(1)) * UNITS[wall.group(2)] >= 0.05
    assert events[-1].content["data"]["text/plain"] == "0.1"


def test_an_error_under_time_shows_the_times_then_the_users_line(harness: Harness) -> None:
    harness.run(NAP)
    reply, events = harness.run("x = 1\ny = %time nap(0) / 0")
    assert reply["ename"] == "ZeroDivisionError"
    assert "Wall time: " in stream_text(events)
    text = plain(reply["traceback"])
    assert "line 2" in text and "nap(0) / 0" in text and "code_magics" not in text
    reply, events = harness.run("%time --no-raise-error nap(0) / 0\nprint('went on')")
    assert reply["status"] == "ok" and "went on" in stream_text(events)
    assert [e.content["ename"] for e in events if e.msg_type == "error"] == ["ZeroDivisionError"]


def test_capture_keeps_the_outputs_of_rewritten_code_for_later(harness: Harness) -> None:
    harness.run(NAP)
    reply, events = harness.run("%%capture captured\nprint('one')\nnap(0.01)\nprint('two', nap(0))")
    assert reply["status"] == "ok" and stream_text(events) == ""
    assert [note["line"] for note in notes_of(events) if note["kind"] != "rewrite" or note["line"] != 1] == [3, 4]
    _, events = harness.run("captured.stdout")
    assert events[-1].content["data"]["text/plain"] == repr("one\ntwo 0\n")
    _, events = harness.run("captured.show()")
    assert stream_text(events) == "one\ntwo 0\n"


def test_code_that_needs_no_rewriting_is_left_to_ipythons_own_magics(harness: Harness) -> None:
    reply, events = harness.run("%timeit -n1 -r1 sum(range(10))")
    assert reply["status"] == "ok" and notes_of(events) == []
    assert timeit_line(events)[1:] == (1, 1)


def test_transform_shows_the_awaited_magic(harness: Harness) -> None:
    harness.run(NAP)
    _, events = harness.run("%%transform\n%timeit -n 3 nap(1)")
    code = events[0].content["data"]["text/plain"]
    assert code == "await __magics__.timeit('-n 3 ', 'await nap(1)')"
