"""``jupyter_ui_poll``'s API works unchanged: a cell polls for widget events and sees them."""

from __future__ import annotations

from test_comms import widget_model_id
from test_live_comms import click, deliver_later, move

from kernel_harness import Event, Harness, stream_text

BUTTON = (
    "import time\nfrom ipywidgets import Button\nfrom jupyter_ui_poll import ui_events, run_ui_poll_loop\n"
    "ui_done = False\n"
    "def on_click(btn):\n    global ui_done\n    ui_done = True\n    btn.description = 'thumbs up'\n"
    "btn = Button(description='Click Me')\nbtn.on_click(on_click)\nbtn"
)


def clicked_while_running(harness: Harness, code: str, *, after: float = 0.05, setup: str = BUTTON) -> list[Event]:
    """Show the button (``setup``), run ``code`` while a click on it arrives ``after`` seconds in;
    the cell's events (it must succeed)."""
    _, events = harness.run(setup)
    deliver_later(harness, after, "comm_msg", click(widget_model_id(events)), "click")
    reply, events = harness.run(code)
    assert reply["status"] == "ok"
    return events


def notes(events: list[Event]) -> str:
    return "".join(str(e.content["data"].get("text/plain", "")) for e in events if e.msg_type == "display_data")


def test_the_readme_example_waits_for_the_click_then_goes_on(harness: Harness) -> None:
    events = clicked_while_running(
        harness,
        "with ui_events() as poll:\n    while ui_done is False:\n        poll(10)\n"
        "        print('.', end='')\n        time.sleep(0.1)\nprint('done')\nprint(btn.description)",
        after=0.25,
    )
    text = stream_text(events)
    assert text.endswith("done\nthumbs up\n")
    assert set(text.split("done")[0]) == {"."}
    assert "lets widget events in while the cell runs" in notes(events)


def test_poll_alone_lets_the_click_in_a_loop_that_never_sleeps(harness: Harness) -> None:
    events = clicked_while_running(
        harness,
        "with ui_events() as poll:\n    for polls in range(100_000):\n        if ui_done:\n            break\n"
        "        poll(1)\nprint('clicked after polling', ui_done and polls > 0)",
    )
    assert stream_text(events) == "clicked after polling True\n"


def test_run_ui_poll_loop_returns_the_first_value_that_is_not_none(harness: Harness) -> None:
    events = clicked_while_running(
        harness,
        "calls = []\ndef check():\n    calls.append(1)\n    return btn.description if ui_done else None\n"
        "answer = run_ui_poll_loop(check, sleep=0.02)\nprint(answer, len(calls) > 1)",
        after=0.1,
    )
    assert stream_text(events) == "thumbs up True\n"


def test_with_ui_events_reads_a_slider_between_items(harness: Harness) -> None:
    _, events = harness.run(
        "import time\nfrom ipywidgets import IntSlider\nfrom jupyter_ui_poll import with_ui_events\ns = IntSlider()\ns"
    )
    deliver_later(harness, 0.05, "comm_msg", move(widget_model_id(events), 9), "move-1")
    reply, events = harness.run(
        "seen = []\nfor i in with_ui_events(range(10), n=5):\n    seen.append(s.value)\n    time.sleep(0.02)\n"
        "print(seen[0], seen[-1])"
    )
    assert reply["status"] == "ok"
    assert stream_text(events) == "0 9\n"


def test_the_async_form_works_as_written(harness: Harness) -> None:
    events = clicked_while_running(
        harness,
        "import asyncio\nasync def wait_for_click():\n    async with ui_events() as poll:\n"
        "        while not ui_done:\n            await poll(10)\n            await asyncio.sleep(0.01)\n"
        "    return btn.description\nprint(asyncio.run(wait_for_click()))",
    )
    assert stream_text(events) == "thumbs up\n"


def test_a_poller_from_an_earlier_cell_is_still_awaited(harness: Harness) -> None:
    events = clicked_while_running(
        harness,
        "for _ in range(100_000):\n    if ui_done:\n        break\n    poller(5)\nprint(ui_done)",
        setup=BUTTON.replace("\nbtn.on_click", "\npoller = ui_events()\nbtn.on_click"),
    )
    assert stream_text(events) == "True\n"
