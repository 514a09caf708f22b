"""Recognise the calls IPython's input transforms write for magics and ``!`` commands.

IPython turns ``%name args`` into ``get_ipython().run_line_magic('name', 'args')``,
a ``%%name`` cell into ``get_ipython().run_cell_magic('name', 'line', 'body')``
and ``!cmd`` into ``get_ipython().system('cmd')``. The shell reads some of
them back to run their code its own way, as cell transforms with notes:

* :func:`await_pip_lines` — ``%pip``/``!pip`` lines become ``await __pip__(...)``
  on the same line (the kernel's ``Pip`` does them with micropip);
* :func:`find_timed_code` — the code of a lone ``%%time``/``%time`` cell, so the
  codemod can rewrite it and the kernel run it as the cell, timed.

Example::

    >>> import ast
    >>> call = ast.parse("get_ipython().run_line_magic('pip', 'install six')").body[0].value
    >>> ipython_call(call)
    ('run_line_magic', ['pip', 'install six'])
    >>> await_pip_lines("get_ipython().run_line_magic('pip', 'install six')\\n", "%pip install six\\n").code
    "await __pip__('install six')\\n"
    >>> await_pip_lines("get_ipython().system('pip install -q six')\\n", "!pip install -q six\\n").code
    "await __pip__('install -q six')\\n"
    >>> cell = "get_ipython().run_cell_magic('time', '', 'x = 1\\\\n')\\n"  # IPython's form of the cell
    >>> timed = find_timed_code("%%time\\nx = 1\\n", cell, transform_cell=str)
    >>> timed.code, timed.magic
    ('\\nx = 1\\n', '%%time\\n')
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

from .notes import Note
from .source import Edit, SourceText, apply_edits

#: The name the rewritten ``%pip`` lines call; the kernel puts its installer there.
PIP_NAME = "__pip__"

_PIP_COMMAND = re.compile(r"^\s*(?:pip3?|python3?\s+-m\s+pip)\s+(.*)$", re.DOTALL)


def ipython_call(node: ast.AST) -> tuple[str, list[str]] | None:
    """``(method, arguments)`` if ``node`` is ``get_ipython().<method>(...)`` with string literal arguments."""
    if not (
        isinstance(node, ast.Call)
        and not node.keywords
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "get_ipython"
    ):
        return None
    args = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    if len(args) != len(node.args):
        return None
    return node.func.attr, args


@dataclass(frozen=True)
class PipLines:
    """A cell with its ``%pip`` lines awaited, and a ``rewrite`` note for each."""

    code: str
    notes: list[Note]


def await_pip_lines(cell: str, raw_cell: str) -> PipLines:
    """``cell`` (IPython's transform of ``raw_cell``) with its pip calls awaited where a cell can await.

    IPython keeps a line magic on its line, so each note shows the user's line.
    """
    if "pip" not in cell:
        return PipLines(cell, [])
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return PipLines(cell, [])
    source = SourceText(cell)
    raw_lines = raw_cell.splitlines()
    edits: list[Edit] = []
    notes: list[Note] = []
    for call, arguments in _pip_calls(tree):
        after = f"await {PIP_NAME}({arguments!r})"
        edits.append(Edit(source.start(call), source.end(call), after))
        before = raw_lines[call.lineno - 1].strip() if call.lineno <= len(raw_lines) else ""
        notes.append(
            Note(call.lineno, call.col_offset, "rewrite", "pip installs with micropip, awaited", before, after)
        )
    return PipLines(apply_edits(cell, edits) if edits else cell, notes)


def _pip_calls(tree: ast.Module) -> list[tuple[ast.Call, str]]:
    """The pip calls of module-level code (not in functions, classes or lambdas) with pip's arguments."""
    found: list[tuple[ast.Call, str]] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, ast.Call):
            arguments = _pip_arguments(node)
            if arguments is not None:
                found.append((node, arguments))
                continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def _pip_arguments(call: ast.Call) -> str | None:
    """pip's arguments if ``call`` is IPython's form of ``%pip …`` or ``!pip …``."""
    recognised = ipython_call(call)
    if recognised is None:
        return None
    method, args = recognised
    if method == "run_line_magic" and len(args) == 2 and args[0] == "pip":
        return args[1]
    if method == "system" and len(args) == 1:
        match = _PIP_COMMAND.match(args[0])
        return match.group(1) if match else None
    return None


@dataclass(frozen=True)
class TimedCode:
    """The code a lone ``%%time``/``%time`` cell times."""

    #: The timed code after IPython's input transforms, preceded by one empty
    #: line for each line of the cell before it, so its lines keep their numbers.
    code: str
    #: The user's text before the code (the magic), to show with rewritten code.
    magic: str

    def shown(self, rewritten: str) -> str:
        """``rewritten`` (this code rewritten) as the user would read it: magic first."""
        skipped = self.magic.count("\n")
        return self.magic + rewritten.split("\n", skipped)[-1]


def find_timed_code(raw_cell: str, cell: str, transform_cell: Callable[[str], str]) -> TimedCode | None:
    """The code of a cell that is only ``%%time`` + body or one ``%time CODE`` line, else ``None``.

    ``cell`` is IPython's transform of ``raw_cell``, where the magic is a
    ``get_ipython().run_cell_magic('time', '', body)`` or
    ``get_ipython().run_line_magic('time', code)`` call; ``transform_cell`` is
    IPython's, applied to a ``%%time`` body as the magic itself would. Magics
    with options (``%time -n …``, ``%%time --no-raise-error``) are left to IPython.
    """
    if "_magic('time'" not in cell:  # the common case, without a parse
        return None
    call = _lone_time_magic(cell)
    if call is None:
        return None
    method, args = call
    lines = raw_cell.splitlines(keepends=True)
    first = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    if method == "run_cell_magic" and len(args) == 3 and not args[1].strip():
        body = "".join(lines[first + 1 :])
        if args[2] not in (body, body + "\n"):
            return None
        # IPython's transforms drop the body's leading blank lines: they count as the magic's.
        blank = next((index for index, line in enumerate(lines[first + 1 :]) if line.strip()), 0)
        magic = "".join(lines[: first + 1 + blank])
        return TimedCode(code="\n" * (first + 1 + blank) + transform_cell(body), magic=magic)
    if method == "run_line_magic" and len(args) == 2 and args[1].strip() and not args[1].startswith("-"):
        start = lines[first].find(args[1]) if first < len(lines) else -1
        if start < 0:
            return None
        return TimedCode(code="\n" * first + args[1] + "\n", magic="".join(lines[:first]) + lines[first][:start])
    return None


def _lone_time_magic(cell: str) -> tuple[str, list[str]] | None:
    """``(method, args)`` when ``cell`` is one ``get_ipython().run_{line,cell}_magic('time', ...)`` statement."""
    try:
        module = ast.parse(cell)
    except SyntaxError:
        return None
    if len(module.body) != 1 or not isinstance(module.body[0], ast.Expr):
        return None
    call = ipython_call(module.body[0].value)
    if call is None or call[0] not in ("run_cell_magic", "run_line_magic") or call[1][:1] != ["time"]:
        return None
    return call
