"""Threads run as tasks: a notebook's threads print what they print on CPython, in the same order.

Each test runs the cells twice: as written, with CPython's real threads, and
rewritten, with :mod:`sync_kernel.threads` on one event loop, and compares what
a user sees (output, errors, data left behind). Orders compared are those
CPython makes deterministic: events that sleeps keep apart, or that locks,
queues and joins order. Elapsed times are compared as ratios, within a factor.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import Outcome, assert_same_behaviour, cells_of, rewrite, run_original, run_rewritten

PY = Path(__file__).resolve().parent.parent


def same_as_desktop(*cells: str) -> Outcome:
    """The cells print what CPython's threads print, and really ran as tasks (no cell left as written)."""
    outcome = assert_same_behaviour(*cells)
    assert not [note for result in outcome.results for note in result.notes if note.kind == "internal"]
    assert "sync_kernel.threads" in outcome.results[0].code, outcome.results[0].code
    return outcome


def timed(run, cells: list[str]):
    start = time.perf_counter()
    outcome = run(cells)
    return outcome, time.perf_counter() - start


def test_two_sleeping_threads_overlap_as_on_desktop():
    cells = cells_of(
        """
        import threading, time
        def work(name):
            print(name, "starts")
            time.sleep(0.3)
            print(name, "ends")
        a = threading.Thread(target=work, args=("a",))
        b = threading.Thread(target=work, args=("b",))
        a.start()
        time.sleep(0.05)
        b.start()
        a.join()
        b.join()
        print("both done")
        """
    )
    expected, desktop = timed(run_original, cells)
    actual, ours = timed(run_rewritten, cells)
    assert not [n for r in actual.results for n in r.notes if n.kind == "internal"], actual.results
    assert actual.behaviour() == expected.behaviour(), "\n".join(r.code for r in actual.results)
    assert expected.stdout == "a starts\nb starts\na ends\nb ends\nboth done\n"
    assert ours < 0.5, f"the threads ran one after the other ({ours:.2f} s; CPython {desktop:.2f} s)"
    assert ours < desktop * 1.6


def test_a_list_of_threads_is_joined_in_a_later_cell():
    same_as_desktop(
        """
        import threading
        import time
        results = []
        def work(n):
            time.sleep(0.05 * (3 - n))
            results.append(n)
        threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        """,
        """
        for t in threads:
            t.join()
        print(results, [t.is_alive() for t in threads])
        del threads, t
        """,
    )


def test_producer_and_consumer_over_a_bounded_queue_interleave_as_on_desktop():
    outcome = same_as_desktop(
        """
        import queue, threading, time
        q = queue.Queue(maxsize=1)
        def producer():
            for i in range(4):
                q.put(i)
                time.sleep(0.04)
            q.put(None)
        def consumer():
            while (item := q.get()) is not None:
                print("got", item)
                q.task_done()
            print("consumer stops")
        threading.Thread(target=producer).start()
        c = threading.Thread(target=consumer)
        c.start()
        c.join()
        """
    )
    assert outcome.stdout == "got 0\ngot 1\ngot 2\ngot 3\nconsumer stops\n"


def test_a_lock_keeps_a_sleeping_critical_section_whole():
    outcome = same_as_desktop(
        """
        import threading, time
        lock = threading.Lock()
        def section(name, delay):
            time.sleep(delay)
            with lock:
                print(name, "in")
                time.sleep(0.1)
                print(name, "out")
        ts = [threading.Thread(target=section, args=(n, d)) for n, d in (("a", 0), ("b", 0.03), ("c", 0.06))]
        for t in ts: t.start()
        for t in ts: t.join()
        del ts, t
        """
    )
    assert outcome.stdout == "a in\na out\nb in\nb out\nc in\nc out\n"


def test_a_thread_subclass_with_its_own_lock_attribute():
    same_as_desktop(
        """
        import threading, time
        class Counter(threading.Thread):
            def __init__(self, steps):
                super().__init__()
                self.steps = steps
                self.lock = threading.Lock()
                self.count = 0
            def run(self):
                for _ in range(self.steps):
                    with self.lock:
                        self.count += 1
                    time.sleep(0.01)
        counters = [Counter(3), Counter(5)]
        for c in counters: c.start()
        for c in counters: c.join()
        print([c.count for c in counters])
        del counters, c
        """
    )


def test_event_and_condition_wake_the_waiters():
    outcome = same_as_desktop(
        """
        import threading, time
        ready = threading.Event()
        cond = threading.Condition()
        items = []
        def waiter():
            ready.wait()
            print("event seen")
            with cond:
                cond.wait_for(lambda: len(items) == 2)
                print("items", items)
        t = threading.Thread(target=waiter)
        t.start()
        time.sleep(0.05)
        ready.set()
        for i in range(2):
            time.sleep(0.03)
            with cond:
                items.append(i)
                cond.notify_all()
        t.join()
        print("timed out:", not threading.Event().wait(0.01))
        """
    )
    assert outcome.stdout == "event seen\nitems [0, 1]\ntimed out: True\n"


def test_a_thread_pool_maps_submits_and_completes_as_on_desktop():
    outcome = same_as_desktop(
        """
        import time
        from concurrent.futures import ThreadPoolExecutor, as_completed, wait
        def square(n):
            time.sleep(0.02 * (4 - n))
            return n * n
        with ThreadPoolExecutor(max_workers=4) as pool:
            print(list(pool.map(square, range(4))))
            futures = [pool.submit(square, n) for n in range(4)]
            print([f.result() for f in as_completed(futures)])
            done, pending = wait(futures)
            print(len(done), len(pending))
        """
    )
    assert outcome.stdout == "[0, 1, 4, 9]\n[9, 4, 1, 0]\n4 0\n"


def test_asyncio_to_thread_and_run_in_executor_overlap():
    cells = cells_of(
        """
        import asyncio, time
        def blocking(n):
            time.sleep(0.2)
            return n
        async def main():
            loop = asyncio.get_running_loop()
            return await asyncio.gather(asyncio.to_thread(blocking, 1), loop.run_in_executor(None, blocking, 2))
        print(asyncio.run(main()))
        """
    )
    expected, desktop = timed(run_original, cells)
    actual, ours = timed(run_rewritten, cells)
    assert not [n for r in actual.results for n in r.notes if n.kind == "internal"], actual.results
    assert actual.behaviour() == expected.behaviour(), "\n".join(r.code for r in actual.results)
    assert ours < 0.35, f"to_thread and run_in_executor did not overlap ({ours:.2f} s, CPython {desktop:.2f} s)"


def test_an_error_in_a_thread_goes_through_excepthook_and_the_cell_goes_on(monkeypatch):
    import threading

    import sync_kernel.threads.threading as tasks_threading

    # The cells replace the hook of the module they import: both are put back after the test.
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(tasks_threading, "excepthook", tasks_threading.excepthook)
    same_as_desktop(
        """
        import threading
        seen = []
        threading.excepthook = lambda args: seen.append((args.exc_type.__name__, str(args.exc_value)))
        def boom():
            raise ValueError("bad input")
        t = threading.Thread(target=boom)
        t.start()
        t.join()
        print(seen, t.is_alive())
        """
    )


def _run_fresh(program: str) -> str:
    """Run ``program`` in a new interpreter (thread names are numbered per process)."""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(PY)}
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


NAMES_AND_LOGGING = """
import logging, threading, time
logging.basicConfig(format="%(threadName)s: %(message)s", level=logging.INFO, stream=__import__("sys").stdout)
local = threading.local()
def work(n):
    local.n = n
    time.sleep(0.02 * n)
    logging.info("n=%s local=%s current=%s", n, local.n, threading.current_thread().name)
named = threading.Thread(name="custom", target=work, args=(3,))
ts = [threading.Thread(target=work, args=(n,)) for n in (1, 2)] + [named]
for t in ts: t.start()
print(threading.active_count(), sorted(t.name for t in threading.enumerate()))
for t in ts: t.join()
print(threading.active_count(), threading.current_thread().name)
class Plain(threading.Thread):
    def run(self):
        print("plain", self.name)
p = Plain(); p.start(); p.join()
def boom():
    raise KeyError("k")
b = threading.Thread(target=boom); b.start(); b.join()
"""


def test_names_current_thread_local_and_logging_as_in_a_fresh_process():
    desktop = _run_fresh(NAMES_AND_LOGGING)
    program = f"""
import asyncio, sync_kernel
session = sync_kernel.Session()
namespace = {{"__name__": "__main__"}}
code = session.transform({NAMES_AND_LOGGING!r}, namespace).code
async def main():
    await eval(compile(code, "<cell>", "exec", flags=0x2000), namespace)
asyncio.run(main())
"""
    ours = _run_fresh(program)
    assert "Thread-1 (work): n=1 local=1 current=Thread-1 (work)" in desktop
    # stdout, then stderr: the report of the error in thread `boom`, whose frames inside
    # `threading` differ; its first line, the user's frame and the error are compared.
    assert _report(ours.replace('"<cell>"', '"<string>"')) == _report(desktop)


def _report(output: str) -> tuple[str, list[str], str]:
    head, _, traceback = output.partition("Traceback (most recent call last):\n")
    lines = traceback.splitlines()
    return head, [line for line in lines if '"<string>"' in line], lines[-1] if lines else ""


def test_the_rewrite_shows_each_wait_with_a_note():
    (result,) = rewrite(
        """
        import threading
        from queue import Queue
        q = Queue()
        def work():
            q.put(1)
        t = threading.Thread(target=work)
        t.start()
        t.join()
        print(q.get(), ", ".join(["a", "b"]), {}.get("k"))
        """
    )
    assert (
        result.code
        == cells_of(
            """
        import sync_kernel.threads.threading as threading
        from sync_kernel.threads.queue import Queue
        q = Queue()
        async def work():
            await __sync__.wait(q.put, 1)
        t = threading.Thread(target=work)
        t.start()
        await __sync__.wait(t.join)
        print(await __sync__.wait(q.get), ", ".join(["a", "b"]), {}.get("k"))
        """
        )[0]
    )
    assert [(n.line, n.kind) for n in result.notes] == [
        (1, "rewrite"),
        (2, "rewrite"),
        (4, "async-def"),
        (5, "rewrite"),
        (8, "rewrite"),
        (9, "rewrite"),
    ]


def test_without_threads_in_the_session_method_names_alone_change_nothing():
    (result,) = rewrite(
        """
        def drain(source):
            return source.get(), source.join(), source.result()
        """
    )
    assert (
        result.code
        == cells_of(
            """
        def drain(source):
            return source.get(), source.join(), source.result()
        """
        )[0]
    )


@pytest.mark.parametrize(
    "program",
    [
        "import multiprocessing\nmultiprocessing.Pool(2)",
        "from concurrent.futures import ProcessPoolExecutor\nProcessPoolExecutor()",
    ],
)
def test_processes_give_a_one_line_error_that_names_the_thread_version(program: str):
    outcome = run_rewritten(cells_of(program))
    (cell,) = outcome.cells
    assert cell.error is not None
    kind, message, line = cell.error
    assert kind == "RuntimeError" and "\n" not in message and "Thread" in message and line == 2


def test_a_wait_that_cannot_be_awaited_says_why_in_one_line():
    outcome = run_rewritten(
        cells_of(
            """
            import threading, time
            def slow():
                time.sleep(0.1)
            t = threading.Thread(target=slow)
            t.start()
            list(map(lambda thread: thread.join(), [t]))
            """
        )
    )
    (cell,) = outcome.cells
    assert cell.error is not None and cell.error[0] == "RuntimeError", cell
    assert "join()" in cell.error[1] and "\n" not in cell.error[1]
    kept = [n for n in outcome.results[0].notes if n.kind == "kept-blocking"]
    assert [n.before for n in kept] == ["thread.join()"]


def test_timers_timeouts_semaphores_and_barriers():
    outcome = same_as_desktop(
        """
        import queue, threading, time
        fired = []
        threading.Timer(0.05, fired.append, args=("timer",)).start()
        cancelled = threading.Timer(0.05, fired.append, args=("cancelled",))
        cancelled.start()
        cancelled.cancel()
        q = queue.Queue()
        try:
            q.get(timeout=0.1)
        except queue.Empty:
            print("empty after the timeout; fired:", fired)
        inside = []
        most = []
        gate = threading.Semaphore(2)
        def limited(n):
            with gate:
                inside.append(n)
                most.append(len(inside))
                time.sleep(0.03 * (n + 1))  # holders leave 30 ms apart
                inside.remove(n)
        barrier = threading.Barrier(3)
        order = []
        def meet(n):
            time.sleep(0.02 * n)
            order.append(("before", n))
            barrier.wait()
            order.append(("after", n))
        workers = [threading.Thread(target=limited, args=(n,)) for n in range(5)]
        workers += [threading.Thread(target=meet, args=(n,)) for n in range(3)]
        for w in workers: w.start()
        for w in workers: w.join()
        print("at most", max(most), "inside; before all precede after:", [kind for kind, _ in order])
        del workers, w, order  # who leaves the barrier first varies on desktop
        """
    )
    assert outcome.stdout.startswith("empty after the timeout; fired: ['timer']\n")


def test_a_background_thread_runs_while_later_cells_wait():
    same_as_desktop(
        """
        import threading, time
        ticks = []
        stop = threading.Event()
        def ticker():
            while not stop.is_set():
                ticks.append(len(ticks))
                time.sleep(0.05)
        background = threading.Thread(target=ticker, daemon=True)
        background.start()
        """,
        """
        time.sleep(0.32)
        stop.set()
        background.join()
        print(len(ticks) >= 4, background.daemon, background.is_alive())
        del background, ticks  # how many ticks fit in the sleep varies with the machine's load
        """,
    )


def test_start_new_thread_and_a_method_as_target():
    same_as_desktop(
        """
        import _thread, threading, time
        done = threading.Event()
        class Job:
            def __init__(self):
                self.log = []
            def step(self, n):
                time.sleep(0.02)
                self.log.append(n)
                if len(self.log) == 2:
                    done.set()
        job = Job()
        _thread.start_new_thread(job.step, (1,))
        threading.Thread(target=job.step, args=(2,)).start()
        done.wait()
        print(sorted(job.log))
        del job
        """
    )


def test_a_target_given_through_partial_or_a_lambda_still_waits_as_a_task():
    cells = cells_of(
        """
        import functools, threading, time
        def work(name, delay):
            time.sleep(delay)
            print(name, "done")
        threads = [
            threading.Thread(target=functools.partial(work, "partial", 0.2)),
            threading.Thread(target=lambda: work("lambda", 0.1)),
        ]
        for t in threads: t.start()
        for t in threads: t.join()
        del threads, t
        """
    )
    expected, desktop = timed(run_original, cells)
    actual, ours = timed(run_rewritten, cells)
    assert not [n for r in actual.results for n in r.notes if n.kind == "internal"], actual.results
    assert actual.behaviour() == expected.behaviour(), "\n".join(r.code for r in actual.results)
    assert expected.stdout == "lambda done\npartial done\n"
    assert "async def work" in actual.results[0].code
    assert not [n for n in actual.results[0].notes if n.kind in ("kept-blocking", "internal")]
    assert ours < desktop * 1.6


def test_primitives_made_in_an_earlier_cell_are_known_by_what_they_are():
    outcome = same_as_desktop(
        """
        import queue, threading
        l = threading.Lock()
        box = queue.Queue()
        """,
        """
        import time
        def work(n):
            with l:
                time.sleep(0.02)
                box.put(n)
        for n in range(3):
            threading.Thread(target=work, args=(n,)).start()
        print([box.get() for _ in range(3)])
        """,
    )
    code = outcome.results[1].code
    assert "async with l:" in code and "await __sync__.wait(box.put, n)" in code, code


def test_every_kind_of_primitive_is_one_the_codemod_knows():
    from sync_kernel.codemod.waits import WAIT_METHODS
    from sync_kernel.kernel import ui_poll
    from sync_kernel.threads import queue, threading
    from sync_kernel.threads.concurrent import futures
    from sync_kernel.threads.multiprocessing import pool

    modules = (threading, queue, futures, pool, ui_poll)
    classes = [getattr(module, name) for module in modules for name in dir(module)]
    kinds = {cls.__sync_kind__ for cls in classes if isinstance(cls, type) and hasattr(cls, "__sync_kind__")}
    assert kinds == set(WAIT_METHODS)


def test_multiprocessing_thread_pools_map_apply_and_close():
    cells = cells_of(
        """
        import time
        from multiprocessing.pool import ThreadPool
        import multiprocessing.dummy
        def slow_square(x):
            time.sleep(0.1)
            return x * x
        done = []
        with ThreadPool(4) as pool:
            print(pool.map(slow_square, range(8)))
            pending = pool.apply_async(slow_square, (7,), callback=done.append)
            print(pending.get(timeout=1), done, pending.successful())
            print(list(pool.imap(slow_square, range(3))), sorted(pool.imap_unordered(slow_square, range(3))))
            print(pool.starmap(pow, [(2, 3), (3, 2)]), pool.apply(slow_square, (5,)))
        dummy = multiprocessing.dummy.Pool(2)
        print(dummy.map(slow_square, [1, 2]))
        dummy.close()
        dummy.join()
        del pool, pending, dummy
        """
    )
    expected, desktop = timed(run_original, cells)
    actual, ours = timed(run_rewritten, cells)
    assert not [n for r in actual.results for n in r.notes if n.kind in ("internal", "kept-blocking")], actual.results
    assert actual.behaviour() == expected.behaviour(), "\n".join(r.code for r in actual.results)
    assert ours < desktop * 1.6, f"eight 0.1 s calls on four threads took {ours:.2f} s (CPython {desktop:.2f} s)"
