"""Thread code as notebooks in the wild write it: the docs' thread-pool example, worker queues,
counters under a lock, stoppable classes, pools inside functions, a condition-guarded buffer.

Each runs with CPython's threads and rewritten on one event loop, with the same output.
"""

from harness import Outcome, assert_same_behaviour


def same_as_desktop(*cells: str) -> Outcome:
    """The cells print what CPython's threads print, and really ran as tasks (no cell left as written)."""
    outcome = assert_same_behaviour(*cells)
    assert not [note for result in outcome.results for note in result.notes if note.kind == "internal"]
    assert "sync_kernel.threads" in outcome.results[0].code, outcome.results[0].code
    return outcome


def test_the_concurrent_futures_docs_example_with_an_error():
    same_as_desktop("""
import concurrent.futures, time
URLS = ['a', 'bbb', 'cc']
def load_url(url, timeout):
    time.sleep(0.05 * len(url))
    if url == 'cc':
        raise ValueError("boom")
    return url * 2
with concurrent.futures.ThreadPoolExecutor(max_workers=5) as executor:
    future_to_url = {executor.submit(load_url, url, 60): url for url in URLS}
    for future in concurrent.futures.as_completed(future_to_url):
        url = future_to_url[future]
        try:
            data = future.result()
        except Exception as exc:
            print('%r generated an exception: %s' % (url, exc))
        else:
            print('%r page is %d bytes' % (url, len(data)))
del future_to_url, future, executor
""")


def test_daemon_worker_and_queue_join():
    same_as_desktop("""
import threading, queue, time
q = queue.Queue()
def worker():
    while True:
        item = q.get()
        time.sleep(0.01)
        print(f'Finished {item}')
        q.task_done()
threading.Thread(target=worker, daemon=True).start()
for item in range(5):
    q.put(item)
q.join()
print('All work completed')
""")


def test_a_counter_under_acquire_and_release_inside_a_function():
    same_as_desktop("""
import threading, time
counter = 0
lock = threading.Lock()
def increment(times):
    global counter
    for _ in range(times):
        lock.acquire()
        try:
            value = counter
            time.sleep(0.001)
            counter = value + 1
        finally:
            lock.release()
def run_all():
    threads = [threading.Thread(target=increment, args=(20,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter
print(run_all())
""")


def test_a_class_that_starts_and_stops_its_own_thread():
    same_as_desktop("""
import threading, time
class Ticker:
    def __init__(self):
        self.running = True
        self.ticks = 0
        self.thread = threading.Thread(target=self.loop)
    def loop(self):
        while self.running:
            self.ticks += 1
            time.sleep(0.02)
    def start(self):
        self.thread.start()
    def stop(self):
        self.running = False
        self.thread.join()
t = Ticker()
t.start()
time.sleep(0.15)
t.stop()
print(t.ticks >= 5, t.thread.is_alive())
del t
""")


def test_a_pool_inside_a_function_and_run_in_executor_on_a_pool():
    same_as_desktop("""
import asyncio, time
from concurrent.futures import ThreadPoolExecutor
def square(x):
    time.sleep(0.01)
    return x * x
def squares(xs):
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(square, xs))
print(squares(range(6)))
pool = ThreadPoolExecutor(2)
async def main():
    loop = asyncio.get_running_loop()
    return await asyncio.gather(*(loop.run_in_executor(pool, square, i) for i in range(3)))
print(asyncio.run(main()))
pool.shutdown()
del pool
""")


def test_a_buffer_guarded_by_a_condition_deleted_at_the_end():
    same_as_desktop("""
import threading, time, random
class Buffer:
    def __init__(self, size):
        self.items = []
        self.size = size
        self.cond = threading.Condition()
    def put(self, item):
        with self.cond:
            while len(self.items) >= self.size:
                self.cond.wait()
            self.items.append(item)
            self.cond.notify_all()
    def take(self):
        with self.cond:
            while not self.items:
                self.cond.wait()
            item = self.items.pop(0)
            self.cond.notify_all()
            return item
buf = Buffer(2)
out = []
def produce():
    for i in range(6):
        buf.put(i)
def consume():
    for _ in range(6):
        out.append(buf.take())
        time.sleep(0.005)
ts = [threading.Thread(target=produce), threading.Thread(target=consume)]
[t.start() for t in ts]
[t.join() for t in ts]
print(out)
del ts, buf
""")


def test_threads_started_and_joined_in_a_function_under_one_name():
    # `t` is a new Thread in the first loop and an element of the list in the second: the join
    # may be a primitive's or something unknown's, and is awaited either way (found by the sweep:
    # a second pass over the rewrite awaited it, the first did not).
    outcome = same_as_desktop("""
import threading, time
results = []
def work(i):
    time.sleep(0.01 * (3 - i))
    results.append(i)
def main():
    threads = []
    for i in range(3):
        t = threading.Thread(target=work, args=(i,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    print("joined", sorted(results), len(results))
main()
""")
    assert "await __sync__.wait(t.join)" in outcome.results[0].code


def test_a_with_over_a_lock_or_a_list_element_under_one_name():
    # `guard` is a new Lock and then each element of a list: `with guard:` becomes `async with`,
    # and `__sync__.entering` tells at run time what it was given.
    outcome = same_as_desktop("""
import threading, time
counts = {"a": 0}
def bump(locks):
    guard = threading.Lock()
    for guard in locks:
        with guard:
            seen = counts["a"]
            time.sleep(0.001)
            counts["a"] = seen + 1
shared = [threading.Lock()]
threads = [threading.Thread(target=bump, args=(shared,)) for _ in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("count", counts["a"])
del threads, t
""")
    assert "async with" in outcome.results[0].code


def test_a_thread_subclass_started_and_joined_in_a_function_under_one_name():
    outcome = same_as_desktop("""
import threading, time
class Worker(threading.Thread):
    def __init__(self, n):
        super().__init__()
        self.n = n
        self.result = None
    def run(self):
        time.sleep(0.01 * (3 - self.n))
        self.result = self.n * 10
def main():
    workers = []
    for n in range(3):
        w = Worker(n)
        w.start()
        workers.append(w)
    for w in workers:
        w.join()
    print("results", [w.result for w in workers])
main()
""")
    assert "await __sync__.wait(w.join)" in outcome.results[0].code


def test_a_loop_over_pool_map_gets_each_result_as_it_comes():
    # `for r in pool.map(...)` becomes `async for`: each result is printed once it is ready,
    # between the workers' own prints, not all at the end.
    outcome = same_as_desktop("""
from concurrent.futures import ThreadPoolExecutor
import time
def work(i):
    time.sleep(0.1 * (i + 1))
    print("done", i)
    return i * i
with ThreadPoolExecutor(4) as pool:
    for square in pool.map(work, range(4)):
        print("got", square)
    print([r for r in pool.map(work, [0])])
del pool, square
""")
    assert "async for square in pool.map(work, range(4))" in outcome.results[0].code
