"""Run a Python script or module inside Pyodide as ``python`` would, and return its exit code.

Called by the Node runner ``build/node/node/run-python.js`` (``src/node/run-python.ts``)
with the command-line arguments; used to compile the wheels' bytecode and to run
the pytest suite on Pyodide's Python 3.14.

Example (inside Pyodide)::

    main(["-m", "pytest", "-q", "py/tests"])
"""

from __future__ import annotations

import runpy
import sys


def main(argv: list[str]) -> int:
    """``argv`` is ``[script, *args]`` or ``["-m", module, *args]``; returns the exit code."""
    argv = list(argv)
    try:
        if argv[:1] == ["-m"]:
            sys.argv = argv[1:]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = argv
            runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as done:
        code = done.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0
