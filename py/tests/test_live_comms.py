"""Front-end messages reach a cell while it waits: a click or a slider move is handled at the
cell's next ``await``, and what its callback outputs belongs to that message, not to the cell."""

from __future__ import annotations

import json
from typing import Any

from test_comms import widget_model_id

from kernel_harness import Event, Harness, stream_text
from sync_kernel.kernel.outputs import Outputs


def deliver_later(harness: Harness, delay: float, kind: str, content: dict[str, Any], msg_id: str) -> None:
    """Deliver a comm message ``delay`` seconds into the next cell, as the runtime would at an await."""
    kernel = harness.kernel
    assert kernel is not None
    message = json.dumps({"content": content, "metadata": {}, "buffers": []})
    header = json.dumps({"msg_id": msg_id, "msg_type": kind})
    harness.loop.call_later(delay, getattr(kernel, kind), message, header)


def click(model: str) -> dict[str, Any]:
    return {"comm_id": model, "data": {"method": "custom", "content": {"event": "click"}}}


def move(model: str, value: int) -> dict[str, Any]:
    return {"comm_id": model, "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}}


def by_parent(events: list[Event], parent: str) -> list[Event]:
    return [e for e in events if e.parent == parent]


def test_a_click_during_a_sleep_loop_is_seen_by_the_loop_and_its_print_goes_to_the_click(harness: Harness) -> None:
    _, events = harness.run(
        "import time\nfrom ipywidgets import Button\nclicked = []\nb = Button(description='go')\n"
        "def on_click(_):\n    clicked.append(1)\n    print('clicked')\n"
        "b.on_click(on_click)\nb"
    )
    deliver_later(harness, 0.05, "comm_msg", click(widget_model_id(events)), "click-1")
    reply, events = harness.run(
        "for i in range(200):\n    if clicked:\n        print('seen click at', i)\n        break\n    time.sleep(0.01)"
    )
    assert reply["status"] == "ok"
    cell = events[0].parent
    seen = stream_text(by_parent(events, cell))
    assert seen.startswith("seen click at ")
    assert int(seen.split()[-1]) < 200
    assert stream_text(by_parent(events, "click-1")) == "clicked\n"


def test_a_slider_moved_three_times_during_a_loop_is_read_three_times(harness: Harness) -> None:
    _, events = harness.run("import time\nfrom ipywidgets import IntSlider\ns = IntSlider(value=0)\ns")
    model = widget_model_id(events)
    for n, value in enumerate((3, 5, 8)):
        deliver_later(harness, 0.05 + 0.05 * n, "comm_msg", move(model, value), f"move-{n}")
    reply, events = harness.run(
        "seen = []\nfor _ in range(100):\n    if s.value not in seen:\n        seen.append(s.value)\n"
        "    if len(seen) == 4:\n        break\n    time.sleep(0.01)\nprint(seen)"
    )
    assert reply["status"] == "ok"
    assert stream_text(events) == "[0, 3, 5, 8]\n"


def test_an_output_widget_in_a_callback_captures_by_the_click_while_the_cell_keeps_its_outputs(
    harness: Harness,
) -> None:
    _, events = harness.run(
        "import time\nfrom ipywidgets import Button, Output\nout = Output()\nb = Button()\n"
        "def on_click(_):\n    with out:\n        print('into out', get_ipython().kernel.get_parent()['header']['msg_id'])\n"
        "b.on_click(on_click)\nb"
    )
    deliver_later(harness, 0.03, "comm_msg", click(widget_model_id(events)), "click-2")
    _, events = harness.run("print('before')\ntime.sleep(0.1)\nprint('after')")
    cell = events[0].parent
    assert stream_text(by_parent(events, cell)) == "before\nafter\n"
    assert stream_text(by_parent(events, "click-2")) == "into out click-2\n"
    captures = [
        e.content["data"]["state"]["msg_id"]
        for e in by_parent(events, "click-2")
        if e.msg_type == "comm_msg" and "msg_id" in e.content["data"].get("state", {})
    ]
    assert captures == ["click-2", ""]  # capture on entering `with out:`, released on leaving


def test_a_task_a_callback_starts_keeps_the_callbacks_parent(harness: Harness) -> None:
    _, events = harness.run(
        "import asyncio, time\nfrom ipywidgets import Button\nb = Button()\n"
        "async def later():\n    await asyncio.sleep(0.01)\n    print('from the task')\n"
        "b.on_click(lambda _: asyncio.ensure_future(later()))\nb"
    )
    deliver_later(harness, 0.02, "comm_msg", click(widget_model_id(events)), "click-3")
    _, events = harness.run("time.sleep(0.1)\nprint('cell done')")
    assert stream_text(by_parent(events, "click-3")) == "from the task\n"
    assert stream_text(by_parent(events, events[-1].parent)) == "cell done\n"


def test_text_buffered_for_one_request_is_sent_apart_from_anothers() -> None:
    sent: list[tuple[str, str, str]] = []
    outputs = Outputs(lambda kind, content, parent: sent.append((kind, json.loads(content)["text"], parent)))
    outputs.set_parent('"cell"')
    outputs.stdout.write("a")
    outputs.run_for('"click"', outputs.stdout.write, "b")
    outputs.stdout.write("c")
    outputs.flush()
    assert sent == [("stream", "a", '"cell"'), ("stream", "b", '"click"'), ("stream", "c", '"cell"')]
