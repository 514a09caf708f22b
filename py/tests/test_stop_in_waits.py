"""Stop while a cell waits where desktop Python blocks raises ``KeyboardInterrupt`` there.

On desktop, Ctrl-C (Jupyter's Stop) raises ``KeyboardInterrupt`` inside ``time.sleep``,
``t.join()``, ``input()`` or ``asyncio.run``, and notebooks catch it to end a loop
cleanly (``except KeyboardInterrupt: print("stopped")``). In the kernel those calls
are awaits and a Stop cancels the cell's task; the waits that stand in for them turn
that back into ``KeyboardInterrupt``. Each cell here runs twice: as a script on
desktop CPython, sent ``SIGINT`` after each line that starts with ``tick``, and in the
kernel, stopped after each such line; the outputs must match.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap

import pytest

from kernel_harness import Event, Harness, plain, stream_text
from sync_kernel.codemod.memory import Registry
from sync_kernel.codemod.support import Support

#: Longest a desktop run may take (the cells stop long before; this ends a hang).
DESKTOP_TIMEOUT = 60


def desktop_run(code: str, stops: int) -> tuple[str, str]:
    """Run ``code`` as a script on desktop CPython, sending ``SIGINT`` after each of the first
    ``stops`` lines that start with ``tick``; returns its stdout and the last line of its stderr."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    sent = 0
    for line in process.stdout:
        lines.append(line)
        if line.startswith("tick") and sent < stops:
            process.send_signal(signal.SIGINT)
            sent += 1
    _, stderr = process.communicate(timeout=DESKTOP_TIMEOUT)
    return "".join(lines), (stderr.strip().splitlines() or [""])[-1]


def kernel_run(harness: Harness, code: str, stops: int) -> tuple[dict[str, object], str]:
    """Run ``code`` as one cell, pressing Stop after each of the first ``stops`` outputs that start with ``tick``."""
    assert harness.kernel is not None
    kernel = harness.kernel
    sent = 0

    def stop_after_tick(event: Event) -> None:
        nonlocal sent
        ticked = any(line.startswith("tick") for line in event.content.get("text", "").splitlines())
        if event.msg_type == "stream" and ticked and sent < stops:
            sent += 1
            harness.loop.call_soon(kernel.interrupt)

    harness.on_event = stop_after_tick
    reply, events = harness.run(code)
    harness.on_event = None
    return reply, stream_text(events)


CAUGHT = {
    "a sleep loop, caught around the loop; the cell goes on and sleeps again": """
        import time
        try:
            for i in range(100):
                print("tick", i)
                time.sleep(5)
        except KeyboardInterrupt:
            print("stopped at", i)
        time.sleep(0.01)
        print("after")
    """,
    "two Stops, each caught by its own try": """
        import time
        caught = 0
        for round in range(2):
            try:
                while True:
                    print("tick", round)
                    time.sleep(5)
            except KeyboardInterrupt:
                caught += 1
                print("caught in round", round)
        print("caught", caught)
    """,
    "a sleep two calls down, caught by the caller (the functions became async def)": """
        import time
        def wait_a_bit():
            print("tick")
            time.sleep(5)
            return "slept"
        def main():
            try:
                return wait_a_bit()
            except KeyboardInterrupt:
                return "interrupted"
            finally:
                print("finally runs")
        print(main())
    """,
    "except Exception does not catch it, an outer except KeyboardInterrupt does": """
        import time
        try:
            try:
                print("tick")
                time.sleep(5)
            except Exception:
                print("wrong handler")
        except KeyboardInterrupt as error:
            print("caught", type(error).__name__, repr(str(error)))
    """,
    "a join on a thread": """
        import threading, time
        done = threading.Event()
        def work():
            while not done.is_set():
                time.sleep(0.01)
        t = threading.Thread(target=work)
        t.start()
        try:
            print("tick")
            t.join()
        except KeyboardInterrupt:
            print("join interrupted")
            done.set()
            t.join()
        print("alive", t.is_alive())
    """,
    "a worker thread shut down cleanly after the main loop catches the Stop (the thread runs on)": """
        import threading, time
        stop = threading.Event()
        def worker():
            while not stop.is_set():
                time.sleep(0.01)
            print("worker exiting")
        t = threading.Thread(target=worker)
        t.start()
        try:
            print("tick")
            while True:
                time.sleep(0.05)
        except KeyboardInterrupt:
            print("stopping")
            stop.set()
            t.join()
        print("done", t.is_alive())
    """,
    "a thread pool's map: the calls not yet started are cancelled, so leaving the pool is quick": """
        from concurrent.futures import ThreadPoolExecutor
        import time
        done = []
        def work(i):
            time.sleep(0.05)
            done.append(i)
            return i
        try:
            with ThreadPoolExecutor(2) as pool:
                print("tick")
                print(list(pool.map(work, range(200))))
        except KeyboardInterrupt:
            print("stopped with", len(done) < 10, "calls done")
    """,
    "asyncio.run: main is cancelled first, then asyncio.run raises KeyboardInterrupt": """
        import asyncio
        async def main():
            try:
                print("tick")
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                print("main cancelled")
                raise
            finally:
                print("main ends")
        try:
            asyncio.run(main())
        except KeyboardInterrupt:
            print("asyncio.run interrupted")
    """,
}


@pytest.mark.parametrize("code", CAUGHT.values(), ids=CAUGHT.keys())
def test_a_stop_caught_as_keyboardinterrupt_goes_on_as_on_desktop(harness: Harness, code: str) -> None:
    code = textwrap.dedent(code)
    stops = 2 if "round" in code else 1
    desktop_stdout, _ = desktop_run(code, stops)
    reply, stdout = kernel_run(harness, code, stops)
    assert stdout == desktop_stdout
    assert reply["status"] == "ok", plain(reply.get("traceback", []))  # type: ignore[arg-type]
    # The Stop was taken: the next cell runs, and is not stopped by it.
    reply, events = harness.run("import time\ntime.sleep(0.01)\nprint('next cell')")
    assert reply["status"] == "ok" and stream_text(events) == "next cell\n"


def test_an_uncaught_stop_in_a_sleep_reports_keyboardinterrupt_at_the_users_line(harness: Harness) -> None:
    code = "import time\ndef pause():\n    time.sleep(5)\nprint('tick')\npause()\nprint('never')\n"
    desktop_stdout, desktop_error = desktop_run(code, 1)
    reply, stdout = kernel_run(harness, code, 1)
    assert stdout == desktop_stdout == "tick\n"
    assert desktop_error == "KeyboardInterrupt"
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    traceback = plain(reply["traceback"])  # type: ignore[arg-type]
    assert "pause()" in traceback and "time.sleep(5)" in traceback
    assert "support.py" not in traceback and "asyncio" not in traceback


def test_a_stop_that_ends_the_cell_ends_the_threads_it_left_running(harness: Harness) -> None:
    # Desktop cannot stop a thread at all; here a Stop the cell does not catch ends them with it.
    code = textwrap.dedent(
        """
        import threading, time
        def worker():
            while True:
                time.sleep(0.01)
        t = threading.Thread(target=worker, daemon=True)
        t.start()
        print("tick")
        t.join()
        """
    )
    reply, _ = kernel_run(harness, code, 1)
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    reply, events = harness.run("print(t.is_alive(), threading.active_count())")
    assert stream_text(events) == "False 1\n"


def test_a_stop_while_input_waits_raises_keyboardinterrupt_in_input_as_ipykernel(harness: Harness) -> None:
    assert harness.kernel is not None
    kernel = harness.kernel
    harness.on_event = lambda e: e.msg_type == "input_request" and harness.loop.call_soon(kernel.interrupt)
    reply, events = harness.run(
        "try:\n    name = input('name? ')\nexcept KeyboardInterrupt as error:\n    print('no name:', error)\nprint('on')"
    )
    assert reply["status"] == "ok"
    assert stream_text(events) == "no name: Interrupted by user\non\n"
    assert not kernel.shell.input_hook.waiting


def test_a_cancellation_that_is_not_a_stop_stays_cancelled_error() -> None:
    # A task the user cancels, a timeout: no Ctrl-C on desktop either, so no KeyboardInterrupt.
    support = Support(Registry())
    support.take_stop = lambda: False

    async def cancelled_in_sleep() -> str:
        task = asyncio.ensure_future(support.sleep(5))
        await asyncio.sleep(0)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        return "slept"

    assert asyncio.run(cancelled_in_sleep()) == "cancelled"
