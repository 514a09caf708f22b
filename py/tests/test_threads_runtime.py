"""The thread modules of :mod:`sync_kernel.threads`, run as the codemod's rewritten code runs them.

Each test writes its program as the rewrite would (``async def`` bodies that sleep,
``await wait(t.join)``, ``async with lock``) and runs it with ``asyncio.run``; where CPython's
order is deterministic (events kept apart by sleeps of 50 ms or more, or ordered by locks,
queues and joins) the same program with real threads runs too and the printed lines are
compared. Times are compared as factors, with generous margins.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as real_futures
import io
import logging
import queue as real_queue
import re
import threading as real_threading
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest

from harness import run_loop
from sync_kernel.threads import _core, _thread, cancel_all, configure_blocking, multiprocessing, queue, threading
from sync_kernel.threads._core import wait
from sync_kernel.threads.aio import run_in_executor, to_thread
from sync_kernel.threads.concurrent import futures


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    configure_blocking(None)
    cancel_all()


def run(main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    return run_loop(main())  # a loop of its own, also inside Pyodide (see harness.run_loop)


def numbers(names: list[str]) -> list[str]:
    """Thread names with their counters made relative to the first one (the counter is per process)."""
    found = [int(m.group(1)) if (m := re.search(r"-(\d+)", n)) else 0 for n in names]
    return [re.sub(r"-(\d+)", f"-+{n - found[0]}", name) for name, n in zip(names, found, strict=True)]


# --- names, identities, enumeration ---------------------------------------------------------


@pytest.mark.desktop_threads
def test_names_and_identities_as_cpython() -> None:
    def work() -> None:
        pass

    def names_with(module: Any) -> list[str]:
        made = [
            module.Thread(target=work),
            module.Thread(),
            module.Thread(target=lambda: None),
            module.Thread(target=work, name="custom"),
            module.Timer(1, work),
        ]
        return [t.name for t in made]

    ours, desktop = names_with(threading), names_with(real_threading)
    assert (
        numbers(ours)
        == numbers(desktop)
        == [
            "Thread-+0 (work)",
            "Thread-+1",
            "Thread-+2 (<lambda>)",
            "custom",
            "Thread-+3",
        ]
    )

    async def main() -> None:
        seen: dict[str, Any] = {}

        async def body() -> None:
            me = threading.current_thread()
            seen["me"], seen["ident"], seen["native"] = me, threading.get_ident(), threading.get_native_id()
            seen["enumerate"] = threading.enumerate()
            seen["count"] = threading.active_count()
            await asyncio.sleep(0)

        t = threading.Thread(target=body, daemon=True)
        assert t.ident is None and t.native_id is None and not t.is_alive()
        assert repr(t).endswith(", initial daemon)>")
        t.start()
        assert t.is_alive() and isinstance(t.ident, int)
        other = threading.Thread(target=work)
        other.start()
        assert other.ident != t.ident and other.ident != threading.main_thread().ident
        await wait(t.join)
        await wait(other.join)
        assert seen["me"] is t and seen["ident"] == t.ident and seen["native"] == t.native_id
        assert seen["enumerate"] == [threading.main_thread(), t, other] and seen["count"] == 3
        assert threading.enumerate() == [threading.main_thread()] and threading.active_count() == 1
        assert threading.current_thread() is threading.main_thread() is threading.currentThread()
        assert threading.main_thread().name == "MainThread" and threading.get_ident() == real_threading.get_ident()
        assert not t.is_alive() and repr(t).startswith(f"<Thread({t.name}, stopped daemon ")
        assert t.isDaemon() and t.getName() == t.name
        with pytest.raises(RuntimeError, match="threads can only be started once"):
            t.start()
        with pytest.raises(RuntimeError, match="cannot set daemon status of active thread"):
            t.daemon = False

    run(main)


def test_anything_else_comes_from_the_real_modules() -> None:
    assert threading.TIMEOUT_MAX == real_threading.TIMEOUT_MAX
    assert threading.settrace is real_threading.settrace and threading.stack_size is real_threading.stack_size
    assert queue.Empty is real_queue.Empty and queue.Full is real_queue.Full
    assert futures.FIRST_COMPLETED == real_futures.FIRST_COMPLETED and futures.TimeoutError is real_futures.TimeoutError
    assert isinstance(futures.Future(), real_futures.Future)
    assert _thread.error is RuntimeError and isinstance(_thread.allocate_lock(), threading.Lock)


def test_local_is_per_thread_and_reruns_a_subclass_init() -> None:
    class Counter(threading.local):
        def __init__(self, start: int) -> None:
            self.value = start

    async def main() -> list[tuple[str, int, bool]]:
        plain = threading.local()
        plain.x = "main"
        counter = Counter(10)
        counter.value += 1
        seen: list[tuple[str, int, bool]] = []

        async def body(step: int) -> None:
            assert not hasattr(plain, "x")
            plain.x = threading.current_thread().name
            await asyncio.sleep(0)  # the other thread runs meanwhile
            counter.value += step
            seen.append((plain.x, counter.value, "x" in plain.__dict__))

        ts = [threading.Thread(target=body, args=(n,), name=f"t{n}") for n in (1, 2)]
        for t in ts:
            t.start()
        for t in ts:
            await wait(t.join)
        assert plain.x == "main" and counter.value == 11
        with pytest.raises(TypeError, match="Initialization arguments are not supported"):
            threading.local(1)
        return seen

    assert run(main) == [("t1", 11, True), ("t2", 12, True)]


def test_logging_names_the_thread() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(threadName)s: %(message)s"))
    log = logging.getLogger("test_threads_runtime")
    log.addHandler(handler)
    log.setLevel(logging.INFO)

    def work() -> None:
        log.info("inside")

    async def main() -> None:
        t = threading.Thread(target=work)
        t.start()
        await wait(t.join)
        log.info("outside")

    try:
        run(main)
    finally:
        log.removeHandler(handler)
    inside, outside = stream.getvalue().splitlines()
    assert re.fullmatch(r"Thread-\d+ \(work\): inside", inside) and outside == "MainThread: outside"


# --- join, exceptions -----------------------------------------------------------------------


def test_join_with_a_timeout_and_join_errors() -> None:
    async def main() -> None:
        go = threading.Event()
        t = threading.Thread(target=go._wait_async)
        with pytest.raises(RuntimeError, match="cannot join thread before it is started"):
            await wait(t.join)
        t.start()
        start = time.perf_counter()
        await wait(t.join, timeout=0.1)
        assert t.is_alive() and time.perf_counter() - start >= 0.09
        go.set()
        await wait(t.join)
        assert not t.is_alive()

        errors: list[str] = []

        async def join_myself() -> None:
            try:
                await wait(threading.current_thread().join)
            except RuntimeError as error:
                errors.append(str(error))

        me = threading.Thread(target=join_myself)
        me.start()
        await wait(me.join)
        assert errors == ["cannot join current thread"]

    run(main)


@pytest.mark.desktop_threads
def test_an_exception_goes_through_excepthook_as_on_cpython(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(real_threading, "excepthook", real_threading.__excepthook__)  # not pytest's

    def boom() -> None:
        raise ValueError("bad value")

    def leave() -> None:
        raise SystemExit(3)

    t = real_threading.Thread(target=boom)
    t.start()
    t.join()
    desktop = capsys.readouterr().err

    async def main() -> None:
        for target in (boom, leave):
            t = threading.Thread(target=target)
            t.start()
            await wait(t.join)

    run(main)
    ours = capsys.readouterr().err
    assert re.match(r"Exception in thread Thread-\d+ \(boom\):\nTraceback", ours)
    assert numbers(ours.splitlines()[:1]) == numbers(desktop.splitlines()[:1])
    assert ours.endswith("ValueError: bad value\n") and desktop.endswith("ValueError: bad value\n")
    assert "SystemExit" not in ours


def test_a_replaced_excepthook_is_used() -> None:
    seen: list[tuple[type[BaseException] | None, str, str]] = []

    def hook(args: Any) -> None:
        seen.append((args.exc_type, str(args.exc_value), args.thread.name))

    async def fails() -> None:
        await asyncio.sleep(0)
        raise KeyError("k")

    async def main() -> None:
        t = threading.Thread(target=fails, name="worker")
        t.start()
        await wait(t.join)

    threading.excepthook = hook
    try:
        run(main)
    finally:
        threading.excepthook = threading.__excepthook__
    assert seen == [(KeyError, "'k'", "worker")]


# --- queues ---------------------------------------------------------------------------------


@pytest.mark.desktop_threads
def test_producer_consumer_over_a_bounded_queue_interleaves_as_on_cpython() -> None:
    def desktop() -> list[str]:
        lines: list[str] = []
        q: real_queue.Queue[int | None] = real_queue.Queue(maxsize=2)

        def produce() -> None:
            for i in range(5):
                q.put(i)
                lines.append(f"put {i}")
            q.put(None)

        def consume() -> None:
            while (item := q.get()) is not None:
                time.sleep(0.05)
                lines.append(f"got {item}")

        producer = real_threading.Thread(target=produce)
        producer.start()
        time.sleep(0.05)
        consumer = real_threading.Thread(target=consume)
        consumer.start()
        producer.join()
        consumer.join()
        return lines

    async def ours() -> list[str]:
        lines: list[str] = []
        q: queue.Queue = queue.Queue(maxsize=2)

        async def produce() -> None:
            for i in range(5):
                await wait(q.put, i)
                lines.append(f"put {i}")
            await wait(q.put, None)

        async def consume() -> None:
            while (item := await wait(q.get)) is not None:
                await asyncio.sleep(0.05)
                lines.append(f"got {item}")

        producer = threading.Thread(target=produce)
        producer.start()
        await asyncio.sleep(0.05)
        consumer = threading.Thread(target=consume)
        consumer.start()
        await wait(producer.join)
        await wait(consumer.join)
        return lines

    expected = desktop()
    assert expected[:3] == ["put 0", "put 1", "put 2"]
    assert run(ours) == expected


def test_queue_kinds_timeouts_and_task_accounting() -> None:
    async def main() -> None:
        lifo, prio, simple = queue.LifoQueue(), queue.PriorityQueue(), queue.SimpleQueue()
        for n in (2, 3, 1):
            lifo.put(n)
            prio.put(n)
            simple.put(n)
        assert [lifo.get() for _ in range(3)] == [1, 3, 2]
        assert [prio.get_nowait() for _ in range(3)] == [1, 2, 3]
        assert [await wait(simple.get) for _ in range(3)] == [2, 3, 1] and simple.empty()

        q: queue.Queue = queue.Queue(maxsize=1)
        q.put("x")
        assert q.full() and q.qsize() == 1
        with pytest.raises(queue.Full):
            await wait(q.put, "y", timeout=0.05)
        with pytest.raises(real_queue.Full):
            q.put_nowait("y")
        assert q.get() == "x"
        q.task_done()
        with pytest.raises(real_queue.Empty):
            await wait(q.get, timeout=0.05)
        with pytest.raises(queue.Empty):
            simple.get(block=False)
        with pytest.raises(ValueError, match="'timeout' must be a non-negative number"):
            q.get(timeout=-1)

        done: list[int] = []

        async def worker() -> None:
            while True:
                item = await wait(q.get)
                await asyncio.sleep(0.01)
                done.append(item)
                q.task_done()

        threading.Thread(target=worker, daemon=True).start()
        for i in range(3):
            await wait(q.put, i)
        await wait(q.join)
        assert done == [0, 1, 2]
        with pytest.raises(ValueError, match="task_done\\(\\) called too many times"):
            q.task_done()

    run(main)


# --- first-in, first-out wake-ups -----------------------------------------------------------


async def _fifo(order: list[str], names: str, body: Callable[[str], Coroutine[Any, Any, None]]) -> None:
    """Start one thread per name; each records that it is about to wait, then waits (same step)."""
    ready = [threading.Event() for _ in names]

    async def thread(i: int, name: str) -> None:
        ready[i].set()
        await body(name)

    threads = [threading.Thread(target=thread, args=(i, name)) for i, name in enumerate(names)]
    for t in threads:
        t.start()
    for event in ready:
        await wait(event.wait)
    order.append("all waiting")


@pytest.mark.parametrize("names", ["ABC", "CAB"])
def test_waiters_wake_first_in_first_out(names: str) -> None:
    async def main() -> dict[str, list[str]]:
        results: dict[str, list[str]] = {}

        lock, order = threading.Lock(), results.setdefault("Lock", [])
        lock.acquire()

        async def locker(name: str) -> None:
            async with lock:
                order.append(name)

        await _fifo(order, names, locker)
        lock.release()

        rlock, order_r = threading.RLock(), results.setdefault("RLock", [])
        await wait(rlock.acquire)

        async def rlocker(name: str) -> None:
            async with rlock:
                async with rlock:
                    order_r.append(name)

        await _fifo(order_r, names, rlocker)
        rlock.release()

        cond, order_c = threading.Condition(), results.setdefault("Condition", [])

        async def condition_waiter(name: str) -> None:
            async with cond:
                await wait(cond.wait)
                order_c.append(name)

        await _fifo(order_c, names, condition_waiter)
        async with cond:
            cond.notify()
            cond.notify(2)

        sem, order_s = threading.Semaphore(0), results.setdefault("Semaphore", [])

        async def semaphore_waiter(name: str) -> None:
            await wait(sem.acquire)
            order_s.append(name)

        await _fifo(order_s, names, semaphore_waiter)
        sem.release(3)

        q, order_q = queue.Queue(), results.setdefault("Queue", [])

        async def getter(name: str) -> None:
            order_q.append(f"{name}{await wait(q.get)}")

        await _fifo(order_q, names, getter)
        for i in range(3):
            q.put(i)

        while threading.active_count() > 1:
            await asyncio.sleep(0.01)
        return results

    results = run(main)
    plain = ["all waiting", *names]
    assert results == {
        "Lock": plain,
        "RLock": plain,
        "Condition": plain,
        "Semaphore": plain,
        "Queue": ["all waiting", *(f"{name}{i}" for i, name in enumerate(names))],
    }


def test_locks_condition_semaphores() -> None:
    async def main() -> None:
        lock = threading.Lock()
        assert lock.acquire() and lock.locked() and "<locked " in repr(lock)
        assert not lock.acquire(blocking=False) and not lock.acquire(timeout=0)
        assert not await wait(lock.acquire, timeout=0.05)
        with pytest.raises(ValueError, match="can't specify a timeout for a non-blocking call"):
            lock.acquire(False, 1)
        lock.release()
        with pytest.raises(RuntimeError, match="release unlocked lock"):
            lock.release()
        with lock:
            assert lock.locked()

        rlock = threading.RLock()
        with rlock, rlock:
            assert rlock._recursion_count() == 2

        async def foreign_release() -> None:
            with pytest.raises(RuntimeError, match="cannot release un-acquired lock"):
                rlock.release()

        rlock.acquire()
        t = threading.Thread(target=foreign_release)
        t.start()
        await wait(t.join)
        rlock.release()

        cond = threading.Condition(threading.Lock())
        with pytest.raises(RuntimeError, match="cannot wait on un-acquired lock"):
            cond.wait()
        with pytest.raises(RuntimeError, match="cannot notify on un-acquired lock"):
            cond.notify()
        items: list[int] = []

        async def consumer() -> None:
            async with cond:
                got = await wait(cond.wait_for, lambda: items, timeout=5)
                items.append(len(got))

        t = threading.Thread(target=consumer)
        t.start()
        await asyncio.sleep(0)
        async with cond:
            items.append(7)
            cond.notify_all()
        await wait(t.join)
        assert items == [7, 1]
        async with cond:
            assert not await wait(cond.wait, 0.02) and not cond.wait(0)
            assert await wait(cond.wait_for, lambda: False, timeout=0.02) is False

        bounded = threading.BoundedSemaphore(2)
        async with bounded:
            assert await wait(bounded.acquire) and not bounded.acquire(blocking=False)
            bounded.release()
        with pytest.raises(ValueError, match="Semaphore released too many times"):
            bounded.release()
        with pytest.raises(ValueError, match="semaphore initial value must be >= 0"):
            threading.Semaphore(-1)

    run(main)


# --- Event, Timer, Barrier ------------------------------------------------------------------


def test_event_wait_times_out_then_sees_the_flag() -> None:
    async def main() -> None:
        event = threading.Event()
        start = time.perf_counter()
        assert await wait(event.wait, 0.1) is False
        assert 0.09 <= time.perf_counter() - start < 1
        threading.Timer(0.05, event.set).start()
        assert await wait(event.wait, 5) is True and event.is_set()
        event.clear()
        assert not event.wait(0) and "unset" in repr(event)

    run(main)


@pytest.mark.desktop_threads
def test_timer_fires_or_is_cancelled_as_on_cpython() -> None:
    def program(module: Any, sleep: Callable[[float], Any]) -> Any:
        lines: list[str] = []
        fired = module.Timer(0.05, lines.append, args=["fired"])
        cancelled = module.Timer(0.05, lines.append, args=["cancelled fired"])
        fired.start()
        cancelled.start()
        cancelled.cancel()
        return lines, fired, cancelled

    lines, fired, cancelled = program(real_threading, time.sleep)
    fired.join()
    cancelled.join()

    async def main() -> list[str]:
        ours, fired, cancelled = program(threading, asyncio.sleep)
        await wait(cancelled.join)
        assert ours == [] and fired.is_alive() and not cancelled.is_alive()
        await wait(fired.join)
        return ours

    assert run(main) == lines == ["fired"]


@pytest.mark.desktop_threads
def test_barrier_indices_action_and_breaking_as_on_cpython() -> None:
    def desktop() -> list[str]:
        lines: list[str] = []
        barrier = real_threading.Barrier(3, action=lambda: lines.append("action"))

        def party(delay: float, name: str) -> None:
            time.sleep(delay)
            lines.append(f"{name} arrives")
            lines.append(f"{name} index {barrier.wait()}")

        ts = [real_threading.Thread(target=party, args=(0.06 * i, n)) for i, n in enumerate("ABC")]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return lines

    async def ours() -> list[str]:
        lines: list[str] = []
        barrier = threading.Barrier(3, action=lambda: lines.append("action"))

        async def party(delay: float, name: str) -> None:
            await asyncio.sleep(delay)
            lines.append(f"{name} arrives")
            lines.append(f"{name} index {await wait(barrier.wait)}")

        ts = [threading.Thread(target=party, args=(0.06 * i, n)) for i, n in enumerate("ABC")]
        for t in ts:
            t.start()
        for t in ts:
            await wait(t.join)
        assert barrier.n_waiting == 0 and not barrier.broken

        # A timeout breaks the barrier for everyone, abort too; reset mends it.
        broken = threading.Barrier(2, timeout=0.05)
        with pytest.raises(threading.BrokenBarrierError):
            await wait(broken.wait)
        assert broken.broken and "broken" in repr(broken)
        broken.reset()
        errors: list[str] = []

        async def waiter() -> None:
            try:
                await wait(broken.wait)
            except threading.BrokenBarrierError:
                errors.append("broken")

        t = threading.Thread(target=waiter)
        t.start()
        await asyncio.sleep(0)
        assert broken.n_waiting == 1
        broken.abort()
        await wait(t.join)
        assert errors == ["broken"]
        return lines

    expected, actual = desktop(), run(ours)
    assert expected[:4] == ["A arrives", "B arrives", "C arrives", "action"]
    assert actual[:4] == expected[:4] and sorted(actual) == sorted(expected)  # who prints first after is free


# --- timing ---------------------------------------------------------------------------------


def test_two_sleeping_threads_overlap() -> None:
    async def main() -> float:
        async def nap() -> None:
            await asyncio.sleep(0.2)

        start = time.perf_counter()
        ts = [threading.Thread(target=nap) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            await wait(t.join)
        return time.perf_counter() - start

    assert run(main) < 0.35


# --- concurrent.futures ---------------------------------------------------------------------


def test_executor_submit_map_as_completed_wait_and_names() -> None:
    async def main() -> None:
        async def slow(delay: float, value: str) -> str:
            await asyncio.sleep(delay)
            return f"{value} on {threading.current_thread().name}"

        ex = futures.ThreadPoolExecutor(max_workers=3)
        prefix = ex._thread_name_prefix
        assert re.fullmatch(r"ThreadPoolExecutor-\d+", prefix)
        fs = [ex.submit(slow, d, v) for d, v in ((0.15, "a"), (0.05, "b"), (0.1, "c"))]
        assert isinstance(fs[0], real_futures.Future)
        finished = [f.result().split()[0] async for f in futures.as_completed(fs)]
        assert finished == ["b", "c", "a"]
        assert sorted(f.result().split(" on ")[1] for f in fs) == [f"{prefix}_{k}" for k in range(3)]

        fs = [ex.submit(slow, d, v) for d, v in ((0.1, "x"), (0.02, "y"))]
        done, not_done = await wait(futures.wait, fs, return_when=futures.FIRST_COMPLETED)
        assert done == {fs[1]} and not_done == {fs[0]}
        done, not_done = await wait(futures.wait, fs)
        assert done == set(fs) and not not_done
        in_order = await wait(futures.as_completed, [fs[0], fs[1], fs[0]])
        assert list(in_order) == [fs[0], fs[1]]

        results = await wait(ex.map, lambda x: x * x, range(5))
        assert list(results) == [0, 1, 4, 9, 16]
        await wait(ex.shutdown)
        with pytest.raises(RuntimeError, match="cannot schedule new futures after shutdown"):
            ex.submit(print)

        async with futures.ThreadPoolExecutor(thread_name_prefix="pool") as named:
            assert (await wait(named.submit(threading.current_thread).result)).name == "pool_0"

    run(main)


def test_executor_honours_max_workers_and_fails_in_place() -> None:
    async def main() -> None:
        running, most = 0, 0

        async def task(i: int) -> int:
            nonlocal running, most
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.05)
            running -= 1
            if i == 3:
                raise ValueError(f"task {i}")
            return i

        start = time.perf_counter()
        async with futures.ThreadPoolExecutor(max_workers=2) as ex:
            results = await wait(ex.map, task, range(6))
            assert next(results) == 0 and next(results) == 1 and next(results) == 2
            with pytest.raises(ValueError, match="task 3"):
                next(results)
            assert len(ex._threads) == 2
        elapsed = time.perf_counter() - start
        assert most == 2 and 0.14 < elapsed < 0.3  # three rounds of two, not six of one (0.3)

    run(main)


def test_future_result_timeout_exception_and_cancel() -> None:
    async def main() -> None:
        gate = threading.Event()
        async with futures.ThreadPoolExecutor(max_workers=1) as ex:
            blocked = ex.submit(gate._wait_async)
            queued = ex.submit(lambda: 1 / 0)
            with pytest.raises(futures.TimeoutError):
                await wait(blocked.result, timeout=0.05)
            with pytest.raises(TimeoutError):
                blocked.result(timeout=0)
            gate.set()
            assert await wait(blocked.result) is True
            error = await wait(queued.exception)
            assert isinstance(error, ZeroDivisionError)
            with pytest.raises(ZeroDivisionError):
                queued.result()
            blocked_again = ex.submit(gate.clear)
            never = ex.submit(print, "never")
            assert never.cancel()
            with pytest.raises(futures.CancelledError):
                await wait(never.result)
            await wait(blocked_again.result)
            assert await asyncio.wrap_future(ex.submit(lambda: "wrapped")) == "wrapped"

    run(main)


def test_as_completed_timeout_and_sync_iteration_of_finished_futures() -> None:
    async def main() -> None:
        async with futures.ThreadPoolExecutor(max_workers=2) as ex:
            quick = ex.submit(lambda: "quick")
            slow = ex.submit(asyncio.sleep, 0.3)
            await wait(quick.result)
            seen = []
            with pytest.raises(futures.TimeoutError, match=r"1 \(of 2\) futures unfinished"):
                async for f in futures.as_completed([quick, slow], timeout=0.05):
                    seen.append(f)
            assert seen == [quick]
            assert list(futures.as_completed([quick])) == [quick]  # nothing to wait for
            await wait(slow.result)

    run(main)


def test_to_thread_and_run_in_executor() -> None:
    async def main() -> None:
        assert await to_thread(lambda a, b=0: (a + b, threading.current_thread().name), 1, b=2) == (3, "asyncio_0")

        async def sleepy() -> str:
            await asyncio.sleep(0.01)
            return "slept"

        assert await to_thread(sleepy) == "slept"
        with pytest.raises(KeyError):
            await to_thread({}.__getitem__, "missing")
        loop = asyncio.get_running_loop()
        future = run_in_executor(loop, None, pow, 2, 10)
        assert isinstance(future, asyncio.Future) and await future == 1024
        async with futures.ThreadPoolExecutor(thread_name_prefix="mine") as ex:
            assert (await run_in_executor(loop, ex, threading.current_thread)).name == "mine_0"

    run(main)


# --- sync fallbacks -------------------------------------------------------------------------


def test_sync_calls_that_can_finish_at_once_do() -> None:
    async def main() -> None:
        t = threading.Thread(target=lambda: None)
        t.start()
        await asyncio.sleep(0)
        t.join()
        lock, event, q = threading.Lock(), threading.Event(), queue.Queue(maxsize=1)
        with lock:
            assert not lock.acquire(False)
        event.set()
        assert event.wait() and event.wait(timeout=1)
        q.put(1)
        assert q.get() == 1
        future = futures.ThreadPoolExecutor().submit(lambda: "done")
        await asyncio.sleep(0)
        assert future.result() == "done" and future.exception() is None
        assert futures.wait([future]).done == {future}
        barrier = threading.Barrier(1)
        assert barrier.wait() == 0

    run(main)


def test_sync_calls_that_would_block_raise_one_clear_line() -> None:
    async def main() -> None:
        gate = threading.Event()
        t = threading.Thread(target=gate._wait_async, name="worker")
        t.start()
        with pytest.raises(RuntimeError) as raised:
            t.join()
        message = str(raised.value)
        assert message.startswith("worker is still running and this join() cannot wait for it: ")
        assert "JSPI" in message and "\n" not in message
        lock = threading.Lock()
        lock.acquire()
        for call in (lock.acquire, queue.Queue().get, gate.wait, futures.Future().result):
            with pytest.raises(RuntimeError, match="cannot wait for it"):
                call()
        with pytest.raises(RuntimeError, match="this as_completed\\(\\) cannot wait"):
            next(iter(futures.as_completed([futures.Future()])))
        gate.set()
        await wait(t.join)

    run(main)


def test_a_configured_blocking_hook_runs_the_async_version() -> None:
    calls: list[Coroutine[Any, Any, Any]] = []

    def run_sync(coroutine: Coroutine[Any, Any, Any]) -> str:
        calls.append(coroutine)
        coroutine.close()  # a real hook would run it to the end
        return "from the hook"

    allowed = True
    configure_blocking(run_sync, lambda: allowed)

    async def main() -> None:
        nonlocal allowed
        q = queue.Queue()
        assert q.get() == "from the hook"
        assert futures.Future().result(timeout=5) == "from the hook"
        assert len(calls) == 2 and all(asyncio.iscoroutine(c) for c in calls)
        assert calls[0].__qualname__ == "Queue._get_async"
        q.put(1)
        assert q.get() == 1 and len(calls) == 2  # no wait, no hook
        allowed = False
        with pytest.raises(RuntimeError, match="the Queue is empty and this get\\(\\) cannot wait for it"):
            q.get()

    run(main)


def test_the_dispatcher_calls_plain_functions_plainly() -> None:
    async def main() -> None:
        assert await wait(len, [1, 2]) == 2
        lock = threading.Lock()
        assert await wait(lock.acquire) and await wait(threading.Lock.release, lock) is None

    run(main)


# --- Stop -----------------------------------------------------------------------------------


def test_cancel_all_stops_thread_tasks_and_executor_workers() -> None:
    async def main() -> None:
        never = threading.Event()
        ts = [threading.Thread(target=never._wait_async) for _ in range(2)]
        for t in ts:
            t.start()
        await asyncio.sleep(0)
        unstarted = threading.Thread(target=never._wait_async)
        unstarted.start()  # cancelled before its first step
        ex = futures.ThreadPoolExecutor(max_workers=1)
        running = ex.submit(never._wait_async)
        queued = ex.submit(print, "never")
        await asyncio.sleep(0)
        assert cancel_all() == 4
        assert not any(t.is_alive() for t in (*ts, unstarted)) and threading.active_count() == 1
        assert queued.cancelled()
        for t in ts:
            await wait(t.join)  # joiners are not left hanging
        await asyncio.wait(list(_core._live))  # the tasks themselves end at their next step
        assert not _core._live
        with pytest.raises(futures.CancelledError):
            running.result()
        assert await wait(ex.submit(lambda: "usable again").result) == "usable again"

    run(main)


# --- _thread and the missing processes ------------------------------------------------------


def test_start_new_thread(capsys: pytest.CaptureFixture[str]) -> None:
    async def main() -> None:
        done = threading.Event()
        seen: list[int] = []

        def work(x: int, *, y: int) -> None:
            seen.append(_thread.get_ident())
            done.set()
            raise ValueError(f"{x + y}")

        ident = _thread.start_new_thread(work, (1,), {"y": 2})
        await wait(done.wait)
        await asyncio.sleep(0)
        assert seen == [ident]
        with pytest.raises(TypeError, match="2nd arg must be a tuple"):
            _thread.start_new_thread(work, [1])

    run(main)
    err = capsys.readouterr().err
    assert err.startswith("Exception ignored in thread started by: <function ") and err.endswith("ValueError: 3\n")


def test_no_processes_in_the_browser() -> None:
    with pytest.raises(RuntimeError, match=r"^ProcessPoolExecutor is not available in the browser \(no processes\)"):
        futures.ProcessPoolExecutor()
    for make in (multiprocessing.Pool, multiprocessing.get_context().Pool, multiprocessing.get_context("spawn").Pool):
        with pytest.raises(RuntimeError, match=r"^multiprocessing\.Pool is not available in the browser"):
            make(2)
    with pytest.raises(RuntimeError, match=r"^multiprocessing\.Process is not available"):
        multiprocessing.Process(target=print)
    assert multiprocessing.cpu_count() >= 1
