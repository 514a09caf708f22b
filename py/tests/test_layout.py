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
        assert result.code.endswith("await __asyncio__.sleep(1)\\n"), result.code
        print("ok")
        """
    ).replace("MODULES", ", ".join(CODEMOD_MODULES))
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    done = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout == "ok\n", done.stderr


@pytest.mark.parametrize("module", CODEMOD_MODULES)
def test_codemod_modules_import_only_the_standard_library_and_each_other(module: str) -> None:
    tree = ast.parse((PACKAGE / "codemod" / f"{module}.py").read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level > 1:
            imported.add("..")  # out of the codemod package
    outside = {name for name in imported if name not in sys.stdlib_module_names}
    assert outside == set(), f"codemod/{module}.py imports {sorted(outside)}"
