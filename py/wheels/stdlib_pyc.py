"""Compile the standard-library modules the kernel imports, for a faster start-up.

Pyodide's ``python_stdlib.zip`` holds sources only, so every standard-library
module the kernel needs (argparse, pickle, logging, pprint, ... — IPython and
traitlets import them) is compiled on every start. This script, run by ``npm
run build:wheels`` *inside Pyodide* with the kernel installed, starts a kernel,
runs a few cells, and writes the standard-library modules that got imported —
their sources and unchecked-hash bytecode side by side — into one zip. The
runtime puts that zip first on ``sys.path`` (at :data:`RUNTIME_PATH`) before it
imports the shell; zipimport then loads the bytecode, and tracebacks still find
the sources. The file name carries the Pyodide version, and the runtime only
uses a zip built for its own Pyodide.

It also writes, next to the zip, ``imported-modules.txt``: the files of the
installed wheels that the same warm-up imported (``IPython/core/shell.py``, ...),
so ``pycompile.py`` compiles only those and the wheels stay small to unpack.

Usage (in Pyodide)::

    python stdlib_pyc.py OUT.zip
"""

from __future__ import annotations

import importlib.util
import json
import site
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc  # type: ignore[attr-defined]
from pathlib import Path

#: Where the runtime writes the zip in Pyodide's filesystem (compiled file names point there).
RUNTIME_PATH = "/lib/sync-kernel-stdlib.zip"

#: Cells run to import what a kernel's first cells need (results, displays, errors).
WARM_UP_CELLS = ["1 + 1", "str(1)", "from IPython.display import display\ndisplay(1)", "1 / 0", "x = (", "%transform"]


def stdlib_zip() -> str:
    """The path of Pyodide's standard-library zip (``/lib/python314.zip``)."""
    return next(p for p in sys.path if p.endswith(".zip") and "python3" in p)


def warm_up() -> None:
    """Start a kernel and run :data:`WARM_UP_CELLS`, so their imports happen."""
    from sync_kernel.kernel import KernelApi

    kernel = KernelApi(lambda msg_type, content, parent: None)
    for code in WARM_UP_CELLS:
        reply = kernel.execute(json.dumps({"code": code}))
        if not isinstance(reply, str):
            raise RuntimeError(f"warm-up cell {code!r} did not finish at once")


def imported_members(source_zip: str, already: set[str]) -> list[str]:
    """Members of ``source_zip`` (``a/b.py``) whose modules were imported, except ``already``."""
    prefix = source_zip + "/"
    members = []
    for name, module in list(sys.modules.items()):
        if name in already:
            continue
        path = getattr(module, "__file__", None) or ""
        if path.startswith(prefix) and path.endswith(".py"):
            members.append(path[len(prefix) :])
    return sorted(set(members))


def imported_site_files() -> list[str]:
    """Files under site-packages (relative paths) whose modules are imported now."""
    prefixes = [p.rstrip("/") + "/" for p in site.getsitepackages()]
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None) or ""
        for prefix in prefixes:
            if path.startswith(prefix) and path.endswith(".py"):
                files.add(path[len(prefix) :])
    return sorted(files)


def whole_packages(members: list[str], source_zip: str) -> list[str]:
    """``members`` with every package in them whole.

    Python looks for a package's submodules only where it found the package:
    ``html/__init__.py`` in this zip without ``html/parser.py`` would break
    ``import html.parser``. So a package whose ``__init__`` is a member comes
    with all its modules; the submodules of a package that is not (it was
    imported before this zip was on ``sys.path``) would never be loaded from
    the zip, and are left out.
    """
    with zipfile.ZipFile(source_zip) as stdlib:
        sources = [name for name in stdlib.namelist() if name.endswith(".py")]
    whole: set[str] = set()
    for member in members:
        package = member.split("/")[0]
        if "/" not in member:
            whole.add(member)
        elif f"{package}/__init__.py" in members:
            whole.update(name for name in sources if name.startswith(f"{package}/"))
    return sorted(whole)


def write_zip(out: str, source_zip: str, members: list[str]) -> None:
    """Write the members' sources and bytecode (compiled as living at :data:`RUNTIME_PATH`)."""
    with zipfile.ZipFile(source_zip) as stdlib, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            source = stdlib.read(member)
            code = compile(source, f"{RUNTIME_PATH}/{member}", "exec", dont_inherit=True)
            pyc = _code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False)
            stamp = (2020, 1, 1, 0, 0, 0)
            archive.writestr(zipfile.ZipInfo(member, date_time=stamp), source, zipfile.ZIP_DEFLATED)
            archive.writestr(zipfile.ZipInfo(member[:-3] + ".pyc", date_time=stamp), bytes(pyc), zipfile.ZIP_DEFLATED)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or sys.platform != "emscripten":
        print(__doc__, file=sys.stderr)
        return 2
    source_zip = stdlib_zip()
    already = set(sys.modules)  # imported while Pyodide started: the zip comes too late for them
    warm_up()
    members = whole_packages(imported_members(source_zip, already), source_zip)
    write_zip(argv[0], source_zip, members)
    site_files = imported_site_files()
    (Path(argv[0]).parent / "imported-modules.txt").write_text("".join(f"{name}\n" for name in site_files))
    print(f"{argv[0]}: {len(members)} standard-library modules compiled; {len(site_files)} wheel modules imported")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
