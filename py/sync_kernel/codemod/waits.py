"""Threads as tasks: the catalogue of thread primitives and of the calls that wait on them.

Rewritten cells import ``threading``, ``queue``, ``concurrent.futures``,
``_thread`` and ``multiprocessing`` from :mod:`sync_kernel.threads`, where a
thread is a task on the kernel's event loop. A thread then runs only while the
others wait, so every wait must become an ``await``: ``t.join()`` becomes
``await __sync__.wait(t.join)``, ``with lock:`` becomes ``async with lock:``,
``for f in as_completed(fs):`` becomes ``async for``. This module says which
calls those are:

* on a receiver whose kind the analysis knows (``t = threading.Thread(...)``),
  the waiting methods of that kind (:data:`WAIT_METHODS`);
* on a receiver it does not know (``for t in threads: t.join()``), a method
  whose name and arguments only a wait has (:func:`looks_like_wait`). At run
  time ``__sync__.wait`` awaits only the primitives of :mod:`sync_kernel.threads`
  and calls anything else as written, so a wrong guess costs an ``await``,
  never a change in behaviour.

Example::

    >>> import ast
    >>> call = ast.parse("t.join(timeout=1)").body[0].value
    >>> looks_like_wait(call)
    True
    >>> looks_like_wait(ast.parse("', '.join(words)").body[0].value)
    False
"""

from __future__ import annotations

import ast
import re

#: ``jupyter_ui_poll`` (served with the kernel): its waits let widget events reach a waiting cell.
UI_POLL_MODULE = "jupyter_ui_poll"
UI_POLL_TARGETS = ("ui_events", "with_ui_events", "run_ui_poll_loop")
UI_EVENTS = f"{UI_POLL_MODULE}.ui_events"
WITH_UI_EVENTS = f"{UI_POLL_MODULE}.with_ui_events"
RUN_UI_POLL_LOOP = f"{UI_POLL_MODULE}.run_ui_poll_loop"

#: Names the catalogue knows in each module whose imports are rewritten.
THREAD_TARGETS: dict[str, tuple[str, ...]] = {
    "threading": (
        "Thread",
        "Timer",
        "Lock",
        "RLock",
        "Condition",
        "Semaphore",
        "BoundedSemaphore",
        "Event",
        "Barrier",
        "current_thread",
        "main_thread",
    ),
    "queue": ("Queue", "LifoQueue", "PriorityQueue", "SimpleQueue"),
    "concurrent.futures": ("ThreadPoolExecutor", "wait", "as_completed"),
    "_thread": ("start_new_thread", "allocate_lock"),
    "multiprocessing": (),
    "multiprocessing.pool": ("ThreadPool",),
    "multiprocessing.dummy": ("Pool",),
}

#: The module each rewritten import takes instead (``concurrent`` stands for ``concurrent.futures`` too).
REPLACEMENT_PACKAGE = "sync_kernel.threads"
REPLACED_MODULES = frozenset({name.split(".")[0] for name in THREAD_TARGETS} | {"concurrent"})
#: The modules, packages and submodules whose imports are rewritten.
KNOWN_MODULES = frozenset({*THREAD_TARGETS, "concurrent"})

#: What calling a catalogue class or function gives: an instance of a primitive kind.
CONSTRUCTS: dict[str, str] = {
    "threading.Thread": "Thread",
    "threading.Timer": "Thread",
    "threading.current_thread": "Thread",
    "threading.main_thread": "Thread",
    "threading.Lock": "Lock",
    "threading.RLock": "Lock",
    "threading.Semaphore": "Lock",
    "threading.BoundedSemaphore": "Lock",
    "_thread.allocate_lock": "Lock",
    "threading.Condition": "Condition",
    "threading.Event": "Event",
    "threading.Barrier": "Barrier",
    "queue.Queue": "Queue",
    "queue.LifoQueue": "Queue",
    "queue.PriorityQueue": "Queue",
    "queue.SimpleQueue": "Queue",
    "concurrent.futures.ThreadPoolExecutor": "Executor",
    "multiprocessing.pool.ThreadPool": "Pool",
    "multiprocessing.dummy.Pool": "Pool",
    UI_EVENTS: "UiEvents",
}

#: Catalogue classes a user class may derive from (its instances are of that kind).
SUBCLASSABLE = frozenset(name for name in CONSTRUCTS if name.rsplit(".", 1)[-1][:1].isupper())

#: The methods of each kind that wait.
WAIT_METHODS: dict[str, frozenset[str]] = {
    "Thread": frozenset({"join", "run"}),
    "Lock": frozenset({"acquire"}),
    "Condition": frozenset({"acquire", "wait", "wait_for"}),
    "Event": frozenset({"wait"}),
    "Barrier": frozenset({"wait"}),
    "Queue": frozenset({"get", "put", "join"}),
    "Executor": frozenset({"map", "shutdown"}),
    "Future": frozenset({"result", "exception"}),
    "Pool": frozenset({"apply", "map", "starmap", "imap", "imap_unordered", "join"}),
    "AsyncResult": frozenset({"get", "wait"}),
    # `with ui_events() as poll:` ... `poll(10)`: calling the object waits.
    "UiEvents": frozenset({"__call__"}),
}

#: Kinds whose ``__enter__`` returns the object itself (``with ThreadPoolExecutor() as pool:``).
ENTER_RETURNS_SELF = frozenset({"Executor", "Pool", "UiEvents"})

#: Kinds whose ``with`` waits (to take a lock, or for an executor's work to finish).
WITH_KINDS = frozenset({"Lock", "Condition", "Executor"})

#: What a method of a kind returns, where that is a kind too.
RETURNS: dict[tuple[str, str], str] = {
    ("Executor", "submit"): "Future",
    **{("Pool", name): "AsyncResult" for name in ("apply_async", "map_async", "starmap_async")},
}

#: Module functions that wait; those of :data:`ITERATED` are iterated with ``async for`` when they can be.
WAIT_FUNCTIONS = frozenset({"concurrent.futures.wait", "concurrent.futures.as_completed", RUN_UI_POLL_LOOP})
AS_COMPLETED = "concurrent.futures.as_completed"
ITERATED = frozenset({AS_COMPLETED, WITH_UI_EVENTS})
#: Waiting methods whose result a ``for`` iterates with ``async for`` when it can, awaiting each
#: item (``for r in pool.map(f, xs):`` prints each result as it comes, as on desktop).
ITERATED_METHODS = frozenset({"Executor.map"})

#: Every method name that may wait: statements mentioning one are analysed once threads are in use.
WAIT_NAMES = frozenset(name for names in WAIT_METHODS.values() for name in names if name != "__call__") | {
    "as_completed"
}

#: Calls that start a function as a thread, and where that function is: ``(position, keyword)``.
#: A function given there may become ``async``: the thread awaits it.
SPAWNS: dict[str, tuple[int, str]] = {
    "threading.Thread": (1, "target"),
    "threading.Timer": (1, "function"),
    "_thread.start_new_thread": (0, "function"),
    "asyncio.to_thread": (0, "func"),
    "Executor.submit": (0, "fn"),
    "Executor.map": (0, "fn"),
    "loop.run_in_executor": (1, "func"),
    **{
        f"Pool.{name}": (0, "func")
        for name in ("apply", "apply_async", "map", "map_async", "starmap", "starmap_async", "imap", "imap_unordered")
    },
}

#: Argument names of each waiting method, beyond which an unknown receiver is not guessed to be ours.
_WAIT_SHAPES: dict[str, tuple[int, frozenset[str]]] = {
    # name: (most positional arguments, keywords allowed)
    "join": (0, frozenset({"timeout"})),
    "acquire": (2, frozenset({"blocking", "timeout"})),
    "wait": (1, frozenset({"timeout"})),
    "wait_for": (2, frozenset({"predicate", "timeout"})),
    "get": (0, frozenset({"block", "timeout"})),
    "put": (3, frozenset({"item", "block", "timeout"})),
    "result": (1, frozenset({"timeout"})),
    "exception": (1, frozenset({"timeout"})),
    "shutdown": (1, frozenset({"wait", "cancel_futures"})),
}


def looks_like_wait(call: ast.Call) -> bool:
    """Whether ``receiver.name(...)`` on a receiver nothing is known about has the shape of a wait.

    ``t.join()`` does (``str.join`` takes an iterable), ``q.get(timeout=1)``
    does (``dict.get`` takes a key); ``t.join(2.0)`` does when the argument is
    a number; ``q.put(item)`` does.
    """
    if not isinstance(call.func, ast.Attribute):
        return False
    shape = _WAIT_SHAPES.get(call.func.attr)
    if shape is None:
        return False
    most, keywords = shape
    if any(isinstance(arg, ast.Starred) for arg in call.args) or any(k.arg is None for k in call.keywords):
        return False
    if not all(k.arg in keywords for k in call.keywords):
        return False
    if call.func.attr == "join" and len(call.args) == 1:
        return _is_number(call.args[0])
    if call.func.attr == "put":
        return 1 <= len(call.args) + sum(k.arg == "item" for k in call.keywords) and len(call.args) <= most
    return len(call.args) <= most


#: The last part of a name that holds a lock: ``lock``, ``self._lock``, ``print_lock``, ``cv``, ``mutex``.
_LOCK_NAME = re.compile(r"(?:^|_)(?:r?lock|mutex|cond|condition|cv|sem|semaphore)$", re.IGNORECASE)


def looks_like_lock(expr: ast.expr) -> bool:
    """Whether a ``with`` subject nothing is known about is named like a lock (``with self.lock:``).

    Its ``with`` becomes ``async with __sync__.entering(...)``, which takes
    the primitives of :mod:`sync_kernel.threads` as a task and enters anything
    else as written.
    """
    name = expr.attr if isinstance(expr, ast.Attribute) else expr.id if isinstance(expr, ast.Name) else None
    return name is not None and _LOCK_NAME.search(name) is not None


def _is_number(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def spawned_function(call: ast.Call, spawn: str) -> ast.expr | None:
    """The argument of a spawning call that holds the function to run as a thread."""
    position, keyword = SPAWNS[spawn]
    for found in call.keywords:
        if found.arg == keyword:
            return found.value
    if any(isinstance(arg, ast.Starred) for arg in call.args[: position + 1]):
        return None
    return call.args[position] if len(call.args) > position else None
