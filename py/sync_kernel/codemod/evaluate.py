"""What each name and expression of a cell can hold.

Module-level code runs once, top to bottom, so it is followed statement by
statement (flow-sensitive: ``time = Clock()`` after ``import time`` changes
what later lines mean). A function body runs later, any number of times, so a
local name holds the union of everything bound to it, and a global name used
inside a function holds what it holds from the ``def`` on to the end of the
cell. Values from before the cell come from ``initial`` (the live namespace or
the session's memory).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterable

from .collect import Bind, Collected
from .reasons import Reason, StaysBlocking
from .records import ClassRef, FunctionRef
from .scopes import Scope
from .values import (
    ASYNCIO_RUNNER,
    CLASSMETHOD,
    FOREIGN,
    GETATTR,
    LOOP_FACTORIES,
    MODULE_TARGETS,
    ONLY_UNBOUND,
    ONLY_UNKNOWN,
    STATICMETHOD,
    SUBMODULES,
    SUPER,
    TRANSPARENT_CLASS_DECORATORS,
    UNBOUND,
    UNKNOWN,
    WRAPS,
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
    Value,
    Values,
    getattr_parts,
    single,
    target_of,
)
from .waits import CONSTRUCTS, ENTER_RETURNS_SELF, RETURNS, SUBCLASSABLE

Initial = Callable[[str], Values]
Globals = Callable[[str], Values]

#: How many times a loop body is re-run looking for a fixed point; past that the names the loop
#: binds are widened to "unknown" (the values only grow from pass to pass, so this is rare).
MAX_LOOP_PASSES = 32


class Env:
    """Module-level names at one point of the cell. Copies share until written."""

    __slots__ = ("_initial", "_values", "_shared", "_poisoned")

    def __init__(self, initial: Initial, values: dict[str, Values] | None = None, poisoned: bool = False):
        self._initial = initial
        self._values = values if values is not None else {}
        self._shared = False
        self._poisoned = poisoned

    def get(self, name: str) -> Values:
        values = self._values.get(name)
        if values is None:
            values = self._initial(name)
            if self._poisoned:
                values = values | ONLY_UNKNOWN
        return values

    def set(self, name: str, values: Values) -> None:
        if self._shared:
            self._values = dict(self._values)
            self._shared = False
        self._values[name] = values

    def poison(self) -> None:
        """A ``from unknown import *``: every name may have been rebound."""
        for name in list(self._values):
            self.set(name, self._values[name] | ONLY_UNKNOWN)
        self._poisoned = True

    def copy(self) -> Env:
        twin = Env(self._initial, self._values, self._poisoned)
        twin._shared = self._shared = True
        return twin

    def join(self, other: Env) -> Env:
        if other._values is self._values and other._poisoned == self._poisoned:
            return self.copy()
        values = dict(self._values)
        for name in set(values) | set(other._values):
            values[name] = self.get(name) | other.get(name)
        return Env(self._initial, values, self._poisoned or other._poisoned)

    @property
    def poisoned(self) -> bool:
        return self._poisoned

    def same(self, other: Env) -> bool:
        return self._values == other._values and self._poisoned == other._poisoned


class Evaluator:
    """Values of the names and expressions of one collected cell."""

    def __init__(self, collected: Collected, initial: Initial, set_elsewhere: frozenset[str] = frozenset()) -> None:
        self.c = collected
        #: Module-level names that code in a function or class body may rebind (``global``),
        #: at any call: at module level they may hold anything besides what the flow says.
        self.set_elsewhere = set_elsewhere | {bind.name for bind in collected.binds if bind.declared_global}
        self.initial = initial if not self.set_elsewhere else self._widened(initial)
        self.env_at: dict[int, Env] = {}
        self.env_after: dict[int, Env] = {}
        self.final_env = Env(self.initial)
        #: Values given to each module-level name, by top-level statement index.
        self.module_values: dict[str, list[tuple[int, Values]]] = {}
        self._visited: set[int] = set()
        self._local_binds: dict[tuple[int, str], list[Bind]] = {}
        self._global_binds: dict[str, list[Bind]] = {}
        self._cache: dict[tuple[int, str], Values] = {}
        self._decorated: set[int] = set()
        self._top_index = -1
        #: For each loop being run, innermost last: the envs at its ``continue``s and ``break``s.
        self._loops: list[tuple[list[Env], list[Env]]] = []
        self._local_classes = {id(cls) for cls in collected.classes}
        self._definitions: dict[int, Bind] | None = None
        #: ``(base, subclass)`` links to classes of earlier cells, recorded when the cell is remembered.
        self.new_subclasses: list[tuple[ClassRef, ClassRef]] = []
        #: Wrappers a decorator of the cell puts around an ``async def`` (with its name): they return
        #: its coroutine, so they must stay as they are.
        self.wraps_async: dict[FunctionRef, str] = {}
        #: Wrappers handed to a further decorator (``@a @b def f``: b's wrapper goes to ``a``), with it.
        self.decorated_wrappers: list[tuple[FunctionRef, ast.expr]] = []
        #: Decorators whose wrapper an earlier cell made async, put around an ``async def``.
        self.twin_decorators: list[ast.expr] = []
        self._local_functions = set(collected.functions)
        by_scope: dict[tuple[int, str], list[Bind]] | None = None
        for ref, returned in collected.returns.items():
            if ref.user_async or ref in collected.generators or not all(isinstance(e, ast.Name) for e, _ in returned):
                continue
            if by_scope is None:
                by_scope = {}
                for bind in collected.binds:
                    by_scope.setdefault((id(bind.scope), bind.name), []).append(bind)
            ref.returns = returned_function(ref, returned, by_scope)

    def _widened(self, initial: Initial) -> Initial:
        def lookup(name: str) -> Values:
            values = initial(name)
            return values | ONLY_UNKNOWN if name in self.set_elsewhere else values

        return lookup

    def _set(self, env: Env, name: str, values: Values) -> Values:
        if name in self.set_elsewhere:
            values = values | ONLY_UNKNOWN
        env.set(name, values)
        return values

    # ---- module flow -----------------------------------------------------------------

    def run(self, statements: list[tuple[int, ast.stmt]]) -> None:
        env = Env(self.initial)
        for index, statement in statements:
            self._top_index = index
            env = self._exec(statement, env)
            self.env_after[index] = env.copy()
        self.final_env = env
        for bind in self.c.binds:
            if bind.scope is self.c.module:
                if id(bind.container) not in self._visited:  # bound through `global` in a function
                    self._global_binds.setdefault(bind.name, []).append(bind)
            else:
                self._local_binds.setdefault((id(bind.scope), bind.name), []).append(bind)
        for cls in self.c.classes:
            self._settle_class(cls)
        for function in self.c.functions:
            self._settle_function(function)

    def _exec_body(self, body: list[ast.stmt], env: Env) -> Env:
        for statement in body:
            env = self._exec(statement, env)
        return env

    def _apply(self, container: ast.AST, env: Env) -> None:
        self._visited.add(id(container))
        binds = self.c.binds_at.get(id(container))
        if not binds:
            return
        updates: list[tuple[Bind, Values | None]] = []
        for bind in binds:
            if bind.kind == "star":
                updates.append((bind, None))
            else:
                updates.append((bind, self.bind_values(bind, env.get)))
        for bind, values in updates:
            if values is None:
                self._star_import(bind.module or "", env)
                continue
            values = self._set(env, bind.name, values)
            self.module_values.setdefault(bind.name, []).append((self._top_index, values))

    def _star_import(self, module: str, env: Env) -> None:
        real = sys.modules.get(module) if not module.startswith(".") else None
        if real is None:
            env.poison()
            return
        names = getattr(real, "__all__", None)
        if names is None:
            names = [name for name in vars(real) if not name.startswith("_")]
        for name in names:
            values = self._set(env, str(name), self.import_values(module, str(name)))
            self.module_values.setdefault(str(name), []).append((self._top_index, values))

    def _exec(self, node: ast.stmt, env: Env) -> Env:
        self.env_at[id(node)] = env.copy()
        self._apply(node, env)
        if isinstance(node, ast.If):
            then = self._exec_body(node.body, env.copy())
            other = self._exec_body(node.orelse, env.copy())
            return then.join(other)
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            return self._exec_loop(node, env)
        if isinstance(node, (ast.Break, ast.Continue)) and self._loops:
            self._loops[-1][isinstance(node, ast.Break)].append(env.copy())
            return env
        if isinstance(node, (ast.With, ast.AsyncWith)):
            return self._exec_body(node.body, env)
        if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            body_end = self._exec_body(node.body, env.copy())  # type: ignore[attr-defined]
            raised = env.join(body_end)
            ends = [self._exec_body(node.orelse, body_end)]  # type: ignore[attr-defined]
            for handler in node.handlers:  # type: ignore[attr-defined]
                handler_env = raised.copy()
                self._apply(handler, handler_env)
                handler_end = self._exec_body(handler.body, handler_env)
                if handler.name:
                    self._set(handler_end, handler.name, ONLY_UNBOUND)
                ends.append(handler_end)
            result = ends[0]
            for end in ends[1:]:
                result = result.join(end)
            return self._exec_body(node.finalbody, result)  # type: ignore[attr-defined]
        if isinstance(node, ast.Match):
            result = env.copy()
            for case in node.cases:
                case_env = env.copy()
                self._apply(case, case_env)
                result = result.join(self._exec_body(case.body, case_env))
            return result
        return env

    def _exec_loop(self, node: ast.For | ast.AsyncFor | ast.While, env: Env) -> Env:
        """Run the body until what enters a pass no longer grows (a fixed point), then the ``else``.

        A pass starts from what enters the loop joined with what ends the
        previous pass (its end, or a ``continue``); the loop is left from the
        start of a pass (the ``else`` then runs) or from a ``break``. If no
        fixed point is found within :data:`MAX_LOOP_PASSES`, every name the
        loop binds is widened to "unknown" and the body is run once more.
        """
        start = env
        exits: list[Env] = []
        for attempt in range(MAX_LOOP_PASSES + 1):
            if attempt == MAX_LOOP_PASSES:
                start = self._widen(start, node)
            self._loops.append(([], []))
            end = self._exec_body(node.body, start.copy())
            continues, exits = self._loops.pop()
            for other in continues:
                end = end.join(other)
            following = env.join(end)
            if following.same(start) or attempt == MAX_LOOP_PASSES:
                break
            start = following
        result = self._exec_body(node.orelse, start.join(end) if attempt == MAX_LOOP_PASSES else start)
        for other in exits:
            result = result.join(other)
        return result

    def _widen(self, env: Env, loop: ast.stmt) -> Env:
        widened = env.copy()
        for inner in ast.walk(loop):
            for bind in self.c.binds_at.get(id(inner), ()):
                if bind.kind == "star":
                    widened.poison()
                else:
                    widened.set(bind.name, widened.get(bind.name) | ONLY_UNKNOWN)
        return widened

    # ---- names --------------------------------------------------------------------------

    def globals_for(self, scope: Scope, stmt: ast.AST) -> Globals:
        """How global names read at ``stmt`` in ``scope`` are looked up."""
        outer = scope
        while outer.kind == "comprehension" and outer.parent is not None:
            outer = outer.parent
        if outer.kind == "module":
            env = self.env_at.get(id(stmt), self.final_env)
            return env.get
        top_index = scope.top_index
        return lambda name: self.summary(name, top_index)

    def summary(self, name: str, top_index: int) -> Values:
        """A global as code defined at top-level statement ``top_index`` sees it when it runs."""
        key = (top_index, "global:" + name)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        self._cache[key] = ONLY_UNKNOWN  # a cycle reads as unknown
        env = self.env_after.get(top_index, self.final_env)
        values = env.get(name)
        for index, assigned in self.module_values.get(name, ()):
            if index > top_index:
                values = values | assigned
        for bind in self._global_binds.get(name, ()):
            values = values | self.bind_values(bind, self.globals_for(bind.where or bind.scope, bind.container))
        self._cache[key] = values
        return values

    def local_values(self, scope: Scope, name: str) -> Values:
        key = (id(scope), name)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        self._cache[key] = ONLY_UNKNOWN
        values: Values = frozenset()
        for bind in self._local_binds.get(key, ()):
            values = values | self.bind_values(bind, self.globals_for(bind.where or bind.scope, bind.container))
        if not values:
            values = ONLY_UNKNOWN
        self._cache[key] = values
        return values

    def local_binds(self, scope: Scope, name: str) -> list[Bind]:
        """The bindings of ``name`` local to function ``scope``."""
        return self._local_binds.get((id(scope), name), [])

    def lookup(self, name: str, scope: Scope, globals_: Globals) -> Values:
        kind, owner = scope.resolve(name)
        if kind == "global":
            return globals_(name)
        if kind == "comprehension":
            return ONLY_UNKNOWN
        return self.local_values(owner, name)

    # ---- bindings ------------------------------------------------------------------------

    def bind_values(self, bind: Bind, globals_: Globals) -> Values:
        where = bind.where or bind.scope
        if bind.kind == "value":
            assert bind.expr is not None
            return self.value(bind.expr, where, globals_)
        if bind.kind == "enter":
            assert bind.expr is not None
            entered = single(self.value(bind.expr, where, globals_))
            if isinstance(entered, Runner) or (isinstance(entered, Primitive) and entered.kind in ENTER_RETURNS_SELF):
                return frozenset({entered})
            return ONLY_UNKNOWN
        if bind.kind == "def":
            assert isinstance(bind.ref, FunctionRef)
            return self._def_values(bind.ref, where, globals_)
        if bind.kind == "class":
            assert isinstance(bind.ref, ClassRef)
            return self._class_values(bind.ref, where, globals_)
        if bind.kind == "import":
            return self.import_values(bind.module or "", bind.attr)
        if bind.kind == "param":
            return self._param_values(bind)
        if bind.kind == "unbind":
            return ONLY_UNBOUND
        return ONLY_UNKNOWN

    @staticmethod
    def import_values(module: str, attr: str | None) -> Values:
        submodule = SUBMODULES.get(module, {}).get(attr or "")
        if submodule is not None:
            return frozenset({Module(submodule)})
        if attr is None:
            return frozenset({Module(module)}) if module in MODULE_TARGETS else ONLY_UNKNOWN
        qualname = MODULE_TARGETS.get(module, {}).get(attr)
        return frozenset({Target(qualname)}) if qualname else ONLY_UNKNOWN

    def _param_values(self, bind: Bind) -> Values:
        if bind.self_of is None or bind.scope.function is None:
            return ONLY_UNKNOWN
        self._settle_function(bind.scope.function)
        binding = bind.scope.function.binding
        if binding == "method":
            return frozenset({Instance(bind.self_of)})
        if binding == "classmethod":
            return frozenset({Cls(bind.self_of)})
        return ONLY_UNKNOWN

    def _decorator_names(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scope: Scope, globals_: Globals
    ) -> list[str | None]:
        """Each decorator's catalogue name (``None`` for one we do not know)."""
        names: list[str | None] = []
        for decorator in node.decorator_list:
            callee = decorator.func if isinstance(decorator, ast.Call) else decorator
            names.append(target_of(self.value(callee, scope, globals_)))
        return names

    def _def_values(self, ref: FunctionRef, scope: Scope, globals_: Globals) -> Values:
        self._settle_function(ref, scope, globals_)
        if ref.stays_sync is not None and ref.stays_sync.why is StaysBlocking.DECORATED:
            return self._decorated_values(ref, scope, globals_)
        return frozenset({Func(ref)})

    def _decorated_values(self, ref: FunctionRef, scope: Scope, globals_: Globals) -> Values:
        """What a decorated ``def`` binds: its decorators applied from the innermost out.

        Known where each decorator is a function of the notebook's that returns a
        function it defines (``def retry(f): ... return wrapper``), or a call of
        one that returns such a decorator (``@retry(times=3)``): the name is then
        bound to that wrapper, and calling it calls the wrapper.
        """
        if ref.cls is not None or ref.node is None:
            return ONLY_UNKNOWN  # a method's decorators also decide how it binds
        values: Values = frozenset({Func(ref)})
        for decorator in reversed(ref.node.decorator_list):
            if self._is_wraps(decorator, scope, globals_):
                continue
            if values != {Func(ref)}:  # stacked: the wrapper so far is handed to this decorator as a value
                self.decorated_wrappers.extend((v.ref, decorator) for v in values if isinstance(v, Func))
            applied = _union(_call_result(d) for d in self.value(decorator, scope, globals_))
            if not applied or not all(isinstance(v, Func) for v in applied):
                return ONLY_UNKNOWN
            if ref.user_async:
                wrappers = [v.ref for v in applied if isinstance(v, Func)]
                if any(w.converted and w not in self._local_functions for w in wrappers):
                    # An earlier cell made this wrapper async: around an `async def` its twin runs.
                    self.twin_decorators.append(decorator)
                    return ONLY_UNKNOWN
                self.wraps_async.update({w: ref.name for w in wrappers})
            values = applied
        return values

    def _is_wraps(self, decorator: ast.expr, scope: Scope, globals_: Globals) -> bool:
        """``@functools.wraps(f)``: gives back the function it decorates."""
        return isinstance(decorator, ast.Call) and target_of(self.value(decorator.func, scope, globals_)) == WRAPS

    def _settle_function(self, ref: FunctionRef, scope: Scope | None = None, globals_: Globals | None = None) -> None:
        """Work out, once, how a def is bound (method, staticmethod, ...) from its decorators."""
        if id(ref) in self._decorated or ref.node is None:
            return
        self._decorated.add(id(ref))
        node = ref.node
        if not node.decorator_list:
            return
        if scope is None or globals_ is None:
            scope, globals_ = self._defining_context(ref)
        names = self._decorator_names(node, scope, globals_)
        unknown = [
            ast.unparse(decorator)
            for decorator, name in zip(node.decorator_list, names, strict=True)
            if name not in (STATICMETHOD, CLASSMETHOD) and not (name == WRAPS and isinstance(decorator, ast.Call))
        ]
        if ref.cls is not None and STATICMETHOD in names:
            ref.binding = "staticmethod"
        elif ref.cls is not None and CLASSMETHOD in names:
            ref.binding = "classmethod"
        if unknown:
            ref.stays_sync = Reason.of(StaysBlocking.DECORATED, decorator=unknown[0])

    def _defining_context(self, ref: FunctionRef | ClassRef) -> tuple[Scope, Globals]:
        if self._definitions is None:
            self._definitions = {id(bind.ref): bind for bind in self.c.binds if bind.ref is not None}
        bind = self._definitions.get(id(ref))
        if bind is None:
            return self.c.module, self.final_env.get
        where = bind.where or bind.scope
        return where, self.globals_for(where, bind.container)

    def _class_values(self, ref: ClassRef, scope: Scope, globals_: Globals) -> Values:
        self._settle_class(ref, scope, globals_)
        if ref.open and ref.open.startswith("is decorated"):
            return ONLY_UNKNOWN
        return frozenset({Cls(ref)})

    def _settle_class(self, ref: ClassRef, scope: Scope | None = None, globals_: Globals | None = None) -> None:
        """Work out, once, the bases of a class and whether code we cannot see may call its methods."""
        if id(ref) in self._decorated or ref.node is None:
            return
        self._decorated.add(id(ref))
        if scope is None or globals_ is None:
            scope, globals_ = self._defining_context(ref)
        node = ref.node
        for decorator, name in zip(node.decorator_list, self._decorator_names(node, scope, globals_), strict=True):
            if name not in TRANSPARENT_CLASS_DECORATORS and ref.open is None:
                ref.open = f"is decorated with @{ast.unparse(decorator)}"
        for keyword in node.keywords:
            if ref.open is None:
                ref.open = f"uses `{keyword.arg}=`"
        for base in node.bases:
            value = single(self.value(base, scope, globals_))
            if isinstance(value, Cls):
                ref.bases.append(value.ref)
                if id(value.ref) in self._local_classes:
                    value.ref.subclasses.append(ref)
                else:
                    self.new_subclasses.append((value.ref, ref))
            elif isinstance(value, Target) and value.qualname == "object":
                continue
            elif isinstance(value, Target) and value.qualname in SUBCLASSABLE and ref.primitive is None:
                ref.primitive = CONSTRUCTS[value.qualname]  # its code calls only ``run`` of ours
            elif isinstance(value, LiveClass):
                ref.live_bases.append(value.cls)
            elif ref.open is None:
                ref.open = f"derives from `{ast.unparse(base)}`"

    # ---- expressions ------------------------------------------------------------------------

    def value(self, node: ast.expr, scope: Scope, globals_: Globals) -> Values:
        if isinstance(node, ast.Name):
            return self.lookup(node.id, scope, globals_)
        if isinstance(node, ast.Attribute):
            receivers = self.value(node.value, scope, globals_)
            return _union(_attribute(receiver, node.attr) for receiver in receivers)
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "super":
                cls = self._enclosing_class(scope)
                if cls is not None and target_of(self.lookup("super", scope, globals_)) == SUPER:
                    return frozenset({Instance(cls)})
                return ONLY_UNKNOWN
            callees = self.value(node.func, scope, globals_)
            looked_up = getattr_parts(node)
            if looked_up is not None and callees == frozenset({Target(GETATTR)}):
                return self._getattr_value(*looked_up, scope, globals_)
            return _union(_call_result(callee) for callee in callees)
        if isinstance(node, ast.NamedExpr):
            return self.value(node.value, scope, globals_)
        if isinstance(node, ast.IfExp):
            return self.value(node.body, scope, globals_) | self.value(node.orelse, scope, globals_)
        if isinstance(node, ast.BoolOp):
            return _union(self.value(operand, scope, globals_) for operand in node.values)
        return ONLY_UNKNOWN

    def _getattr_value(
        self, receiver: ast.expr, name: str | None, default: ast.expr | None, scope: Scope, globals_: Globals
    ) -> Values:
        """``getattr(receiver, "name")`` is ``receiver.name``; with a computed name it can be anything."""
        if name is None:
            return ONLY_UNKNOWN  # the planner finds the methods it may give (Planner.dynamic_refs)
        found = _union(_attribute(value, name) for value in self.value(receiver, scope, globals_))
        return found | self.value(default, scope, globals_) if default is not None else found

    @staticmethod
    def _enclosing_class(scope: Scope) -> ClassRef | None:
        current: Scope | None = scope
        while current is not None:
            if current.kind == "function" and current.function is not None:
                return current.function.cls
            current = current.parent
        return None


def _union(groups: Iterable[Values]) -> Values:
    result: Values = frozenset()
    for group in groups:
        result = result | group
    return result or ONLY_UNKNOWN


def _attribute(receiver: Value, attr: str) -> Values:
    if receiver == UNBOUND:
        return ONLY_UNBOUND  # reading it raises NameError: that path never gets to the attribute
    if isinstance(receiver, Module):
        submodule = SUBMODULES.get(receiver.name, {}).get(attr)
        if submodule is not None:
            return frozenset({Module(submodule)})
        qualname = MODULE_TARGETS.get(receiver.name, {}).get(attr)
        return frozenset({Target(qualname)}) if qualname else ONLY_UNKNOWN
    if isinstance(receiver, (Loop, Runner, Primitive)):
        return frozenset({BoundAttr(receiver, attr)})
    if isinstance(receiver, Cls):
        return frozenset({Method(receiver.ref, attr, bound=False)})
    if isinstance(receiver, Instance):
        return frozenset({Method(receiver.cls, attr, bound=True, exact=receiver.exact)})
    if isinstance(receiver, (Foreign, LiveClass)):
        return frozenset({FOREIGN})  # a class no cell's analysis recorded has none of our functions
    return ONLY_UNKNOWN


def _call_result(callee: Value) -> Values:
    if callee == UNBOUND:
        return ONLY_UNBOUND
    if isinstance(callee, Target):
        if callee.qualname in LOOP_FACTORIES:
            return frozenset({Loop()})
        if callee.qualname == ASYNCIO_RUNNER:
            return frozenset({Runner()})
        if callee.qualname in CONSTRUCTS:
            return frozenset({Primitive(CONSTRUCTS[callee.qualname])})
    elif isinstance(callee, BoundAttr) and isinstance(callee.owner, Primitive):
        kind = RETURNS.get((callee.owner.kind, callee.name))
        if kind is not None:
            return frozenset({Primitive(kind)})
    elif isinstance(callee, BoundAttr) and isinstance(callee.owner, Runner) and callee.name == "get_loop":
        return frozenset({Loop()})
    elif isinstance(callee, Cls):
        return frozenset({Instance(callee.ref, exact=True)})
    elif isinstance(callee, LiveClass):
        return frozenset({FOREIGN})  # exactly that class: none of its methods is a function of ours
    elif isinstance(callee, Func) and callee.ref.returns is not None:
        return frozenset({Func(callee.ref.returns)})  # a decorator gives its wrapper
    return frozenset({UNKNOWN})


def returned_function(
    ref: FunctionRef, returned: list[tuple[ast.expr | None, Scope]], binds: dict[tuple[int, str], list[Bind]]
) -> FunctionRef | None:
    """The function ``ref`` defines and returns, if every ``return`` of ``ref`` gives that one function."""
    found: set[FunctionRef] = set()
    for expr, scope in returned:
        if not isinstance(expr, ast.Name):
            return None
        kind, owner = scope.resolve(expr.id)
        if kind != "local" or owner.function is not ref:
            return None
        defs = binds.get((id(owner), expr.id), [])
        if not defs or any(bind.kind != "def" or not isinstance(bind.ref, FunctionRef) for bind in defs):
            return None
        found |= {bind.ref for bind in defs if isinstance(bind.ref, FunctionRef)}
    if len(found) != 1:
        return None
    (inner,) = found
    return inner if inner.cls is None and not inner.user_async else None
