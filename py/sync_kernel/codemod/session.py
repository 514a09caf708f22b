"""Session: the codemod's memory across the cells of one notebook.

``Session.transform`` runs the pipeline for one cell:

parse → pick relevant statements → collect (scopes, bindings, calls) →
evaluate (what names hold) → plan (what becomes async) → rewrite (text edits
and notes) → check that the changed statements compile → remember.

It never raises: a cell with a syntax error comes back unchanged (the kernel
reports it as Python would), and an internal error returns the cell
unchanged with an ``internal`` note.
"""

from __future__ import annotations

import ast
import asyncio
import re
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from . import blocking_run
from .collect import Collected, Collector
from .evaluate import Evaluator
from .memory import Memory
from .notes import Note
from .plan import Plan, Planner, PlanningError, bound_by_import
from .relevance import Relevance, identifiers, relevant_statements
from .rewrite import ASYNCIO_NAME, SUPPORT_NAME, Rewriter
from .scopes import symbol_table
from .source import EditConflict, SourceText, apply_edits, blank_lines, statement_lines
from .support import Runner, Support
from .values import BUILTIN_TARGETS
from .waits import WAIT_NAMES


@dataclass(frozen=True)
class TransformResult:
    """A rewritten cell: ``code`` to run and ``notes`` to show."""

    code: str
    notes: list[Note] = field(default_factory=list)
    #: The cell as written (``None``: the same as ``code``).
    source: str | None = None

    @property
    def changed(self) -> bool:
        """Whether ``code`` differs from the cell as written."""
        return self.source is not None and self.code != self.source


class Session:
    """Rewrites the cells of one notebook in order, remembering what earlier cells bound.

    ``input_hook`` names an awaitable the kernel puts in the user namespace:
    ``input(p)`` becomes ``await <input_hook>(p)`` and ``getpass.getpass(p)``
    becomes ``await <input_hook>.getpass(p)``. With ``None`` they are left alone.

    ``prefilter`` (on by default) analyses only the statements that can matter
    (see :mod:`.relevance`); off, every statement is analysed. Both must give
    the same result: the fuzzer (``py/tools/fuzz.py``) checks that they do.

    Example::

        >>> session = Session()
        >>> namespace: dict = {}
        >>> exec(session.transform("import time").code, namespace)
        >>> print(session.transform("time.sleep(0.1)", namespace).code)
        await __sync__.sleep(0.1)
    """

    def __init__(self, input_hook: str | None = None, *, prefilter: bool = True) -> None:
        self.input_hook = input_hook
        self.prefilter = prefilter
        self.memory = Memory()
        self.memory.add_runner_type(Runner)
        self.support = Support(self.memory.registry, self._learn)
        self._namespace: MutableMapping[str, Any] | None = None

    def _learn(self, globals_: MutableMapping[str, Any] | None = None) -> None:
        """Match the functions of the cell that is running with their live objects.

        Without a namespace given to :meth:`transform` (memory only), the
        globals of the function or coroutine at hand are the namespace.
        """
        namespace = self._namespace if self._namespace is not None else globals_
        if namespace is not None:
            self.memory.harvest(namespace, consume=False)

    def install(self, namespace: MutableMapping[str, Any]) -> None:
        """Put what rewritten code needs into ``namespace`` (``transform`` does this itself).

        Also makes ``asyncio.run`` block where it was kept as written (see :mod:`.blocking_run`).
        """
        blocking_run.install()
        namespace[ASYNCIO_NAME] = asyncio
        namespace[SUPPORT_NAME] = self.support
        hook = self.input_hook
        self.support.input_hook = (lambda: namespace.get(hook)) if hook is not None else None

    def transform(
        self,
        source: str,
        namespace: MutableMapping[str, Any] | None = None,
        *,
        remember: bool = True,
    ) -> TransformResult:
        """Rewrite one cell. Never raises.

        ``namespace`` is the live user namespace the cell will run in; names
        are then resolved by identity, and the namespace receives what the
        rewritten code needs. With ``remember=False`` (for ``%%transform``)
        the session's memory is left as it was.
        """
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return TransformResult(source, [], source)
        try:
            if namespace is not None:
                self.install(namespace)
                self.memory.harvest(namespace)
                if remember:
                    self._namespace = namespace
            return self._transform(source, tree, namespace, remember)
        except Exception as error:  # the contract: never break the user's cell
            note = Note(
                1, 0, "internal", f"the codemod failed ({type(error).__name__}: {error}); the cell runs as written"
            )
            return TransformResult(source, [note], source)

    def _transform(
        self,
        source: str,
        tree: ast.Module,
        namespace: MutableMapping[str, Any] | None,
        remember: bool,
    ) -> TransformResult:
        text = SourceText(source)
        initial, seeds = self.memory.initial(namespace, identifiers(source))
        threads = self.memory.threads_seen or _THREAD_MODULES.search(source) is not None
        if threads:  # a wait on a receiver the analysis cannot follow is known by its method's name
            seeds = seeds | WAIT_NAMES
            if remember:
                self.memory.threads_seen = True
        relevance = (
            relevant_statements(tree, text, seeds) if self.prefilter else Relevance(tree, list(enumerate(tree.body)))
        )
        statements = relevance.chosen
        if not statements:
            if remember:
                self.memory.remember(
                    {},
                    [],
                    False,
                    self._untracked(relevance, namespace),
                    set_elsewhere=relevance.dropped_globals(),
                    called_without_await=_called_without_await(tree, text),
                )
            return TransformResult(source, [], source)
        collected = Collector(tree, symbol_table(text, tree, statements)).collect(statements)
        evaluator = Evaluator(collected, initial, frozenset(self.memory.set_elsewhere))
        evaluator.run(statements)
        planner = Planner(
            collected,
            evaluator,
            self.input_hook,
            self.memory.methods_by_name,
            seeds | set(BUILTIN_TARGETS),
            live=namespace is not None,
            called_earlier=self.memory.called_without_await,
            threads=threads,
            awaited_earlier=self.memory.awaited_by_earlier,
            imported_earlier=self.memory.imported,
        )
        try:
            plan = planner.plan()
        except PlanningError as error:
            return TransformResult(source, [Note(1, 0, "internal", str(error))], source)

        rewriter = Rewriter(text, plan, self.input_hook)
        rewriter.build()
        try:
            code = apply_edits(source, rewriter.edits())
        except EditConflict as error:
            return TransformResult(source, [Note(1, 0, "internal", f"conflicting edits: {error}")], source)
        notes = rewriter.notes()
        if code != source:
            problem = _compile_problem(source, code, tree, statements)
            if problem:
                note = Note(1, 0, "internal", f"the rewritten cell would not compile ({problem}); it runs as written")
                return TransformResult(source, [note], source)
        if remember:
            for ref in plan.converted:
                ref.twin_source = rewriter.twin_source(ref)
                key = (ref.name, ref.first_line or ref.lineno)
                self.memory.registry.by_line.setdefault(key, []).append(ref)
            self._remember(collected, evaluator, relevance, self._untracked(relevance, namespace), plan, text)
        return TransformResult(code, notes, source)

    @staticmethod
    def _untracked(relevance: Relevance, namespace: MutableMapping[str, Any] | None) -> set[str]:
        """Names the statements left out bind, for a memory read without a namespace.

        With the live namespace, later cells read those names from it, so they
        are not worked out (it costs a walk over every statement left out).
        """
        return relevance.dropped_bindings() if namespace is None else set()

    def _remember(
        self,
        collected: Collected,
        evaluator: Evaluator,
        relevance: Relevance,
        untracked: set[str],
        plan: Plan,
        text: SourceText,
    ) -> None:
        bound = {name: evaluator.final_env.get(name) for name in evaluator.module_values}
        for base, sub in evaluator.new_subclasses:
            base.subclasses.append(sub)
        for ref in collected.functions:
            ref.node = None  # the AST is not needed once the cell is done
        for cls in collected.classes:
            cls.node = None
        self.memory.remember(
            bound,
            collected.classes,
            evaluator.final_env.poisoned,
            untracked,
            set_elsewhere=evaluator.set_elsewhere | relevance.dropped_globals(),
            called_without_await=_called_without_await(relevance.tree, text, plan, collected),
            awaited=_awaited_in_functions(plan),
            imported=bound_by_import(collected),
        )


#: A mention of a module whose threads run as tasks: from then on, waits are looked for by name.
_THREAD_MODULES = re.compile(r"\b(?:threading|queue|concurrent|_thread|multiprocessing)\b")

#: A plain name (not ``.name``), as read from text: called there, or handed to code that may call it.
_PLAIN_NAME = re.compile(r"(?<![.\w])([A-Za-z_]\w*)")


def _called_without_await(
    tree: ast.Module, text: SourceText, plan: Plan | None = None, collected: Collected | None = None
) -> dict[str, str]:
    """Names the cell's functions and classes may call without ``await``, each with a caller.

    Such a call is compiled by the time a later cell defines the name: a
    function defined then under that name must stay blocking to keep it
    working. Read from the text of every ``def``, ``class`` and ``lambda`` (analysed
    or not, so the statement filter changes nothing): every plain name there may
    be called, or handed to code that calls it, less the names of calls the
    plan awaits and of functions it hands over as blocking twins (those follow
    the name at run time).
    """
    handled: set[str] = set()
    if plan is not None:
        awaited = {id(site.node) for site in (*plan.awaits, *plan.settles)}
        twins = {id(twin) for twin in plan.twins}
        handled = {site.node.func.id for site in (*plan.awaits, *plan.settles) if isinstance(site.node.func, ast.Name)}
        handled |= {twin.id for twin in plan.twins if isinstance(twin, ast.Name)}
        # A name is handled only if every call of it is: one plain call elsewhere was compiled as is.
        for site in collected.calls if collected is not None else ():
            func = site.node.func
            deferred = site.host.kind != "module"  # module-level code has run by then
            if deferred and isinstance(func, ast.Name) and id(site.node) not in awaited and id(func) not in twins:
                handled.discard(func.id)
    found: dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for name in _PLAIN_NAME.findall(text.lines(*statement_lines(statement))):
                if name != statement.name and name not in handled:
                    found.setdefault(name, statement.name)
            continue
        for node in ast.walk(statement):  # a lambda outlives the cell too (`g = lambda v: fetch(v)`)
            if isinstance(node, ast.Lambda):
                for name in _PLAIN_NAME.findall(text.segment(node)):
                    if name not in handled and name != "lambda":
                        found.setdefault(name, "<lambda>")
    return found


def _awaited_in_functions(plan: Plan) -> dict[str, str]:
    """Plain names the cell's functions now call with ``await``, each with a caller.

    That code is compiled by the time a later cell defines the name again: a
    function defined then under that name must be async too, or the ``await``
    would get its plain result.
    """
    found: dict[str, str] = {}
    for site in plan.awaits:
        function = site.host.function if site.host.kind == "function" else None
        key = _awaited_name(site.node.func)
        if function is not None and key is not None:
            found.setdefault(key, function.qualname)
    return found


def _awaited_name(func: ast.expr) -> str | None:
    """How earlier code names what it awaits: ``pause``, ``Sensor.make`` / ``obj.m``, ``Robot().run`` → ``Robot.run``."""
    if isinstance(func, ast.Name):
        return func.id
    if not isinstance(func, ast.Attribute):
        return None
    receiver = func.value.func if isinstance(func.value, ast.Call) else func.value
    return f"{receiver.id}.{func.attr}" if isinstance(receiver, ast.Name) else None


def _compile_problem(source: str, code: str, tree: ast.Module, statements: list[tuple[int, ast.stmt]]) -> str | None:
    """Compile the rewritten statements once (others blanked, to stay cheap); the error, if any."""
    has_future = any(isinstance(s, ast.ImportFrom) and s.module == "__future__" for s in tree.body)
    if has_future:
        checked = code
    else:
        original = SourceText(source).split_lines()
        rewritten = SourceText(code).split_lines()
        keep = [False] * len(rewritten)
        for _, statement in statements:
            first, last = statement_lines(statement)
            if rewritten[first - 1 : last] != original[first - 1 : last]:
                keep[first - 1 : last] = [True] * (last - first + 1)
        checked = blank_lines(rewritten, keep)
    try:
        compile(checked, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as error:
        return f"{error.msg}, line {error.lineno}"
    return None
