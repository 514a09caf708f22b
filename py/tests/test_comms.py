"""Comms and ipywidgets: what a widget sends the front end, and what the front end's messages do."""

from __future__ import annotations

import json
from typing import Any

from kernel_harness import Event, Harness, stream_text
from sync_kernel.kernel import install_io

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def from_front_end(harness: Harness, kind: str, content: dict[str, Any], msg_id: str) -> list[Event]:
    """Deliver a comm message as the runtime does (its header first); the events it caused."""
    kernel = harness.kernel
    assert kernel is not None
    start = len(harness.events)
    restore = install_io(kernel)
    try:
        message = json.dumps({"content": content, "metadata": {}, "buffers": []})
        getattr(kernel, kind)(message, json.dumps({"msg_id": msg_id, "msg_type": kind}))
    finally:
        restore()
    return harness.events[start:]


def widget_model_id(events: list[Event]) -> str:
    (view,) = [
        e.content["data"][WIDGET_VIEW]
        for e in events
        if e.msg_type in ("display_data", "execute_result") and WIDGET_VIEW in e.content["data"]
    ]
    return str(view["model_id"])


def test_a_displayed_widget_opens_its_comm_then_shows_its_view(harness: Harness) -> None:
    reply, events = harness.run("from ipywidgets import IntSlider\nslider = IntSlider(value=3, max=10)\nslider")
    assert reply["status"] == "ok"
    opens = [e for e in events if e.msg_type == "comm_open"]
    model = widget_model_id(events)
    slider = next(e for e in opens if e.content["comm_id"] == model)
    assert slider.content["target_name"] == "jupyter.widget"
    assert slider.content["data"]["state"]["value"] == 3
    assert [e.msg_type for e in events].index("comm_open") < [e.msg_type for e in events].index("execute_result")
    _, events = harness.run(
        "import json\nprint(json.loads(get_ipython().kernel.comm_info('{}'))['comms'][slider.model_id])"
    )
    assert stream_text(events) == "{'target_name': 'jupyter.widget'}\n"


def test_the_front_end_moves_the_slider_and_python_sees_it_and_observers_run(harness: Harness) -> None:
    _, events = harness.run(
        "from ipywidgets import IntSlider\nslider = IntSlider(value=3)\n"
        "slider.observe(lambda change: print('now', change['new']), 'value')\nslider"
    )
    model = widget_model_id(events)
    update = {"comm_id": model, "data": {"method": "update", "state": {"value": 7}, "buffer_paths": []}}
    caused = from_front_end(harness, "comm_msg", update, "move-1")
    assert stream_text(caused) == "now 7\n"
    _, events = harness.run("slider.value")
    assert events[-1].content["data"]["text/plain"] == "7"


def test_interact_output_goes_to_its_output_widget_for_the_message_that_caused_it(harness: Harness) -> None:
    _, events = harness.run(
        "from ipywidgets import interact\n@interact(x=(0, 10))\ndef show(x=2):\n    print('x is', x)"
    )
    assert "x is 2\n" in stream_text(events)
    sliders = [
        e.content["comm_id"]
        for e in events
        if e.msg_type == "comm_open" and e.content["data"]["state"].get("_model_name") == "IntSliderModel"
    ]
    (slider,) = sliders
    update = {"comm_id": slider, "data": {"method": "update", "state": {"value": 5}, "buffer_paths": []}}
    caused = from_front_end(harness, "comm_msg", update, "move-2")
    # The Output widget is told to capture this message's outputs (its msg_id), then gets them.
    captures = [
        e.content["data"]["state"]["msg_id"]
        for e in caused
        if e.msg_type == "comm_msg" and "msg_id" in e.content["data"].get("state", {})
    ]
    assert captures[0] == "move-2"
    assert stream_text(caused) == "x is 5\n"


def test_a_comm_opened_by_the_front_end_for_no_target_is_closed(harness: Harness) -> None:
    caused = from_front_end(harness, "comm_open", {"comm_id": "c1", "target_name": "nobody", "data": {}}, "open-1")
    assert [(e.msg_type, e.content["comm_id"]) for e in caused] == [("comm_close", "c1")]
