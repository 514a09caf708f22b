"""What a kernel restored from a memory snapshot must redo, so it runs as a freshly booted one.

The worker runtime can start Pyodide from a memory snapshot taken at build time,
just after ``sync_kernel.kernel`` was imported (see ``src/worker/snapshot.ts``).
Python's state is then the snapshot's: what Python read from its surroundings
when it started (environment variables, the time zone) is the build machine's,
and Pyodide's JavaScript start-up, which runs again on top of it, repeats some
of its work. :func:`restored` puts both right. Per-session state that a snapshot
would share between kernels (the random seed) is made fresh by
:func:`sync_kernel.kernel.api.start`, for every kernel alike.

What cannot be redone: the seed of ``hash()`` for ``str`` and ``bytes`` is chosen
once at interpreter start, so every kernel restored from one snapshot has the same.

Example (``sys.path`` after a restore, and after :func:`restored`)::

    >>> import json, os, sys
    >>> saved_path, saved_lang = sys.path[:], os.environ.get("LANG")
    >>> sys.path[:] = ["", "/lib/sync-kernel-stdlib.zip", "", "/lib/python314.zip"]
    >>> restored(json.dumps({"LANG": "de_DE.UTF-8"}))
    >>> sys.path, os.environ["LANG"]
    (['/lib/sync-kernel-stdlib.zip', '', '/lib/python314.zip'], 'de_DE.UTF-8')
    >>> sys.path[:] = saved_path
    >>> if saved_lang is None: del os.environ["LANG"]
    ... else: os.environ["LANG"] = saved_lang
"""

from __future__ import annotations

import json
import linecache
import os
import sys
import time

#: The average length of a year in seconds, as CPython's ``time`` module counts it.
_YEAR = (365 * 24 + 6) * 3600


def prepare() -> None:
    """Called by the snapshot builder just before the snapshot is taken: do what a session's first
    traceback would.

    Formatting the first traceback imports ``stack_data``, ``executing`` and pygments' Python lexer
    and terminal formatter, and compiles the lexer's tables: in the browser that took 0.4–1 s,
    added to a session's first error, or to a Stop. Done here, it is part of the snapshot. The
    traceback is formatted as the shell's are (context mode, colours, the cell's source from
    ``linecache``), and then dropped.
    """
    from IPython.core.ultratb import AutoFormattedTB

    formatter = AutoFormattedTB(mode="Context", theme_name="linux", call_pdb=False, ostream=None, debugger_cls=None)
    source = "def fail():\n    return int('x')\n"
    filename = "<sync-kernel-snapshot>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, object] = {}
    try:
        exec(compile(source, filename, "exec"), namespace)
        namespace["fail"]()  # type: ignore[operator]
    except ValueError as error:
        formatter.structured_traceback(type(error), error, error.__traceback__)
    finally:
        del linecache.cache[filename]


def restored(environment: str) -> None:
    """Called by the runtime once, right after a snapshot is restored.

    ``environment`` (JSON) holds the environment variables the runtime sets,
    as they are where the kernel runs. The time zone is read again
    (:func:`read_time_zone`), and the second ``""`` that Pyodide's start-up puts
    first on ``sys.path`` is dropped: the snapshot already has it where a normal
    boot leaves it (after the compiled standard library).
    """
    os.environ.update(json.loads(environment))
    read_time_zone()
    if sys.path.count("") > 1:
        sys.path.remove("")


def read_time_zone() -> None:
    """Set ``time.timezone``, ``altzone``, ``daylight`` and ``tzname`` for the time zone in force now.

    The ``time`` module computes them once, when it starts, and Pyodide has no
    ``time.tzset`` to compute them again; this is the computation CPython makes
    without ``tzset`` (``init_timezone`` in ``Modules/timemodule.c``): the UTC
    offsets in January and in July of this year, the larger one being standard time.
    (The runtime has already written the zone into the C library's own globals,
    where ``localtime`` finds the zone's names.)
    """
    start = int(time.time()) // _YEAR * _YEAR
    january, july = time.localtime(start), time.localtime(start + _YEAR // 2)
    january_zone, july_zone = -(january.tm_gmtoff or 0), -(july.tm_gmtoff or 0)
    if january_zone < july_zone:  # summer time in January: the southern hemisphere
        zones, names = (july_zone, january_zone), (july.tm_zone, january.tm_zone)
    else:
        zones, names = (january_zone, july_zone), (january.tm_zone, july.tm_zone)
    time.timezone, time.altzone = zones
    time.daylight = int(january_zone != july_zone)
    time.tzname = names
