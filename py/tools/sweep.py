"""Sweep the codemod over the Python standard library: ``python py/tools/sweep.py [--sample N] [--root DIR]``.

For every ``.py`` file of the running interpreter's standard library (tests
included), or of ``--root`` (third-party code, say ``.venv/lib/python3.11/site-packages``),
checks that the transform

* raises nothing and leaves no ``internal`` note,
* keeps the number of lines,
* compiles with top-level await allowed (when the original compiles),
* is idempotent: a second pass with a fresh session changes nothing,
* returns files without a single blocking call byte for byte.

Prints a summary table and the failures; exits 1 if there are any.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import sysconfig
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync_kernel import Session  # noqa: E402
from sync_kernel.codemod.waits import REPLACED_MODULES, WAIT_NAMES  # noqa: E402

#: Callee names that may be blocking calls (checked independently of the codemod's own analysis).
_BLOCKING_NAMES = frozenset(
    {"sleep", "run", "run_until_complete", "input", "getpass", "new_event_loop", "set_event_loop", "Runner", "close"}
    | {"to_thread", "run_in_executor"}
)
#: Once a file mentions a module of threads, waits are known by their method names, and locks by theirs.
_THREAD_WORDS = re.compile(r"\b(?:threading|queue|concurrent|_thread|multiprocessing)\b")


@dataclass
class Report:
    files: int = 0
    unparsable: int = 0
    changed: int = 0
    edits: int = 0
    kept: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def stdlib_files() -> list[Path]:
    """The ``.py`` files of the standard library (read from its zip archive where it is one, as in Pyodide)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)
    if files:
        return files
    archives = [Path(entry) for entry in sys.path if entry.endswith(".zip") and Path(entry).is_file()]
    found: list[Path] = []
    for archive in archives:
        stack = [zipfile.Path(archive)]
        while stack:
            for entry in stack.pop().iterdir():
                if entry.is_dir():
                    stack.append(entry)
                elif entry.name.endswith(".py"):
                    found.append(entry)  # type: ignore[arg-type]
    return sorted(found, key=str)


def sample(files: list[Path], count: int) -> list[Path]:
    """Every k-th file, so the sample spreads over the whole library and is the same each run."""
    if count >= len(files):
        return files
    step = len(files) / count
    return [files[int(i * step)] for i in range(count)]


def _may_block(tree: ast.AST, source: str) -> bool:
    threads = _THREAD_WORDS.search(source) is not None
    blocking = _BLOCKING_NAMES | WAIT_NAMES if threads else _BLOCKING_NAMES
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in REPLACED_MODULES for a in node.names):
            return True  # threads become tasks
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in REPLACED_MODULES:
            return True
        if threads and isinstance(node, ast.With):
            return True  # a lock's `with` waits
        if isinstance(node, ast.Call):
            # The callee may be more than a name: `(input if PY3 else raw_input)(p)`, `getattr(time, "sleep")`.
            for part in ast.walk(node.func):
                if isinstance(part, ast.Name):
                    name = part.id
                elif isinstance(part, ast.Attribute):
                    name = part.attr
                elif isinstance(part, ast.Constant) and isinstance(part.value, str):
                    name = part.value
                else:
                    continue
                if name in blocking:
                    return True
    return False


def check_file(path: Path, report: Report) -> None:
    try:
        source = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return
    report.files += 1
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        tree = None
        report.unparsable += 1
    started = time.perf_counter()
    try:
        result = Session(input_hook="__input__").transform(source)
    except Exception as error:  # the contract says this never happens
        report.failures.append(f"{path}: raised {type(error).__name__}: {error}")
        return
    finally:
        report.seconds += time.perf_counter() - started
    code = result.code
    problems = []
    internal = [n.message for n in result.notes if n.kind == "internal"]
    if internal:
        problems.append(f"internal note: {internal[0]}")
    if code.count("\n") != source.count("\n"):
        problems.append("line count changed")
    if tree is not None and code != source:
        try:
            compile(code, str(path), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        except SyntaxError as error:
            problems.append(f"does not compile: {error.msg} (line {error.lineno})")
    again = Session(input_hook="__input__").transform(code).code
    if again != code:
        problems.append("second pass changed it")
    if tree is not None and not _may_block(tree, source) and code != source:
        problems.append("changed although it has no blocking call")
    if tree is None and code != source:
        problems.append("changed although it does not parse")
    if code != source:
        report.changed += 1
    report.edits += sum(1 for n in result.notes if n.kind in ("rewrite", "async-def", "await-call"))
    report.kept += sum(1 for n in result.notes if n.kind == "kept-blocking")
    report.failures.extend(f"{path}: {problem}" for problem in problems)


def sweep(files: list[Path]) -> Report:
    report = Report()
    for path in files:
        check_file(path, report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, help="check only N files spread over the library")
    parser.add_argument("--root", type=Path, help="sweep the .py files under this folder instead")
    args = parser.parse_args(argv)
    files = sorted(args.root.rglob("*.py")) if args.root else stdlib_files()
    if args.sample:
        files = sample(files, args.sample)
    wall = time.perf_counter()
    report = sweep(files)
    wall = time.perf_counter() - wall
    where = args.root or sysconfig.get_paths()["stdlib"]
    print(
        f"Python {sys.version.split()[0]}, {'' if args.root else 'standard library: '}{len(files)} files under {where}"
    )
    print("| files | unparsable | changed | edits | kept blocking | failures | transform time | wall time |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {report.files} | {report.unparsable} | {report.changed} | {report.edits} | {report.kept} "
        f"| {len(report.failures)} | {report.seconds:.1f} s | {wall:.1f} s |"
    )
    for failure in report.failures:
        print("FAIL", failure)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
