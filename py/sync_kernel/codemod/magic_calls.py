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

#: The name of the kernel's awaited code magics (``await __magics__.timeit(...)``).
MAGICS_NAME = "__magics__"

#: Magics whose argument is Python code, with the short options that take a value
#: (as in IPython's ``parse_options`` spec): their code is rewritten like a cell's.
CODE_MAGICS: dict[str, str] = {"time": "", "timeit": "nrpv", "capture": ""}

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
    """The pip calls of module-level code with pip's arguments."""
    found: list[tuple[ast.Call, str]] = []
    for call in module_level_calls(tree):
        arguments = _pip_arguments(call)
        if arguments is not None:
            found.append((call, arguments))
    return found


def module_level_calls(tree: ast.Module) -> list[ast.Call]:
    """The calls of module-level code (not in functions, classes, lambdas or comprehensions), where a cell can await.

    A call inside another call's arguments is listed too, after it.
    """
    found: list[ast.Call] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, ast.Call):
            found.append(node)
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
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


@dataclass(frozen=True)
class CodeMagic:
    """A ``%time``/``%timeit``/``%%capture`` (…) call whose code the codemod may rewrite."""

    #: IPython's call of the magic, in IPython's transform of the cell.
    call: ast.Call
    #: The magic's name (a key of :data:`CODE_MAGICS`).
    name: str
    #: The options as written (``-n 3 -r2``; for ``%%capture``, the options and the output name).
    options: str
    #: The code to run, preceded by one empty line for each line of the cell before it, so
    #: that rewritten, it keeps its line numbers.
    code: str
    #: ``%%timeit``'s setup statement (the rest of the magic's line), placed the same way.
    setup: str | None = None


def find_code_magics(cell: str, raw_cell: str) -> list[CodeMagic]:
    """The module-level calls of code magics in ``cell`` (IPython's transform of ``raw_cell``).

    Example::

        >>> cell = "x = get_ipython().run_line_magic('timeit', '-n 2 -o f()')\\n"
        >>> [(m.name, m.options, m.code) for m in find_code_magics(cell, "x = %timeit -n 2 -o f()\\n")]
        [('timeit', '-n 2 -o ', 'f()')]
    """
    if "_magic('" not in cell:
        return []
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return []
    found: list[CodeMagic] = []
    for call in module_level_calls(tree):
        recognised = ipython_call(call)
        if recognised is None:
            continue
        method, args = recognised
        if method == "run_line_magic" and len(args) == 2 and args[0] in CODE_MAGICS and args[0] != "capture":
            options, code = split_options(args[1], CODE_MAGICS[args[0]])
            if code.strip():
                found.append(CodeMagic(call, args[0], options, "\n" * (call.lineno - 1) + code))
        elif method == "run_cell_magic" and len(args) == 3 and args[0] in CODE_MAGICS:
            magic = _cell_magic(raw_cell, *args)
            if magic is not None:
                found.append(CodeMagic(call, *magic))
    return found


def _cell_magic(raw_cell: str, name: str, line: str, body: str) -> tuple[str, str, str, str | None] | None:
    """``(name, options, code, setup)`` of a ``%%name line`` cell whose body is ``body``."""
    lines = raw_cell.splitlines(keepends=True)
    first = next((index for index, text in enumerate(lines) if text.strip()), len(lines))
    if first == len(lines) or not lines[first].lstrip().startswith("%%" + name):
        return None
    after = "".join(lines[first + 1 :])
    if after.rstrip("\n") == body.rstrip("\n"):
        code = "\n" * (first + 1) + body
    elif after.strip("\n") == body.strip("\n"):  # some IPython versions drop the leading blank lines
        code = "\n" * (first + 1 + len(after) - len(after.lstrip("\n"))) + body.lstrip("\n")
    else:
        return None
    if name == "capture":
        return name, line, code, None
    options, setup = split_options(line, CODE_MAGICS[name])
    if name == "time":
        return (name, options, code, None) if not setup.strip() else None
    return name, options, code, "\n" * first + (setup if setup.strip() else "pass")


def split_options(text: str, value_options: str) -> tuple[str, str]:
    """``text`` split into its leading options and the rest, as IPython's ``getopt`` reads them.

    ``value_options`` are the short options that take a value, attached
    (``-n3``) or as the next word (``-n 3``); ``--long`` options take none.

    Example::

        >>> split_options("-n 3 -qr2 total = f(x)", "nrpv")
        ('-n 3 -qr2 ', 'total = f(x)')
    """
    position = 0
    while True:
        word = re.match(r"\s*(\S+)\s*", text[position:])
        if word is None or not word.group(1).startswith("-") or word.group(1) == "-":
            break
        position += word.end()
        token = word.group(1)
        if token.startswith("--"):
            continue
        for index, letter in enumerate(token[1:], start=1):
            if letter in value_options:
                if index == len(token) - 1:  # the value is the next word
                    value = re.match(r"\S+\s*", text[position:])
                    position += value.end() if value else 0
                break
    return text[:position], text[position:]
