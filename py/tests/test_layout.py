"""The wall between the codemod and the kernel holds: the codemod needs nothing but the standard library."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sync_kernel"
CODEMOD_MODULES = sorted(path.stem for path in (PACKAGE / "codemod").glob("*.py") if path.stem != "__init__")
#: The runtime of threads as tasks: rewritten code imports it, and the codemod's support uses it.
THREADS_MODULES = sorted(str(path.relative_to(PACKAGE)) for path in (PACKAGE / "threads").rglob("*.py"))


def test_the_codemod_and_its_command_line_work_with_ipython_unimportable() -> None:
    blocker = textwrap.dedent(
        """
        import importlib.abc, sys

        class Refuse(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("IPython", "traitlets", "comm", "pyodide", "js", "micropip"):
                    raise ImportError(name + " may not be imported by the codemod")
                return None

        sys.meta_path.insert(0, Refuse())
        import sync_kernel
        from sync_kernel.codemod import MODULES
        from sync_kernel.codemod.cli import main
        result = sync_kernel.transform("import time\\ntime.sleep(1)\\n")
        assert result.code.endswith("await __sync__.sleep(1)\\n"), result.code
        print("ok")
        """
    ).replace("MODULES", ", ".join(CODEMOD_MODULES))
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    done = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout == "ok\n", done.stderr


def _imports_outside(path: Path, package: str) -> set[str]:
    """What the module at ``path`` imports from outside the standard library and ``package``."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            # The first part below `sync_kernel` of what is imported: "codemod", "threads", "kernel"...
            above = list(
                path.parent.relative_to(PACKAGE).parts[: len(path.parent.relative_to(PACKAGE).parts) - node.level + 1]
            )
            names = [node.module] if node.module else [alias.name for alias in node.names]
            for name in names:
                target = [*above, *name.split(".")][0]
                if target != package:
                    imported.add(target)
    return {name for name in imported if name not in sys.stdlib_module_names}


@pytest.mark.parametrize("module", CODEMOD_MODULES)
def test_codemod_modules_import_only_the_standard_library_and_each_other(module: str) -> None:
    outside = _imports_outside(PACKAGE / "codemod" / f"{module}.py", "codemod") - {"threads"}
    assert outside == set(), f"codemod/{module}.py imports {sorted(outside)}"


@pytest.mark.parametrize("module", THREADS_MODULES)
def test_threads_modules_import_only_the_standard_library_and_each_other(module: str) -> None:
    outside = _imports_outside(PACKAGE / module, "threads")
    assert outside == set(), f"{module} imports {sorted(outside)}"
