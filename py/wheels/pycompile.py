"""Add compiled bytecode to the kernel's wheels, inside Pyodide, so start-up skips compiling.

``import IPython`` compiles about a hundred modules from source on every kernel
start (about half of the import time). This script, run by ``npm run
build:wheels`` *inside Pyodide* (Python 3.14, so the bytecode matches), adds
``__pycache__/*.cpython-314.pyc`` next to every ``.py`` of every wheel in a
directory — unchecked-hash pycs, which the import system uses without
comparing them with the source (wheels are never edited in place). Sources
stay, so tracebacks and ``??`` still show code. It then updates the
``sha256`` of each wheel in the directory's lock files.

Only modules a kernel imports at start-up are worth it (the others would
only make the wheels bigger to unpack): with ``--only LIST`` (the
``imported-modules.txt`` that ``stdlib_pyc.py`` writes) only those files are
compiled.

Usage (in Pyodide)::

    python pycompile.py build/wheels [--only build/wheels/imported-modules.txt]
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc  # type: ignore[attr-defined]
from pathlib import Path


def pyc_name(source: str) -> str:
    """``pkg/mod.py`` → ``pkg/__pycache__/mod.cpython-314.pyc``."""
    folder, _, name = source.rpartition("/")
    cached = f"__pycache__/{name[:-3]}.{sys.implementation.cache_tag}.pyc"
    return f"{folder}/{cached}" if folder else cached


def compile_wheel(path: Path, only: set[str] | None = None) -> int:
    """Add pycs to one wheel (rewritten in place, for the files in ``only`` if given); returns how many."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    names = {info.filename for info, _ in entries}
    added: list[tuple[str, bytes]] = []
    for info, data in entries:
        name = info.filename
        if not name.endswith(".py") or ".dist-info/" in name or pyc_name(name) in names:
            continue
        if only is not None and name not in only:
            continue
        try:
            code = compile(data, name, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            continue  # not Python 3.14 source (test data, templates): left as it is
        source_hash = importlib.util.source_hash(data)
        added.append((pyc_name(name), bytes(_code_to_hash_pyc(code, source_hash, checked=False))))
    if not added:
        return 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
        for name, data in added:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return len(added)


def update_locks(directory: Path) -> None:
    """Recompute each wheel's ``sha256`` in the lock files of ``directory``."""
    for lock_path in directory.glob("*-lock.json"):
        lock = json.loads(lock_path.read_text())
        for entry in lock["packages"].values():
            wheel = directory / Path(entry["file_name"]).name
            entry["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
        lock_path.write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    only: set[str] | None = None
    if len(argv) == 3 and argv[1] == "--only":
        only = set(Path(argv[2]).read_text().split())
        argv = argv[:1]
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    if sys.platform != "emscripten":
        print("pycompile.py must run inside Pyodide (its bytecode must match Pyodide's Python)", file=sys.stderr)
        return 2
    directory = Path(argv[0])
    total = sum(compile_wheel(path, only) for path in sorted(directory.glob("*.whl")))
    update_locks(directory)
    print(f"{directory}: added {total} compiled modules")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
