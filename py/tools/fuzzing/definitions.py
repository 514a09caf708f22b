"""Productions that define functions, classes and coroutines, and add ways of calling them to the pools."""

from __future__ import annotations

from .bindings import ALIASES
from .context import Context, Entry
from .pieces import block, blocker, body, call, require

FUNCTIONS = ("work", "step", "helper", "fetch")
CLASSES = ("Sensor", "Robot")
SUBCLASSES = ("FastSensor", "Drone")
INSTANCES = ("obj", "bot")
COROUTINES = ("job", "ping")
LAMBDAS = ("f", "g")


def _function(ctx: Context, name: str, lines: list[str], names: set[str], cost: int, template: str = "") -> bool:
    ctx.bind(name, names, cost)
    ctx.funcs.append(Entry(template or f"{name}({{}})", name, frozenset({name})))
    ctx.emit(lines)
    return True


def plain(ctx: Context) -> bool:
    name = ctx.pick_name(FUNCTIONS)
    if name is None:
        return False
    inner, names, cost = body(ctx, "    ", "k", name)
    return _function(ctx, name, [f"def {name}(k):", *inner, f"    return k + {ctx.next_marker()}"], names, cost)


def module_init(ctx: Context) -> bool:
    """A module-level function that happens to be called ``__init__``."""
    inner, names, cost = body(ctx, "    ", "k", "__init__")
    lines = ["def __init__(k):", *inner, "    return k + 1"]
    return _function(ctx, "__init__", lines, names, cost)


def decorated(ctx: Context, wraps: bool) -> bool:
    name = ctx.pick_name(FUNCTIONS)
    if name is None:
        return False
    decorator = require(ctx, "logged" if wraps else "deco")
    inner, names, cost = body(ctx, "    ", "k", name)
    lines = [f"@{decorator}", f"def {name}(k):", *inner, f"    return k + {ctx.next_marker()}"]
    return _function(ctx, name, lines, names | {decorator}, cost)


def closure(ctx: Context) -> bool:
    name = ctx.pick_name(FUNCTIONS)
    if name is None:
        return False
    if ctx.chance(0.5):
        ctx.use("nonlocal")
        inner, names = block(ctx, "        ")
        lines = [f"def {name}(k):", "    count = 0", "    def bump():", "        nonlocal count", "        count += 1"]
        lines += [*inner, "    bump()", "    bump()", "    return count + k"]
        return _function(ctx, name, lines, names, 2)
    inner, names, cost = body(ctx, "        ", "j", name)
    lines = [f"def {name}(k):", "    def inner(j):", *inner, "        return j + 1", "    return inner(k) + inner(1)"]
    return _function(ctx, name, lines, names, cost * 2)


def global_counter(ctx: Context) -> bool:
    name = ctx.pick_name(FUNCTIONS)
    if name is None:
        return False
    require(ctx, "counter")
    inner, names, cost = body(ctx, "    ", "k", name)
    lines = [f"def {name}(k):", "    global counter", "    counter += 1", *inner, "    return counter + k"]
    return _function(ctx, name, lines, names | {"counter"}, cost)


def global_rebind(ctx: Context) -> bool:
    """A function that rebinds a module-level alias through ``global``."""
    aliases = [a for a in ALIASES if a in ctx.bound]
    name = ctx.pick_name(FUNCTIONS)
    if not aliases or name is None:
        return False
    target = ctx.rng.choice(aliases)
    value = Entry("quiet", "quiet", frozenset({require(ctx, "quiet")})) if ctx.chance(0.5) else blocker(ctx)
    lines = [f"def {name}(k):", f"    global {target}", f"    {target} = {value.template}", "    return k"]
    return _function(ctx, name, lines, {target, *value.names}, 0)


def generator(ctx: Context) -> bool:
    name = ctx.pick_name(FUNCTIONS)
    if name is None:
        return False
    inner, names, cost = body(ctx, "        ", "k", name)
    lines = [f"def {name}(k):", "    for i in range(k % 3 + 1):", *inner, "        yield i + k"]
    consume = ctx.rng.choice(["sum({}({{}}))", "len(list({}({{}})))", "max({}({{}}))"]).format(name)
    _function(ctx, name, lines, names, cost * 3, consume)
    ctx.generators.add(name)
    return True


def recursive(ctx: Context) -> bool:
    name = ctx.pick_name(FUNCTIONS)
    if name is None:
        return False
    inner, names = block(ctx, "    ")
    lines = [f"def {name}(k):", "    if k <= 0:", "        return 0", *inner, f"    return {name}(k - 1) + 1"]
    return _function(ctx, name, lines, names | {name}, 3, f"{name}({{}} % 3)")


def lambda_binding(ctx: Context) -> bool:
    name = ctx.pick_name(LAMBDAS)
    if name is None:
        return False
    found = call(ctx, "v", name)
    if found is None:
        return False
    expr, names, cost = found
    return _function(ctx, name, [f"{name} = lambda v: {expr} + 1"], names, cost)


def klass(ctx: Context) -> bool:
    """A class whose method blocks, called through ``self.``; maybe a blocking ``__init__`` and a classmethod."""
    name = ctx.pick_name(CLASSES)
    if name is None:
        return False
    inner, names, cost = body(ctx, "        ", "k", name)
    lines = [f"class {name}:"]
    if ctx.on("dunder") and ctx.chance(0.4):
        ctx.use("blocking_init")
        init, used = block(ctx, "        ")
        lines += ["    def __init__(self):", *init, "        self.v = 1"]
        names |= used
    else:
        lines.append("    v = 2")
    lines += ["    def m(self, k):", *inner, "        return k + self.v", "    def run(self, k):"]
    if ctx.on("dynamic_lookup") and ctx.chance(0.3):
        ctx.use("getattr_in_method")
        lines.append('        return getattr(self, "m" * (k >= 0))(k) + 1')
    else:
        lines.append("        return self.m(k) + 1")
    make = ctx.on("classmethod") and ctx.chance(0.5)
    if make:
        ctx.use("classmethod")
        extra, used = block(ctx, "        ")
        lines += ["    @classmethod", "    def make(cls, k):", *extra, "        return cls().m(k)"]
        names |= used
    ctx.bind(name, names, cost + 1)
    ctx.classes[name] = make
    ctx.funcs.append(Entry(f"{name}().run({{}})", name, frozenset({name})))
    if ctx.on("dynamic_lookup") and ctx.chance(0.5):
        computed = ctx.chance(0.5)
        ctx.use("getattr_computed" if computed else "getattr_named")
        method = '"ru" + "n"' if computed else '"run"'
        ctx.funcs.append(Entry(f"getattr({name}(), {method})({{}})", name, frozenset({name})))
    if make:
        ctx.funcs.append(Entry(f"{name}.make({{}})", name, frozenset({name})))
    ctx.emit(lines)
    return instance(ctx, name)


def subclass(ctx: Context) -> bool:
    bases = sorted(ctx.classes)
    name = ctx.pick_name(SUBCLASSES)
    if not bases or name is None:
        return False
    base = ctx.rng.choice(bases)  # may be ``name`` itself: the new class derives from the old one
    has_make = ctx.classes[base]
    inner, names, cost = body(ctx, "        ", "k", name)
    n = ctx.next_marker()
    lines = [f"class {name}({base}):", "    def m(self, k):", f'        print("override", {n})', *inner]
    lines.append("        return super().m(k) + 1")
    ctx.bind(name, names | {base}, cost + ctx.cost.get(base, 1))
    ctx.classes[name] = has_make
    ctx.funcs.append(Entry(f"{name}().run({{}})", name, frozenset({name})))
    ctx.emit(lines)
    return instance(ctx, name)


def instance(ctx: Context, cls: str) -> bool:
    """``obj = Cls()``: a fresh name, or (with ``redefine``) one bound before, unless the class uses it (a loop)."""
    names = [n for n in INSTANCES if not ctx.reaches([cls], n) and (n not in ctx.bound or ctx.on("redefine"))]
    if not names:
        return True
    name = ctx.rng.choice(names)
    if name in ctx.bound:
        ctx.use("redefine")
    ctx.bind(name, {cls}, ctx.cost.get(cls, 1))
    for method in ("m", "run"):
        ctx.funcs.append(Entry(f"{name}.{method}({{}})", name, frozenset({name})))
    ctx.emit([f"{name} = {cls}()"])
    return True


def coroutine(ctx: Context) -> bool:
    """A user ``async def``: awaits ``asyncio.sleep``, may call sync functions and block (as on desktop)."""
    name = ctx.pick_name(COROUTINES)
    if name is None:
        return False
    asyncio = require(ctx, "asyncio")
    n = ctx.next_marker()
    lines = [f"async def {name}(k):", f'    print("start", {n})', "    await asyncio.sleep(0)"]
    names = {asyncio}
    cost = 1
    found = call(ctx, "k % 3", name) if ctx.chance(0.6) else None
    if found:
        expr, used, cost = found
        lines.append(f"    k = k + {expr}")
        names |= used
    if ctx.on("async_blocking") and ctx.chance(0.5):
        ctx.use("sleep_in_async_def")
        more, used = block(ctx, "    ")
        lines += more
        names |= used
    lines += [f'    print("end", {n})', f"    return k + {n}"]
    ctx.bind(name, names, cost)
    ctx.coros.append(Entry(f"{name}({{}})", name, frozenset({name})))
    ctx.emit(lines)
    return True
