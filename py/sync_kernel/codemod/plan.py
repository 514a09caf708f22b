"""Decide what to rewrite: which calls block, which functions become ``async``.

The rule that settles every hard case: a function may become ``async def``
only if *every* use of it that the codemod can see is a call it can ``await``
(in module code, or in another function that becomes ``async``). Any other
use (passed as a value, called from a lambda, a class body, a generator
expression, or through a name that may be something else) keeps it
synchronous, with its blocking calls left as they are and a note saying why.
Methods that override each other are decided together.

Inside the user's own ``async def`` nothing is made to await: there a
blocking call blocks the event loop on desktop Python (other tasks wait), so
it is left blocking, and so is every function it calls. The exceptions are
``input()``/``getpass()`` written directly in it: a prompt is awaited there,
since a blocking prompt cannot be answered without JSPI; and waits on threads
(``t.join()``, ``q.get()``, ``with lock:``), since threads are tasks of that
same loop (see :mod:`.waits`).

Functions made ``async`` in earlier cells are fixed: where this cell uses one
in a way that cannot be awaited, it gets the function's blocking twin.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import Literal

from .collect import Bind, CallSite, Collected, Load, WithSite
from .evaluate import Evaluator
from .memory import live_class_may_call
from .reasons import Reason, StaysBlocking
from .records import ClassRef, FunctionRef
from .rules import CALL_RULE_MODULES, CALL_RULES, CallKind
from .scopes import Host, Scope
from .values import (
    ASYNCIO_RUNNER,
    BUILTIN_TARGETS,
    GETATTR,
    MODULE_TARGETS,
    NEW_EVENT_LOOP,
    ONLY_UNKNOWN,
    PARTIAL,
    SET_EVENT_LOOP,
    TO_THREAD,
    UNBOUND,
    UNKNOWN,
    BoundAttr,
    Cls,
    Foreign,
    Func,
    Instance,
    LiveClass,
    Loop,
    Method,
    Module,
    Primitive,
    Runner,
    Target,
    Values,
    getattr_parts,
    single,
    target_of,
)
from .waits import (
    ITERATED,
    ITERATED_METHODS,
    SPAWNS,
    THREAD_TARGETS,
    WAIT_FUNCTIONS,
    WAIT_METHODS,
    WAIT_NAMES,
    WITH_KINDS,
    looks_like_lock,
    looks_like_wait,
    spawned_function,
)

#: Upper bound on rounds of the async-set fixed point (each round blocks at least one family).
MAX_ROUNDS = 10_000

#: How far a callee is followed through aliases before it counts as rebindable.
_MAX_ALIAS_DEPTH = 16

BlockingKind = Literal[CallKind, "wait", "iterate", "with"]
NeutralKind = Literal["noop", "get_event_loop", "Runner", "to_thread", "run_in_executor"]
#: Waits on thread primitives: awaited in the user's ``async def`` too, since there a blocking
#: wait would stop the very tasks it waits for.
THREAD_WAITS = ("wait", "iterate", "with")


class PlanningError(Exception):
    """The fixed point did not settle; the cell is left unchanged with a note."""


@dataclass(eq=False)
class Blocking:
    """A call (or a ``with``) that blocks and has an awaitable form."""

    site: CallSite | WithSite
    kind: BlockingKind
    target: str
    #: For "run": the awaitable argument.
    main: ast.expr | None = None
    #: For "wait" and "with": the receiver's kind was guessed from the call's shape or the name.
    guessed: bool = False
    #: The call runs later (in a function) through a global a later cell may rebind
    #: (``wait = time.sleep``): it is settled at run time (``await __sync__.call(wait, 1)``).
    rebindable: bool = False


@dataclass(eq=False)
class Neutral:
    """A loop set-up call made harmless (it would close or replace the kernel's loop)."""

    site: CallSite
    kind: NeutralKind
    target: str


@dataclass(eq=False)
class Kept:
    """Something left blocking, and why."""

    node: ast.AST
    message: str


@dataclass
class Plan:
    converted: list[FunctionRef] = field(default_factory=list)
    rewrites: list[Blocking] = field(default_factory=list)
    neutral: list[Neutral] = field(default_factory=list)
    #: Calls to ``async`` functions to prefix with ``await``.
    awaits: list[CallSite] = field(default_factory=list)
    #: Calls to async generators whose ``for`` becomes ``async for``.
    async_fors: list[CallSite] = field(default_factory=list)
    #: Callees or values to wrap with the blocking twin (earlier cells' async functions).
    twins: list[ast.expr] = field(default_factory=list)
    #: Decorators whose async wrapper is put around an ``async def``: it gets the wrapper's twin.
    twin_decorators: list[ast.expr] = field(default_factory=list)
    #: Calls that may or may not return a coroutine of ours: awaited through ``settle``.
    settles: list[CallSite] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    #: Imports of ``threading``, ``queue``, ... to take from :mod:`sync_kernel.threads` instead.
    imports: list[ast.Import | ast.ImportFrom] = field(default_factory=list)
    #: Converted functions that are async only because earlier cells' code awaits them (with a caller).
    awaited_earlier: dict[FunctionRef, str] = field(default_factory=dict)
    #: Functions of this cell (by family: overriding methods share one) that stay blocking, and why.
    stays_blocking: dict[FunctionRef, Reason] = field(default_factory=dict)


@dataclass(eq=False)
class Calls:
    """A call to user functions: exactly these (``certain``) or possibly something else too."""

    refs: set[FunctionRef]
    certain: bool


@dataclass(eq=False)
class UnknownMethod:
    """``x.name(...)`` (or ``getattr(x, "name")(...)``) where nothing is known about ``x``."""

    name: str


@dataclass(eq=False)
class MaybeBlocking:
    """A callee that may or may not be a blocking function."""

    target: str


Classified = Blocking | Neutral | Calls | UnknownMethod | MaybeBlocking | None

#: Method names that may hand a function to a thread (``pool.submit(f)``, ``loop.run_in_executor(None, f)``).
SPAWNING_METHODS = frozenset(name.split(".")[1] for name in SPAWNS if name[0].isupper() or name.startswith("loop."))
#: Attribute names that lead to thread primitives and their waits.
THREAD_ATTRIBUTES = frozenset(
    {name for names in THREAD_TARGETS.values() for name in names}
    | WAIT_NAMES
    | SPAWNING_METHODS
    | {"futures", "pool", "dummy", "to_thread", "partial"}
)
#: Attribute names the catalogue and loops care about: the attributes of the modules its blocking
#: calls come from (``time.sleep``, ``asyncio.new_event_loop``) and the methods of loops and runners.
CATALOGUE_ATTRIBUTES = frozenset(
    {attribute for module in CALL_RULE_MODULES for attribute in MODULE_TARGETS[module]}
    | {"run_until_complete", "close", "get_loop", "run"}
)


@dataclass(eq=False)
class _Use:
    kind: Literal["call", "value", "ambiguous"]
    node: ast.AST
    host: Host
    site: CallSite | None = None
    root: FunctionRef | None = None


def bound_by_import(collected: Collected) -> dict[str, bool]:
    """For each module-level name the cell binds, whether only imports bind it (``from time import *`` too)."""
    found: dict[str, bool] = {}
    for bind in collected.binds:
        if bind.scope is not collected.module:
            continue
        names = MODULE_TARGETS.get(bind.module or "", {}) if bind.kind == "star" else (bind.name,)
        for name in names:
            found[name] = found.get(name, True) and bind.kind in ("import", "star")
    return found


class _Overlay:
    """Sets by name: a shared mapping read-only, plus this cell's additions."""

    def __init__(self, shared: Mapping[str, set[FunctionRef]]) -> None:
        self._shared = shared
        self._added: dict[str, set[FunctionRef]] = {}

    def add(self, name: str, ref: FunctionRef) -> None:
        self._added.setdefault(name, set()).add(ref)

    def get(self, name: str, default: Iterable[FunctionRef] = ()) -> Iterable[FunctionRef]:
        added, shared = self._added.get(name), self._shared.get(name)
        if added is not None and shared is not None:
            return added | shared  # read only where a call may reach any method of that name
        found = added if added is not None else shared
        return default if found is None else found

    def __contains__(self, name: object) -> bool:
        return name in self._added or name in self._shared

    def names(self) -> frozenset[str]:
        return frozenset(self._added) | frozenset(self._shared)


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _describe(node: ast.AST) -> str:
    return f"line {getattr(node, 'lineno', '?')}"


class Planner:
    """Turns a collected and evaluated cell into a :class:`Plan`."""

    def __init__(
        self,
        collected: Collected,
        evaluator: Evaluator,
        input_hook: str | None,
        prior_methods: Mapping[str, set[FunctionRef]],
        interesting_names: set[str],
        live: bool = False,
        called_earlier: Mapping[str, str] | None = None,
        threads: bool = False,
        awaited_earlier: Mapping[str, str] | None = None,
        imported_earlier: Set[str] = frozenset(),
    ) -> None:
        self.c = collected
        #: Module-level names earlier cells last bound by ``import``.
        self.imported_earlier = imported_earlier
        self._callees: dict[int, Values] = {}
        #: Threads are in use in this session: a wait may be recognised by its shape alone.
        self.threads = threads
        #: Module-level names earlier cells' functions call without ``await`` (with a caller).
        self.called_earlier = called_earlier or {}
        #: Module-level names earlier cells' converted functions call with ``await`` (with a caller).
        self.awaited_earlier = awaited_earlier or {}
        #: This cell's functions made async only because of those awaits.
        self.forced_by_earlier: dict[FunctionRef, str] = {}
        self._instances_earlier: dict[int, tuple[str, str]] | None = None
        self._bound_by_import: dict[str, bool] | None = None
        self._instance_awaits: dict[FunctionRef, str] | None = None
        self._local_classes = set(collected.classes)
        self.ev = evaluator
        #: The live namespace is known, so functions of this cell can be recognised at run time.
        self.live = live
        self.input_hook = input_hook
        self.local = set(collected.functions)
        self._parent: dict[FunctionRef, FunctionRef] = {}
        self._members: dict[FunctionRef, list[FunctionRef]] | None = None
        self._build_families(prior_methods)
        # Only names and attributes that can hold something we track are worth evaluating.
        self.names = interesting_names | {bind.name for bind in collected.binds}
        self.every_name = any(bind.kind == "star" for bind in collected.binds)
        self.attributes = CATALOGUE_ATTRIBUTES | THREAD_ATTRIBUTES

    # ---- method families ----------------------------------------------------------------

    def family(self, ref: FunctionRef) -> FunctionRef:
        root = ref
        while self._parent.get(root, root) is not root:
            root = self._parent[root]
        self._parent[ref] = root
        return root

    def _union(self, a: FunctionRef, b: FunctionRef) -> None:
        ra, rb = self.family(a), self.family(b)
        if ra is not rb:
            # Keep a remembered (fixed) function as the root, so its state decides.
            if rb not in self.local:
                ra, rb = rb, ra
            self._parent[rb] = ra

    def _build_families(self, prior_methods: Mapping[str, set[FunctionRef]]) -> None:
        # Earlier cells' methods by name (kept by the session, so this does not grow with the history).
        self._families_by_name = _Overlay(prior_methods)
        for cls in self.c.classes:
            for name, method in cls.methods.items():
                self._families_by_name.add(name, method)
        for cls in self.c.classes:
            for name, method in cls.methods.items():
                for base in cls.bases:
                    found = base.lookup(name)
                    if isinstance(found, FunctionRef) and not _judged_live(found, self.local):
                        self._union(method, found)

    def _subclasses(self, cls: ClassRef) -> list[ClassRef]:
        """All known subclasses, including this cell's subclasses of earlier cells' classes."""
        extra: dict[int, list[ClassRef]] = {}
        for base, sub in self.ev.new_subclasses:
            extra.setdefault(id(base), []).append(sub)
        found: list[ClassRef] = []
        stack = [cls]
        while stack:
            current = stack.pop()
            for sub in [*current.subclasses, *extra.get(id(current), [])]:
                if sub not in found:
                    found.append(sub)
                    stack.append(sub)
        return found

    def is_generator(self, root: FunctionRef | None) -> bool:
        """Whether a family's functions are generators (for earlier cells: remembered)."""
        if root is None:
            return False
        return any(ref in self.c.generators or ref.generator for ref in self.members(root))

    @staticmethod
    def family_of_use(use: _Use) -> FunctionRef | None:
        return use.root

    def members(self, root: FunctionRef) -> list[FunctionRef]:
        if self._members is None:
            self._members = {}
            for ref in self.c.functions:
                self._members.setdefault(self.family(ref), []).append(ref)
        found = self._members.get(root, [])
        return found if root in found else [root, *found]

    def worth_evaluating(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return self.every_name or node.id in self.names
        if isinstance(node, ast.Attribute):
            return node.attr in self.attributes or node.attr in self._families_by_name
        return True

    def looked_up_name(self, node: ast.expr, scope: Scope, stmt: ast.stmt) -> str | None:
        """The name ``x.name`` or ``getattr(x, "name")`` reads, for an ``x`` nothing is known about."""
        if isinstance(node, ast.Attribute):
            return node.attr
        looked_up = self._builtin_getattr(node, scope, stmt)
        return looked_up[1] if looked_up is not None else None

    def dynamic_refs(self, node: ast.expr, scope: Scope, stmt: ast.stmt) -> set[FunctionRef] | None:
        """The functions of ours ``getattr(x, command)`` may give; ``None`` if ``node`` is no such lookup.

        Any method of ``x``'s class, its bases, and its subclasses unless ``x`` is exactly
        of that class; any method of the notebook's when nothing is known about ``x``.
        """
        looked_up = self._builtin_getattr(node, scope, stmt)
        if looked_up is None or looked_up[1] is not None:
            return None
        refs: set[FunctionRef] = set()
        for value in self.ev.value(looked_up[0], scope, self.ev.globals_for(scope, stmt)):
            if isinstance(value, Instance):
                refs |= self._method_refs(value.cls, value.exact)
            elif isinstance(value, Cls):
                refs |= self._method_refs(value.ref, exact=True)
            elif not isinstance(value, (Module, Target, Foreign, LiveClass, Loop, Runner, Primitive)):
                return {ref for name in self._families_by_name.names() for ref in self._families_by_name.get(name)}
        return refs

    def _builtin_getattr(
        self, node: ast.expr, scope: Scope, stmt: ast.stmt
    ) -> tuple[ast.expr, str | None, ast.expr | None] | None:
        looked_up = getattr_parts(node)
        if looked_up is None or not isinstance(node, ast.Call):
            return None
        if self.ev.value(node.func, scope, self.ev.globals_for(scope, stmt)) != frozenset({Target(GETATTR)}):
            return None
        return looked_up

    def _method_refs(self, cls: ClassRef, exact: bool) -> set[FunctionRef]:
        """The methods of ours an object of ``cls`` (or of a subclass, unless ``exact``) has."""
        refs: set[FunctionRef] = set()
        todo = [cls] if exact else [cls, *self._subclasses(cls)]
        seen: set[int] = set()
        while todo:
            klass = todo.pop()
            if id(klass) not in seen:
                seen.add(id(klass))
                refs |= set(klass.methods.values())
                todo.extend(klass.bases)
        return refs

    # ---- classification of calls ----------------------------------------------------------

    def callee_values(self, site: CallSite) -> Values:
        """What a call's callee may be (kept: both :meth:`spawn` and :meth:`classify` ask)."""
        found = self._callees.get(id(site))
        if found is None:
            found = self._callees[id(site)] = self.ev.value(
                site.node.func, site.scope, self.ev.globals_for(site.scope, site.stmt)
            )
        return found

    def classify(self, site: CallSite) -> Classified:
        """What a call is: blocking, a loop set-up, a call to user functions, or other."""
        node = site.node
        if not self.worth_evaluating(node.func):
            return None
        dynamic = self.dynamic_refs(node.func, site.scope, site.stmt)
        if dynamic is not None:  # `getattr(robot, command)(...)`: may be any of these, or something else
            return Calls(dynamic, certain=False) if dynamic else None
        values = self.callee_values(site)
        value = single(values)
        if isinstance(value, Target):
            target = self._classify_target(site, value.qualname)
            if isinstance(target, Blocking) and value.qualname in CALL_RULES:
                # A callee that is more than a name (`(input if new else raw_input)(p)`) is handed over
                # as written, so what it evaluates still runs.
                target.rebindable = not isinstance(node.func, (ast.Name, ast.Attribute)) or (
                    self._runs_later(site.scope) and self._rebindable(node.func, site.scope)
                )
            return target
        if isinstance(value, BoundAttr) and isinstance(value.owner, Primitive):
            wait = _primitive_wait(value)
            if wait in ITERATED_METHODS and _async_iterable(site):
                return Blocking(site, "iterate", wait)
            return Blocking(site, "wait", wait) if wait is not None else None
        if isinstance(value, Primitive):  # `poll(10)`: calling the object waits (unless already awaited)
            if "__call__" in WAIT_METHODS.get(value.kind, ()) and not site.awaited:
                return Blocking(site, "wait", f"{value.kind}.__call__")
            return None
        if isinstance(value, Method):
            wait = _primitive_wait(value)
            if wait is not None:
                return Blocking(site, "wait", wait)
        if isinstance(value, BoundAttr):
            if isinstance(value.owner, Loop) and value.name == "run_in_executor":
                return Neutral(site, "run_in_executor", "loop.run_in_executor")
            if isinstance(value.owner, Loop):
                if value.name == "run_until_complete" and _one_argument(node):
                    return Blocking(site, "run", "loop.run_until_complete", node.args[0])
                if value.name == "close" and not node.args and not node.keywords:
                    return Neutral(site, "noop", "loop.close")
            if isinstance(value.owner, Runner) and value.name == "run" and node.args:
                if not isinstance(node.args[0], ast.Starred):
                    return Blocking(site, "run", "runner.run", node.args[0])
            return None
        waits = [wait for wait in map(_primitive_wait, values) if wait is not None]
        if waits and len(waits) + len(values & {UNKNOWN, UNBOUND}) == len(values):
            # A primitive's wait, or something unknown (`for t in threads: t.join()` in a function
            # whose `t` was also a new Thread): `__sync__.wait` calls anything but a primitive as written.
            return Blocking(site, "wait", min(waits), guessed=True)
        refs: set[FunctionRef] = set()
        certain = True
        for candidate in values:
            if candidate == UNBOUND:
                continue  # read before it is bound: that path raises NameError as before
            if isinstance(candidate, Func):
                refs.add(candidate.ref)
            elif isinstance(candidate, Method):
                found, open_ = self.resolve_method(candidate)
                refs |= found
                certain = certain and not open_
            elif candidate == UNKNOWN and not values - {UNKNOWN, UNBOUND}:
                if isinstance(node.func, ast.Attribute) and self.threads and looks_like_wait(node):
                    return Blocking(site, "wait", f".{node.func.attr}()", guessed=True)
                name = self.looked_up_name(node.func, site.scope, site.stmt)
                return UnknownMethod(name) if name is not None else None
            elif isinstance(candidate, Target) and candidate.qualname in CALL_RULES:
                return MaybeBlocking(candidate.qualname)
            else:
                certain = False
        return Calls(refs, certain) if refs else None

    @staticmethod
    def _runs_later(scope: Scope) -> bool:
        """Whether code in ``scope`` runs after the cell's module-level flow (in a function or lambda)."""
        while scope.kind in ("comprehension", "class") and scope.parent is not None:
            scope = scope.parent
        return scope.kind in ("function", "lambda")

    def _rebindable(self, expr: ast.expr, scope: Scope, depth: int = 0) -> bool:
        """Whether what ``expr`` gives may change after this cell: it reads a global bound other than by import.

        ``time.sleep`` and ``sleep`` (``from time import sleep``) are taken at their
        word; ``wait`` (``wait = time.sleep``, here or in an earlier cell), a
        local bound from it, or anything the walk cannot follow, is not.
        """
        if depth > _MAX_ALIAS_DEPTH:
            return True
        if isinstance(expr, ast.Attribute):
            return self._rebindable(expr.value, scope, depth + 1)
        if isinstance(expr, ast.IfExp):
            return self._rebindable(expr.body, scope, depth + 1) or self._rebindable(expr.orelse, scope, depth + 1)
        if isinstance(expr, ast.BoolOp):
            return any(self._rebindable(value, scope, depth + 1) for value in expr.values)
        if isinstance(expr, ast.NamedExpr):
            return self._rebindable(expr.value, scope, depth + 1)
        if not isinstance(expr, ast.Name):
            return True
        kind, owner = scope.resolve(expr.id)
        if kind == "global":
            return not self._only_imported(expr.id)
        if kind == "comprehension":
            return True
        binds = self.ev.local_binds(owner, expr.id)
        return not binds or any(self._bind_rebindable(bind, depth + 1) for bind in binds)

    def _bind_rebindable(self, bind: Bind, depth: int) -> bool:
        if bind.kind in ("import", "star"):
            return False
        if bind.kind in ("value", "enter") and bind.expr is not None:
            return self._rebindable(bind.expr, bind.where or bind.scope, depth)
        return True

    def _only_imported(self, name: str) -> bool:
        """Whether every binding of module-level ``name`` (this cell's, else earlier cells') is an import."""
        if self._bound_by_import is None:
            self._bound_by_import = bound_by_import(self.c)
        only_imports = self._bound_by_import.get(name)
        if only_imports is None:
            return name in self.imported_earlier or name in BUILTIN_TARGETS
        return only_imports

    def _classify_target(self, site: CallSite, qualname: str) -> Blocking | Neutral | None:
        node = site.node
        rule = CALL_RULES.get(qualname)
        if rule is not None:
            if not rule.accepts_call(node) or (rule.asks_the_page and not self.input_hook):
                return None
            return Blocking(site, rule.kind, rule.target, _run_argument(node) if rule.kind == "run" else None)
        if qualname == NEW_EVENT_LOOP and not node.args and not node.keywords:
            return Neutral(site, "get_event_loop", "asyncio.new_event_loop")
        if qualname == SET_EVENT_LOOP:
            return Neutral(site, "noop", "asyncio.set_event_loop")
        if qualname == ASYNCIO_RUNNER:
            return Neutral(site, "Runner", "asyncio.Runner")
        if qualname == TO_THREAD:
            return Neutral(site, "to_thread", TO_THREAD)
        if qualname in ITERATED and _async_iterable(site):
            return Blocking(site, "iterate", qualname)
        if qualname in WAIT_FUNCTIONS:
            return Blocking(site, "wait", qualname)
        return None

    def spawn(self, site: CallSite) -> ast.expr | None:
        """The function argument of a call that starts a thread (it may be made async: the thread awaits it)."""
        func = site.node.func
        if isinstance(func, ast.Attribute) and func.attr in SPAWNING_METHODS:
            value = single(self.callee_values(site))
            if isinstance(value, BoundAttr) and isinstance(value.owner, Primitive):
                spawn = f"{value.owner.kind}.{func.attr}"
                return spawned_function(site.node, spawn) if spawn in SPAWNS else None
            if isinstance(value, BoundAttr) and isinstance(value.owner, Loop) and func.attr == "run_in_executor":
                return spawned_function(site.node, "loop.run_in_executor")
            return None
        if not self.worth_evaluating(func):
            return None
        value = single(self.callee_values(site))
        if isinstance(value, Target) and value.qualname in SPAWNS:
            return spawned_function(site.node, value.qualname)
        return None

    def _spawned(self) -> set[int]:
        """Nodes of the functions handed to threads, which may be (or return) coroutines: the thread awaits them.

        ``Thread(target=work)``: the name ``work``; ``target=partial(work, 1)``: the
        name ``work`` in it; ``target=lambda: work(1)``: the call, whose coroutine the
        lambda returns.
        """
        found: set[int] = set()
        for site in self.c.calls:
            function = self.spawn(site)
            if isinstance(function, ast.Call) and function.args and self.worth_evaluating(function.func):
                globals_ = self.ev.globals_for(site.scope, site.stmt)
                if target_of(self.ev.value(function.func, site.scope, globals_)) == PARTIAL:
                    function = function.args[0]
            elif isinstance(function, ast.Lambda) and isinstance(function.body, ast.Call):
                function = function.body
            if function is not None:
                found.add(id(function))
        return found

    def classify_with(self, site: WithSite) -> Blocking | Kept | None:
        """A ``with`` over thread primitives waits: it becomes ``async with``."""
        kinds: list[str | None] = []
        guessed = False
        globals_ = self.ev.globals_for(site.scope, site.stmt)
        for item in site.node.items:
            expr = item.context_expr
            values = self.ev.value(expr, site.scope, globals_) if self.worth_evaluating(expr) else ONLY_UNKNOWN
            value = single(values)
            locks = sorted(v.kind for v in values if isinstance(v, Primitive) and v.kind in WITH_KINDS)
            if isinstance(value, Primitive) and value.kind in WITH_KINDS:
                kinds.append(value.kind)
            elif self.threads and locks and len(locks) + len(values & {UNKNOWN, UNBOUND}) == len(values):
                kinds.append(locks[0])  # a lock or something unknown: `entering` tells at run time
                guessed = True
            elif isinstance(value, Cls | Method | Func | Target):
                kinds.append(None)
            elif self.threads and looks_like_lock(expr):
                kinds.append("Lock")
                guessed = True
            else:
                kinds.append(None)
        if all(kinds):
            return Blocking(site, "with", str(kinds[0]), guessed=guessed)
        if any(kinds):
            return Kept(
                site.node, "this `with` mixes thread primitives with other context managers, so it stays blocking"
            )
        return None

    def resolve_method(self, method: Method) -> tuple[set[FunctionRef], bool]:
        """The functions ``receiver.name`` can be, and whether it can also be something unseen."""
        found = method.cls.lookup(method.name)
        refs: set[FunctionRef] = set()
        open_ = not isinstance(found, FunctionRef)
        if isinstance(found, FunctionRef):
            refs.add(found)
        if method.bound and not method.exact:
            for sub in self._subclasses(method.cls):
                override = sub.lookup(method.name)
                if isinstance(override, FunctionRef):
                    refs.add(override)
        return refs, open_

    # ---- the plan ----------------------------------------------------------------------------

    def plan(self) -> Plan:
        plan = Plan()
        blocking: list[Blocking] = []
        uses: dict[FunctionRef, list[_Use]] = {}
        calls_in: list[tuple[FunctionRef, CallSite]] = []  # (callee family, site)
        ambiguous_names: list[tuple[str, CallSite]] = []

        spawned = self._spawned()
        for site in self.c.calls:
            if id(site.node) in spawned:
                continue  # `lambda: work(1)` handed to a thread: the thread awaits what it returns
            kind = self.classify(site)
            if isinstance(kind, Blocking):
                if not site.awaited:
                    blocking.append(kind)
                if kind.guessed and isinstance(site.node.func, ast.Attribute):
                    ambiguous_names.append((site.node.func.attr, site))
            elif isinstance(kind, Neutral):
                plan.neutral.append(kind)
            elif isinstance(kind, UnknownMethod):
                ambiguous_names.append((kind.name, site))
            elif isinstance(kind, MaybeBlocking):
                callee = ast.unparse(site.node.func)
                plan.kept.append(
                    Kept(site.node, f"could not tell whether `{callee}` is {kind.target}, so it is left as is")
                )
            elif isinstance(kind, Calls):
                families = {self.family(ref) for ref in kind.refs}
                if not kind.certain or len(families) > 1:
                    for root in families:
                        uses.setdefault(root, []).append(_Use("ambiguous", site.node, site.host, site, root))
                else:
                    root = families.pop()
                    uses.setdefault(root, []).append(_Use("call", site.node, site.host, site, root))
                    calls_in.append((root, site))
        for with_site in self.c.withs:
            waits = self.classify_with(with_site)
            if isinstance(waits, Blocking):
                blocking.append(waits)
            elif isinstance(waits, Kept):
                plan.kept.append(waits)
        plan.imports = list(self.c.imports)
        for name, site in ambiguous_names:
            for ref in self._families_by_name.get(name, ()):
                root = self.family(ref)
                uses.setdefault(root, []).append(_Use("ambiguous", site.node, site.host, site, root))
        value_loads: list[tuple[Load, set[FunctionRef]]] = []
        # `return wrapper` in a decorator: where the result goes is followed from each call instead.
        returned = {id(expr) for ref, found in self.c.returns.items() if ref.returns for expr, _ in found}
        for load in self.c.loads:
            if id(load.node) in spawned or id(load.node) in returned:
                continue
            refs, ambiguous = self._load_refs(load)
            if not refs:
                continue
            if load.alias and not ambiguous:
                continue
            value_loads.append((load, refs))
            for root in {self.family(ref) for ref in refs}:
                uses.setdefault(root, []).append(_Use("ambiguous" if ambiguous else "value", load.node, load.host))

        for wrapper, decorator in self.ev.decorated_wrappers:
            uses.setdefault(self.family(wrapper), []).append(_Use("value", decorator, Host("module")))
        async_set = self._settle(blocking, uses, calls_in)
        plan.stays_blocking = {root: reason for root, reason in self.blocked.items() if root in self.local}

        run_arguments = {id(b.main) for b in blocking if b.kind == "run" and self.awaitable(b.site.host, async_set)}
        for item in blocking:
            if self.awaitable(item.site.host, async_set):
                plan.rewrites.append(item)
            elif _user_async(item.site.host) and _awaited_in_async_def(item):
                # A prompt waits for the user either way; awaited, it works without JSPI too
                # (other tasks may run while it waits, where desktop Python would hold them).
                # A wait on a thread must let that thread (a task) run, or it would never end.
                plan.rewrites.append(item)
            elif _user_async(item.site.host):
                plan.kept.append(Kept(item.site.node, _blocks_the_loop(item, item.site.host)))
            else:
                plan.kept.append(
                    Kept(item.site.node, f"{item.target} stays blocking because {self.why_not(item.site.host)}")
                )
        plan.converted = sorted(
            (ref for ref in self.c.functions if self.family(ref) in async_set and not ref.user_async),
            key=lambda ref: ref.lineno,
        )
        for ref in plan.converted:
            ref.converted = True
            ref.generator = ref in self.c.generators
            caller = self.forced_by_earlier.get(self.family(ref))
            if caller is not None and not self._waits_otherwise(ref, async_set, blocking, calls_in):
                plan.awaited_earlier[ref] = caller
        for root, site in calls_in:
            if root not in async_set or site.awaited or id(site.node) in run_arguments:
                continue
            generator = self.is_generator(root)
            if self.awaitable(site.host, async_set) and (not generator or _async_iterable(site)):
                (plan.async_fors if generator else plan.awaits).append(site)
            else:
                plan.twins.append(site.node.func)
        self._plan_prior_uses(plan, uses, async_set, value_loads, ambiguous_names)
        plan.twins.extend(self._escaping_results(async_set))
        plan.twin_decorators = list(dict.fromkeys(self.ev.twin_decorators))
        for load in self.c.loads:
            if load.alias or id(load.node) in spawned:
                continue
            target = self._blocking_target(load)
            if target:
                plan.kept.append(Kept(load.node, f"{target} is passed on as a value, so it stays blocking"))
        return plan

    def _escaping_results(self, async_set: set[FunctionRef]) -> list[ast.expr]:
        """Calls that give an async function (a decorator's wrapper) where nothing follows it.

        ``@deco``, ``g = deco(h)`` and ``deco(h)(x)`` bind or call the wrapper, and
        the analysis follows it from there. Anywhere else (``map(deco(h), xs)``,
        ``return deco(h)``) the call gets the blocking twin of what it returns.
        """
        candidates: list[CallSite] = []
        for site in self.c.calls:
            if id(site.node) in self.c.decorators or not self.worth_evaluating(site.node.func):
                continue
            for value in self.callee_values(site):
                inner = value.ref.returns if isinstance(value, Func) else None
                if inner is not None and (inner.converted or (inner in self.local and self.family(inner) in async_set)):
                    candidates.append(site)
                    break
        if not candidates:
            return []
        followed: set[int] = set()
        for statement in {id(site.stmt): site.stmt for site in candidates}.values():
            for node in ast.walk(statement):
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if len(targets) == 1 and isinstance(targets[0], ast.Name):
                        followed.add(id(node.value))
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Call):
                    followed.add(id(node.func))
        return [site.node for site in candidates if id(site.node) not in followed]

    def _waits_otherwise(
        self,
        ref: FunctionRef,
        async_set: set[FunctionRef],
        blocking: list[Blocking],
        calls_in: list[tuple[FunctionRef, CallSite]],
    ) -> bool:
        """Whether ``ref`` waits on its own (a blocking call or an async callee in its body)."""
        for item in blocking:
            if item.site.host.function is ref:
                return True
        return any(root in async_set and site.host.function is ref for root, site in calls_in)

    def _plan_prior_uses(
        self,
        plan: Plan,
        uses: dict[FunctionRef, list[_Use]],
        async_set: set[FunctionRef],
        value_loads: list[tuple[Load, set[FunctionRef]]],
        ambiguous_names: list[tuple[str, CallSite]],
    ) -> None:
        """Calls the codemod cannot resolve to async functions, and earlier cells' async functions used as values."""
        prior_async = {root for root in async_set if root not in self.local or root in self.forced_by_earlier}
        for load, refs in value_loads:
            if any(self.family(ref) in prior_async for ref in refs):
                plan.twins.append(load.node)
        settled: set[int] = set()
        for root in async_set:
            for use in uses.get(root, ()):
                if use.kind != "ambiguous" or use.site is None or id(use.site) in settled:
                    continue
                settled.add(id(use.site))
                if use.site.awaited:
                    continue
                if self.awaitable(use.site.host, async_set) and not self._reaches_generator(use.site):
                    plan.settles.append(use.site)
                else:  # `settle` awaits coroutines: an async generator gets its blocking twin instead
                    plan.twins.append(use.site.node.func)

    def _load_refs(self, load: Load) -> tuple[set[FunctionRef], bool]:
        if not self.worth_evaluating(load.node):
            return set(), False
        dynamic = self.dynamic_refs(load.node, load.scope, load.stmt)
        if dynamic is not None:
            return dynamic, True
        values = self.ev.value(load.node, load.scope, self.ev.globals_for(load.scope, load.stmt))
        refs: set[FunctionRef] = set()
        ambiguous = len(values) > 1
        for value in values:
            if isinstance(value, Func):
                refs.add(value.ref)
            elif isinstance(value, Method):
                found, open_ = self.resolve_method(value)
                refs |= found
                ambiguous = ambiguous or open_ or len(found) > 1
            elif value == UNKNOWN and (name := self.looked_up_name(load.node, load.scope, load.stmt)) is not None:
                named = set(self._families_by_name.get(name, ()))
                if named:
                    refs |= named
                    ambiguous = True
        return refs, ambiguous

    def _blocking_target(self, load: Load) -> str | None:
        node = load.node
        if not self.worth_evaluating(node):
            return None
        value = single(self.ev.value(node, load.scope, self.ev.globals_for(load.scope, load.stmt)))
        rule = CALL_RULES.get(value.qualname) if isinstance(value, Target) else None
        if rule is None or (rule.asks_the_page and not self.input_hook):
            return None
        return rule.target

    # ---- the fixed point ------------------------------------------------------------------------

    def awaitable(self, host: Host, async_set: set[FunctionRef]) -> bool:
        """Whether a call in ``host`` may become an ``await`` (never in the user's own ``async def``)."""
        if host.kind == "module":
            return True
        if host.kind == "function" and host.function is not None:
            return not host.function.user_async and self.family(host.function) in async_set
        return False

    def why_not(self, host: Host) -> str:
        """Why code in ``host`` cannot await, as the end of a sentence (for notes)."""
        if host.kind == "function" and host.function is not None:
            reason = self.blocked.get(self.family(host.function), Reason.of(StaysBlocking.NOTHING_TO_AWAIT))
            return f"`{host.function.name}` {reason}"
        return f"{host.describe()} cannot await"

    def _inherent(self, root: FunctionRef) -> Reason | None:
        """Why a family can never be async, whatever its uses (a predicate)."""
        if root not in self.local:
            return None  # fixed by its cell
        members = self.members(root)
        if len({ref in self.c.generators for ref in members}) > 1:
            return Reason.of(StaysBlocking.GENERATOR_IN_FAMILY)
        for ref in members:
            if ref.stays_sync:
                return ref.stays_sync
            if ref in self.c.plain_generators and ref in self.c.generators:
                return Reason.of(StaysBlocking.RETURNING_GENERATOR)
            if ref.cls is not None and _is_dunder(ref.name):  # only a method (defined in a class body) is special
                return Reason.of(StaysBlocking.SPECIAL_METHOD)
            if ref.cls is not None and ref.cls.open:
                return Reason.of(StaysBlocking.OPEN_CLASS, owner=ref.cls.name, how=ref.cls.open)
            if ref.cls is not None:
                for live in _live_bases(ref.cls):
                    if live_class_may_call(live, ref.name):
                        return Reason.of(StaysBlocking.BASE_MAY_CALL, owner=ref.cls.name, base=live.__qualname__)
            if ref.user_async:
                return Reason.of(StaysBlocking.ASYNC_IN_FAMILY)
            if ref in self.ev.wraps_async:
                return Reason.of(StaysBlocking.WRAPS_ASYNC, wrapped=self.ev.wraps_async[ref])
            if ref.cls is None and "." not in ref.qualname and ref.name in self.called_earlier:
                return Reason.of(StaysBlocking.CALLED_EARLIER, caller=self.called_earlier[ref.name])
            awaited_method = ref.cls is not None and (
                f"{ref.cls.name}.{ref.name}" in self.awaited_earlier or root in self._awaited_through_instances
            )
            if ref.cls is not None and "." not in ref.cls.qualname and ref.cls.name in self.called_earlier:
                if awaited_method:
                    continue  # earlier code awaits this one (`await Sensor.make(k)`)
                # Earlier code may make instances of the class and call any of their methods.
                caller = self.called_earlier[ref.cls.name]
                return Reason.of(StaysBlocking.CLASS_USED_EARLIER, owner=ref.cls.name, caller=caller)
            if ref.cls is not None and id(ref.cls) in self._instances_used_earlier and not awaited_method:
                name, caller = self._instances_used_earlier[id(ref.cls)]
                return Reason.of(StaysBlocking.INSTANCE_USED_EARLIER, owner=ref.cls.name, instance=name, caller=caller)
        return None

    @property
    def _awaited_through_instances(self) -> dict[FunctionRef, str]:
        """This cell's methods that earlier code awaits through a name now bound to an instance.

        ``obj = Sensor()`` where an earlier cell's ``fetch`` does ``await obj.m(k)``:
        the new class's ``m`` must be async too (by family, with its caller).
        """
        if self._instance_awaits is None:
            self._instance_awaits = {}
            for name, bound in self.ev.module_values.items():
                for _, values in bound:
                    for value in values:
                        if not isinstance(value, Instance) or value.cls not in self._local_classes:
                            continue
                        for method_name, method in value.cls.methods.items():
                            awaiting = self.awaited_earlier.get(f"{name}.{method_name}")
                            if awaiting is not None:
                                self._instance_awaits.setdefault(self.family(method), awaiting)
        return self._instance_awaits

    @property
    def _instances_used_earlier(self) -> dict[int, tuple[str, str]]:
        """Classes of this cell whose instances a module-level name holds that earlier code uses (by id).

        ``obj = Robot()`` where an earlier cell's ``ping`` calls ``obj.m(k)``: that
        call was compiled without ``await``, so Robot's methods must stay blocking.
        """
        if self._instances_earlier is None:
            self._instances_earlier = {}
            for name, caller in self.called_earlier.items():
                for _, values in self.ev.module_values.get(name, ()):
                    for value in values:
                        if isinstance(value, Instance):
                            for cls in [value.cls, *([] if value.exact else self._subclasses(value.cls))]:
                                self._instances_earlier.setdefault(id(cls), (name, caller))
        return self._instances_earlier

    def _settle(
        self,
        blocking: list[Blocking],
        uses: dict[FunctionRef, list[_Use]],
        calls_in: list[tuple[FunctionRef, CallSite]],
    ) -> set[FunctionRef]:
        roots = {self.family(ref) for ref in self.c.functions}
        forced = {root for root in roots | set(uses) if root not in self.local and root.converted}
        self.blocked: dict[FunctionRef, Reason] = {}
        for root in roots:
            reason = self._inherent(root)
            if reason:
                self.blocked[root] = reason
        for root in roots | set(uses):
            if root not in self.local and not root.converted:
                self.blocked[root] = Reason.of(StaysBlocking.OVERRIDES_BLOCKING, method=root.qualname)
        wants: set[FunctionRef] = set()
        for item in blocking:
            host = item.site.host
            if host.kind == "function" and host.function is not None and not host.function.user_async:
                wants.add(self.family(host.function))
        for root in roots:
            # Earlier code was compiled awaiting this name: a new function under it must be async too.
            # Not a generator: earlier code gets a generator from it either way (awaiting one fails as
            # awaiting an async generator would), and this cell's own loops over it keep working.
            if root in self.local and root.cls is None and "." not in root.qualname and not self.is_generator(root):
                awaiting = self.awaited_earlier.get(root.name)
                if awaiting is not None and not root.user_async:
                    wants.add(root)
                    self.forced_by_earlier[root] = awaiting
            # A method earlier code awaits through the class's name (`await Sensor.make(k)`).
            if root in self.local and root.cls is not None and "." not in root.cls.qualname:
                awaiting = self.awaited_earlier.get(f"{root.cls.name}.{root.name}")
                if awaiting is not None and not root.user_async and not self.is_generator(root):
                    wants.add(root)
                    self.forced_by_earlier[root] = awaiting
        for root, awaiting in self._awaited_through_instances.items():
            if not root.user_async and not self.is_generator(root):
                wants.add(root)
                self.forced_by_earlier.setdefault(root, awaiting)
        for name, bound in self.ev.module_values.items():
            # The same for what the name is bound to otherwise (`@logged def helper`: the wrapper).
            awaiting = self.awaited_earlier.get(name)
            if awaiting is None:
                continue
            for _, values in bound:
                for value in values:
                    if isinstance(value, Func) and value.ref in self.local and not value.ref.user_async:
                        root = self.family(value.ref)
                        if not self.is_generator(root) and root.cls is None:
                            wants.add(root)
                            self.forced_by_earlier.setdefault(root, awaiting)

        for _ in range(MAX_ROUNDS):
            async_set = set(forced) | {root for root in wants if root not in self.blocked}
            changed = True
            while changed:
                changed = False
                for root, site in calls_in:
                    host = site.host
                    if root not in async_set or host.kind != "function" or host.function is None:
                        continue
                    caller = self.family(host.function)
                    if host.function.user_async or caller in async_set or caller in self.blocked:
                        continue
                    async_set.add(caller)
                    changed = True
            newly: dict[FunctionRef, Reason] = {}
            # Earlier code awaits these (`forced`, or a name it awaits): a use here that cannot
            # await gets the blocking twin instead of keeping the function blocking.
            for root in async_set - forced - self.forced_by_earlier.keys():
                for use in uses.get(root, ()):
                    reason = self._violation(use, async_set)
                    if reason:
                        newly[root] = reason
                        break
            if not newly:
                return async_set
            self.blocked.update(newly)
        raise PlanningError(f"deciding which functions become async did not settle in {MAX_ROUNDS} rounds")

    def _reaches_generator(self, site: CallSite) -> bool:
        """Whether any function a call may reach is a generator (``settle`` cannot tell one from a value)."""
        kind = self.classify(site)
        if isinstance(kind, Calls):
            refs: Iterable[FunctionRef] = kind.refs
        elif isinstance(kind, UnknownMethod):
            refs = self._families_by_name.get(kind.name, ())
        else:
            return False
        return any(self.is_generator(self.family(ref)) for ref in refs)

    def _settleable(self, use: _Use, async_set: set[FunctionRef]) -> bool:
        """An unresolved call in code that can await, to functions the session can recognise at run time."""
        if not self.live or use.site is None or use.site.awaited or use.root is None:
            return False
        if not self.awaitable(use.host, async_set):
            return False
        if self.is_generator(use.root) or self._reaches_generator(use.site):
            return False
        return all(self._reachable(ref) for ref in self.members(use.root))

    def _reachable(self, ref: FunctionRef) -> bool:
        """Whether ``ref`` will be a module-level function, or a method of a module-level class."""
        final = self.ev.final_env
        if ref.cls is None:
            return "." not in ref.qualname and final.get(ref.name) == frozenset({Func(ref)})
        cls = ref.cls
        return (
            "." not in cls.qualname
            and cls.methods.get(ref.name) is ref
            and final.get(cls.name) == frozenset({Cls(cls)})
        )

    def _violation(self, use: _Use, async_set: set[FunctionRef]) -> Reason | None:
        """Why ``use`` cannot be awaited (a predicate), or ``None`` if it can."""
        where = _describe(use.node)
        if use.kind == "value":
            return Reason.of(StaysBlocking.USED_AS_VALUE, where=where)
        if use.kind == "ambiguous":
            if self._settleable(use, async_set):
                return None
            return Reason.of(StaysBlocking.UNFOLLOWED_CALL, where=where)
        if use.site is not None and use.site.awaited:
            return None
        if self.is_generator(self.family_of_use(use)):
            assert use.site is not None
            if use.site.loop is None:
                return Reason.of(StaysBlocking.GENERATOR_OUTSIDE_FOR, where=where)
            if isinstance(use.site.comprehension, ast.GeneratorExp):
                return Reason.of(StaysBlocking.GENERATOR_IN_GENERATOR_EXPRESSION, where=where)
        if self.awaitable(use.host, async_set):
            return None
        if _user_async(use.host):
            assert use.host.function is not None
            return Reason.of(StaysBlocking.CALLED_FROM_ASYNC_DEF, where=where, caller=use.host.function.name)
        if use.host.kind == "function" and use.host.function is not None:
            return Reason.of(StaysBlocking.CALLED_FROM_BLOCKING, where=where, caller=use.host.function.name)
        return Reason.of(StaysBlocking.CALLED_FROM_SCOPE, scope=use.host.describe(), where=where)


def _primitive_wait(value: object) -> str | None:
    """``Thread.join`` if ``value`` is a thread primitive's waiting method (also one a user subclass
    inherits, ``class Worker(threading.Thread)``), else ``None``."""
    if isinstance(value, BoundAttr) and isinstance(value.owner, Primitive):
        kind: str | None = value.owner.kind
    elif isinstance(value, Method) and value.bound and value.cls.lookup(value.name) is None:
        kind = value.cls.primitive_kind()
    else:
        return None
    if kind is None or value.name not in WAIT_METHODS.get(kind, ()):
        return None
    return f"{kind}.{value.name}"


def _awaited_in_async_def(item: Blocking) -> bool:
    """Whether ``item`` is awaited where the user's own ``async def`` makes it (see the module's doc)."""
    rule = CALL_RULES.get(item.target)
    return rule.awaited_in_async_def if rule is not None else item.kind in THREAD_WAITS


def _user_async(host: Host) -> bool:
    """Whether ``host`` is the body of an ``async def`` the user wrote."""
    return host.kind == "function" and host.function is not None and host.function.user_async


def _blocks_the_loop(item: Blocking, host: Host) -> str:
    """The note for a blocking call left as written in the user's ``async def``."""
    assert host.function is not None
    where = f"inside `async def {host.function.name}`"
    if item.kind == "run":
        return f"{item.target} is left as written {where}, where a loop is already running, as on desktop"
    return f"{item.target} blocks the event loop {where}, as on desktop"


def _judged_live(method: FunctionRef, local: set[FunctionRef]) -> bool:
    """Whether an override of ``method`` is judged by its class's live code, not decided with it.

    So for a blocking method of a class an earlier cell made: its live code says
    whether it may call the override (as for a class no cell's analysis
    recorded), whether or not the statement filter had it analysed.
    """
    cls = method.cls
    if method in local or method.converted or method.user_async or method.generator or cls is None or cls.live is None:
        return False
    return cls.live() is not None


def _live_bases(cls: ClassRef) -> list[type]:
    """The live bases of ``cls`` and of its recorded bases, and the live classes of bases earlier cells made.

    An earlier cell's class is judged by its live code, whether or not the
    statement filter had that cell's class analysed.
    """
    found: list[type] = []
    stack, seen = [cls], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        live = current.live() if current is not cls and current.live is not None else None
        if live is not None:
            found.append(live)  # before its own live bases: the same order whether or not it was analysed
        found.extend(current.live_bases)
        stack.extend(current.bases)
    return found


def _async_iterable(site: CallSite) -> bool:
    """Whether the ``for`` over this call can become ``async for``."""
    return site.loop is not None and not isinstance(site.comprehension, ast.GeneratorExp)


def _one_argument(node: ast.Call) -> bool:
    return len(node.args) == 1 and not node.keywords and not isinstance(node.args[0], ast.Starred)


def _run_argument(node: ast.Call) -> ast.expr:
    """The coroutine given to ``asyncio.run`` (positionally or as ``main=``) in a call its rule accepts."""
    return node.args[0] if node.args else next(k.value for k in node.keywords if k.arg == "main")
