"""One read-only walk over a cell: scopes, bindings, calls and uses.

The collector records facts and decides nothing: every binding (with the
expression that gives its value), every call site and every load of a name
that could be a value use, each tagged with its scope (for names), its host
(for ``await``) and its statement (for the order of module-level code).
"""

from __future__ import annotations

import ast
import symtable
from dataclasses import dataclass, field
from typing import Literal

from .records import ClassRef, FunctionNode, FunctionRef
from .scopes import Host, Scope
from .values import getattr_parts
from .waits import REPLACED_MODULES

BindKind = Literal["value", "enter", "def", "class", "import", "star", "param", "unknown", "unbind"]
#: How an expression is used by its parent.
Role = Literal["value", "alias", "callee", "receiver"]
#: The node a binding is applied at in module-level flow.
Container = ast.stmt | ast.excepthandler | ast.match_case


@dataclass(eq=False)
class Bind:
    """``name`` gets a value at ``container``; ``scope`` is where it is bound."""

    name: str
    kind: BindKind
    scope: Scope
    container: Container
    #: The expression giving the value ("value", "enter"), evaluated in ``where``.
    expr: ast.expr | None = None
    where: Scope | None = None
    #: "import": the module (``import a.b`` binds ``a`` to module ``a``); with ``attr`` a from-import.
    module: str | None = None
    attr: str | None = None
    ref: FunctionRef | ClassRef | None = None
    #: "param": the enclosing class when this is a method's ``self``/``cls``.
    self_of: ClassRef | None = None
    self_is_class: bool = False
    #: A module-level name bound by code in a function or class body (declared ``global`` there).
    declared_global: bool = False


@dataclass(eq=False)
class CallSite:
    node: ast.Call
    scope: Scope
    host: Host
    stmt: ast.stmt
    #: The call is the receiver of ``.attr``, ``[...]`` or ``(...)``: awaiting it needs parentheses.
    wrap: bool = False
    #: The user already wrote ``await`` on this call.
    awaited: bool = False
    #: The (sync) ``for`` loop or comprehension clause iterating directly over this call.
    loop: ast.For | ast.comprehension | None = None
    #: For a comprehension clause: the comprehension expression it belongs to.
    comprehension: ast.expr | None = None


@dataclass(eq=False)
class Load:
    """A name or attribute read whose value goes somewhere (not called, not a receiver)."""

    #: ``getattr(x, ...)``: an attribute read by name.
    node: ast.Name | ast.Attribute | ast.Call
    scope: Scope
    host: Host
    stmt: ast.stmt
    alias: bool


@dataclass(eq=False)
class WithSite:
    """A ``with`` statement (which may wait on entering or leaving, with thread primitives)."""

    node: ast.With
    scope: Scope
    host: Host
    stmt: ast.stmt


@dataclass
class Collected:
    module: Scope
    functions: list[FunctionRef] = field(default_factory=list)
    classes: list[ClassRef] = field(default_factory=list)
    binds: list[Bind] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    #: Functions whose own body yields (generators).
    generators: set[FunctionRef] = field(default_factory=set)
    #: Generators an async generator cannot replace: they use ``yield from`` or ``return value``.
    plain_generators: set[FunctionRef] = field(default_factory=set)
    withs: list[WithSite] = field(default_factory=list)
    #: Imports of modules that :mod:`sync_kernel.threads` replaces.
    imports: list[ast.Import | ast.ImportFrom] = field(default_factory=list)
    #: Module-level binds grouped by the node they are applied at.
    binds_at: dict[int, list[Bind]] = field(default_factory=dict)
    #: What each function's ``return`` statements give (``None`` for a bare ``return``), with the
    #: scope they are read in: a function that returns a function it defines (a decorator).
    returns: dict[FunctionRef, list[tuple[ast.expr | None, Scope]]] = field(default_factory=dict)
    #: Ids of the expressions in decorator lists (``@deco``, ``@retry(3)``).
    decorators: set[int] = field(default_factory=set)


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class Collector:
    """Walks the relevant top-level statements of a cell once."""

    def __init__(self, tree: ast.Module, table: symtable.SymbolTable | None) -> None:
        self.out = Collected(module=Scope("module", tree, None, table=table))
        self.scope = self.out.module
        self.host = Host("module")
        self.stmt: ast.stmt = ast.Pass()
        self.container: Container = self.stmt
        self.class_stack: list[ClassRef] = []

    # ---- entry -------------------------------------------------------------------

    def collect(self, statements: list[tuple[int, ast.stmt]]) -> Collected:
        for index, statement in statements:
            self.top_index = index
            self.visit_stmt(statement)
        return self.out

    # ---- bindings ----------------------------------------------------------------

    def bind(self, name: str, kind: BindKind, scope: Scope | None = None, **details: object) -> None:
        where = scope or self.scope
        resolution, owner = where.resolve(name) if where.kind != "comprehension" else ("local", where)
        if resolution == "global":
            owner = self.out.module
        owner.bound.add(name)
        bind = Bind(name, kind, owner, self.container, **details)  # type: ignore[arg-type]
        bind.declared_global = owner is self.out.module and where.kind in ("function", "class")
        self.out.binds.append(bind)
        if owner is self.out.module:
            self.out.binds_at.setdefault(id(self.container), []).append(bind)

    def bind_target(self, target: ast.expr, value: ast.expr | None) -> None:
        """Bind the names of an assignment target; ``value`` only for a plain name."""
        if isinstance(target, ast.Name):
            if value is not None:
                self.bind(target.id, "value", expr=value, where=self.scope)
            else:
                self.bind(target.id, "unknown")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind_target(element, None)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, None)
        else:  # attribute or subscript: reads its parts, binds no name
            self.visit_expr(target, "receiver")

    # ---- statements ----------------------------------------------------------------

    def visit_body(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self.visit_stmt(statement)

    def visit_stmt(self, node: ast.stmt) -> None:
        outer_stmt, outer_container = self.stmt, self.container
        self.stmt = self.container = node
        try:
            self._visit_stmt(node)
        finally:
            self.stmt, self.container = outer_stmt, outer_container

    def _visit_stmt(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.visit_function(node)
        elif isinstance(node, ast.ClassDef):
            self.visit_class(node)
        elif isinstance(node, ast.Assign):
            simple = all(isinstance(t, ast.Name) for t in node.targets)
            self.visit_expr(node.value, "alias" if simple else "value")
            for target in node.targets:
                self.bind_target(target, node.value if isinstance(target, ast.Name) else None)
        elif isinstance(node, ast.AnnAssign):
            self.visit_annotation(node.annotation)
            if node.value is not None:
                simple = isinstance(node.target, ast.Name)
                self.visit_expr(node.value, "alias" if simple else "value")
                self.bind_target(node.target, node.value)
            elif not isinstance(node.target, ast.Name):
                self.visit_expr(node.target, "receiver")
        elif isinstance(node, ast.AugAssign):
            self.visit_expr(node.value, "value")
            if isinstance(node.target, ast.Name):
                self.bind(node.target.id, "unknown")
            else:
                self.visit_expr(node.target, "receiver")
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.visit_iterable(node.iter, node if isinstance(node, ast.For) else None, None)
            self.bind_target(node.target, None)
            self.visit_body(node.body)
            self.visit_body(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            if isinstance(node, ast.With):
                self.out.withs.append(WithSite(node, self.scope, self.host, self.stmt))
            for item in node.items:
                self.visit_expr(item.context_expr, "value")
                if isinstance(item.optional_vars, ast.Name):
                    self.bind(item.optional_vars.id, "enter", expr=item.context_expr, where=self.scope)
                elif item.optional_vars is not None:
                    self.bind_target(item.optional_vars, None)
            self.visit_body(node.body)
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            self.visit_body(node.body)  # type: ignore[attr-defined]
            for handler in node.handlers:  # type: ignore[attr-defined]
                self.container = handler
                if handler.type is not None:
                    self.visit_expr(handler.type, "value")
                if handler.name:
                    self.bind(handler.name, "unknown")
                self.container = node
                self.visit_body(handler.body)
            self.visit_body(node.orelse)  # type: ignore[attr-defined]
            self.visit_body(node.finalbody)  # type: ignore[attr-defined]
        elif isinstance(node, ast.Match):
            self.visit_expr(node.subject, "value")
            for case in node.cases:
                self.container = case
                self.visit_pattern(case.pattern)
                if case.guard is not None:
                    self.visit_expr(case.guard, "value")
                self.container = node
                self.visit_body(case.body)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.bind(target.id, "unbind")
                else:
                    self.visit_expr(target, "receiver")
        elif isinstance(node, ast.Global):
            self.scope.declared_global.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            self.scope.declared_nonlocal.update(node.names)
        elif isinstance(node, ast.Import):
            if any(alias.name.split(".")[0] in REPLACED_MODULES for alias in node.names):
                self.out.imports.append(node)
            for alias in node.names:
                if alias.asname:
                    self.bind(alias.asname, "import", module=alias.name)
                else:
                    top = alias.name.split(".")[0]
                    self.bind(top, "import", module=top)
        elif isinstance(node, ast.ImportFrom):
            if not node.level and (node.module or "").split(".")[0] in REPLACED_MODULES:
                self.out.imports.append(node)
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name == "*":
                    self.bind("*", "star", module=module)
                else:
                    self.bind(alias.asname or alias.name, "import", module=module, attr=alias.name)
        elif type(node).__name__ == "TypeAlias":  # 3.12+: `type X = ...`, evaluated lazily
            self.bind(node.name.id, "unknown")  # type: ignore[attr-defined]
            self.visit_annotation(node.value)  # type: ignore[attr-defined]
        else:
            if isinstance(node, ast.Return) and self.host.function is not None and self.scope.kind == "function":
                self.out.returns.setdefault(self.host.function, []).append((node.value, self.scope))
            if isinstance(node, ast.Return) and node.value is not None and self.host.function is not None:
                self.out.plain_generators.add(self.host.function)  # matters only if it yields too
            # Expr, Return, If, While, Raise, Assert, ...: their expressions and bodies.
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.visit_expr(child, "value")
                elif isinstance(child, ast.stmt):
                    self.visit_stmt(child)

    def visit_pattern(self, pattern: ast.pattern) -> None:
        for node in ast.walk(pattern):
            if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                self.bind(node.name, "unknown")
            elif isinstance(node, ast.MatchMapping) and node.rest:
                self.bind(node.rest, "unknown")
            elif isinstance(node, ast.MatchValue):
                self.visit_expr(node.value, "value")
            elif isinstance(node, ast.MatchClass):
                self.visit_expr(node.cls, "value")

    # ---- functions and classes -----------------------------------------------------

    def visit_function(self, node: FunctionNode) -> None:
        for decorator in node.decorator_list:
            self.out.decorators.add(id(decorator))
            self.visit_expr(decorator, "value")
        self.visit_arguments_outside(node.args)
        if node.returns is not None:
            self.visit_annotation(node.returns)

        cls = self.class_stack[-1] if self.scope.kind == "class" and self.class_stack else None
        qualname = self._qualname(node.name)
        ref = FunctionRef(
            name=node.name,
            qualname=qualname,
            lineno=node.lineno,
            user_async=isinstance(node, ast.AsyncFunctionDef),
            binding="method" if cls else "function",
            first_line=node.decorator_list[0].lineno if node.decorator_list else node.lineno,
            cls=cls,
            node=node,
        )
        self.out.functions.append(ref)
        if cls is not None:
            cls.methods[node.name] = ref
        self.bind(node.name, "def", ref=ref)

        scope = Scope(
            "function",
            node,
            self.scope,
            table=self.scope.take_table(node.name, node.lineno),
            top_index=self.top_index,
            function=ref,
        )
        self.enter(scope, Host("function", ref), node.args, node.body, cls)

    def visit_arguments_outside(self, args: ast.arguments) -> None:
        """Defaults and annotations of a signature run where the ``def`` is."""
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self.visit_expr(default, "value")
        for arg in [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self.visit_annotation(arg.annotation)

    def enter(
        self,
        scope: Scope,
        host: Host,
        args: ast.arguments,
        body: list[ast.stmt] | ast.expr,
        cls: ClassRef | None = None,
    ) -> None:
        outer = (self.scope, self.host, self.class_stack)
        self.scope, self.host = scope, host
        self.class_stack = []
        try:
            positional = [*args.posonlyargs, *args.args]
            for index, arg in enumerate([*positional, args.vararg, *args.kwonlyargs, args.kwarg]):
                if arg is None:
                    continue
                self_of = cls if index == 0 and arg in positional else None
                self.bind(arg.arg, "param", self_of=self_of)
            if isinstance(body, list):
                self.visit_body(body)
            else:
                self.visit_expr(body, "value")
        finally:
            self.scope, self.host, self.class_stack = outer

    def visit_class(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self.visit_expr(decorator, "value")
        for base in node.bases:
            self.visit_expr(base, "value")
        for keyword in node.keywords:
            self.visit_expr(keyword.value, "value")
        ref = ClassRef(name=node.name, qualname=self._qualname(node.name), lineno=node.lineno, node=node)
        self.out.classes.append(ref)
        self.bind(node.name, "class", ref=ref)

        scope = Scope(
            "class",
            node,
            self.scope,
            table=self.scope.take_table(node.name, node.lineno),
            top_index=self.top_index,
            cls=ref,
        )
        outer = (self.scope, self.host)
        self.scope, self.host = scope, Host("class")
        self.class_stack.append(ref)
        try:
            self.visit_body(node.body)
        finally:
            self.class_stack.pop()
            self.scope, self.host = outer

    def _qualname(self, name: str) -> str:
        parts: list[str] = [name]
        scope: Scope | None = self.scope
        while scope is not None and scope.kind != "module":
            if scope.kind == "class" and scope.cls is not None:
                parts.append(scope.cls.name)
            elif scope.kind == "function" and scope.function is not None:
                parts.append("<locals>")
                parts.append(scope.function.name)
            elif scope.kind == "lambda":
                parts.append("<locals>")
                parts.append("<lambda>")
            scope = scope.parent
        return ".".join(reversed(parts))

    # ---- expressions ----------------------------------------------------------------

    def visit_annotation(self, node: ast.expr) -> None:
        outer = self.host
        self.host = Host("annotation")
        try:
            self.visit_expr(node, "value")
        finally:
            self.host = outer

    def visit_expr(self, node: ast.expr, role: Role) -> None:
        if isinstance(node, ast.Call):
            self.out.calls.append(CallSite(node, self.scope, self.host, self.stmt, wrap=role in ("callee", "receiver")))
            if role in ("value", "alias") and getattr_parts(node) is not None:
                self.out.loads.append(Load(node, self.scope, self.host, self.stmt, role == "alias"))
            self.visit_expr(node.func, "callee")
            for arg in node.args:
                self.visit_expr(arg, "value")
            for keyword in node.keywords:
                self.visit_expr(keyword.value, "value")
        elif isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load) and role in ("value", "alias"):
                self.out.loads.append(Load(node, self.scope, self.host, self.stmt, role == "alias"))
        elif isinstance(node, ast.Attribute):
            if isinstance(node.ctx, ast.Load) and role in ("value", "alias"):
                self.out.loads.append(Load(node, self.scope, self.host, self.stmt, role == "alias"))
            self.visit_expr(node.value, "receiver")
        elif isinstance(node, ast.Subscript):
            self.visit_expr(node.value, "receiver")
            self.visit_expr(node.slice, "value")
        elif isinstance(node, ast.Await):
            first_call = len(self.out.calls)
            self.visit_expr(node.value, "value")
            if isinstance(node.value, ast.Call):
                self.out.calls[first_call].awaited = True
        elif isinstance(node, ast.NamedExpr):
            self.visit_expr(node.value, "alias")
            self.bind(node.target.id, "value", scope=self.scope.walrus_scope(), expr=node.value, where=self.scope)
        elif isinstance(node, ast.Lambda):
            self.visit_arguments_outside(node.args)
            scope = Scope(
                "lambda",
                node,
                self.scope,
                table=self.scope.take_table("lambda", node.lineno),
                top_index=self.top_index,
            )
            self.enter(scope, Host("lambda"), node.args, node.body)
        elif isinstance(node, _COMPREHENSIONS):
            self.visit_comprehension(node)
        elif isinstance(node, (ast.Yield, ast.YieldFrom)):
            if self.host.kind == "function" and self.host.function is not None:
                self.out.generators.add(self.host.function)
                if isinstance(node, ast.YieldFrom):
                    self.out.plain_generators.add(self.host.function)
            if node.value is not None:
                self.visit_expr(node.value, "value")
        elif isinstance(node, ast.IfExp):
            # Either branch flows into the same place as the whole expression.
            self.visit_expr(node.test, "value")
            self.visit_expr(node.body, role)
            self.visit_expr(node.orelse, role)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.visit_expr(child, "value")
                elif isinstance(child, ast.keyword):
                    self.visit_expr(child.value, "value")

    def visit_iterable(
        self, iterable: ast.expr, loop: ast.For | ast.comprehension | None, owner: ast.expr | None
    ) -> None:
        """Visit what a ``for`` iterates over, noting a call iterated directly."""
        first_call = len(self.out.calls)
        self.visit_expr(iterable, "value")
        if loop is not None and isinstance(iterable, ast.Call):
            site = self.out.calls[first_call]
            site.loop, site.comprehension = loop, owner

    def visit_comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        generators = node.generators
        # The first iterable runs in the enclosing scope.
        first = generators[0]
        self.visit_iterable(first.iter, None if first.is_async else first, node)
        scope = Scope("comprehension", node, self.scope, top_index=self.top_index)
        for generator in generators:
            for target in ast.walk(generator.target):
                if isinstance(target, ast.Name):
                    scope.targets.add(target.id)
        owner = self.scope
        while owner.kind == "comprehension" and owner.parent is not None:
            owner = owner.parent
        owner.comprehension_targets.update(scope.targets)

        outer = (self.scope, self.host)
        self.scope = scope
        if isinstance(node, ast.GeneratorExp):
            self.host = Host("genexpr")
        try:
            for index, generator in enumerate(generators):
                if index:
                    self.visit_iterable(generator.iter, None if generator.is_async else generator, node)
                for condition in generator.ifs:
                    self.visit_expr(condition, "value")
            if isinstance(node, ast.DictComp):
                self.visit_expr(node.key, "value")
                self.visit_expr(node.value, "value")
            else:
                self.visit_expr(node.elt, "value")
        finally:
            self.scope, self.host = outer
