"""Building blocks of generated code: prerequisites, blocking markers, call expressions, function bodies.

A blocking call is always wrapped in markers, ``print("before", n)`` /
``pause(0)`` / ``print("after", n)``, so a call that no longer runs, runs
twice or runs out of order shows in the output.
"""

from __future__ import annotations

from .context import COST_LIMIT, Context, Entry

#: Helpers other statements need, by name: (production, lines).
PREREQUISITES: dict[str, tuple[str, tuple[str, ...]]] = {
    "time": ("import_time", ("import time",)),
    "asyncio": ("import_asyncio", ("import asyncio",)),
    "functools": ("import_functools", ("import functools",)),
    "quiet": ("def_quiet", ("def quiet(seconds):", '    print("quiet", seconds)')),
    "flag": ("flag", ()),  # written by ``require`` (a random truth value)
    "counter": ("counter", ("counter = 0",)),
    "deco": (
        "def_deco",
        (
            "def deco(f):",
            "    def inner(k):",
            '        print("deco", f.__name__)',
            "        return f(k)",
            "    return inner",
        ),
    ),
    "logged": (
        "def_logged",
        (
            "def logged(f):",
            "    @functools.wraps(f)",
            "    def inner(k):",
            '        print("logged", f.__name__)',
            "        return f(k)",
            "    return inner",
        ),
    ),
}


def require(ctx: Context, name: str) -> str:
    """Make sure ``name`` is bound (writing its definition first if it is not); returns it."""
    if name in ctx.bound:
        return name
    if name == "logged":
        require(ctx, "functools")
    production, lines = PREREQUISITES[name]
    if name == "flag":
        lines = (f"flag = {ctx.rng.choice(['True', 'False'])}",)
    ctx.emit_prerequisite(production, lines)
    ctx.bind(name)
    if name == "time":
        ctx.blockers.append(Entry("time.sleep", "time", frozenset({"time"})))
    elif name == "quiet":
        ctx.blockers.append(Entry("quiet", "quiet", frozenset({"quiet"})))
    return name


def blocker(ctx: Context) -> Entry:
    """Something to call as ``expr(0)``: ``time.sleep`` in some spelling, or ``quiet``."""
    if not ctx.blockers:
        require(ctx, "time")
    return ctx.rng.choice(ctx.blockers)


def block(ctx: Context, indent: str) -> tuple[list[str], set[str]]:
    """A blocking call between two markers."""
    entry = blocker(ctx)
    n = ctx.next_marker()
    lines = [f'{indent}print("before", {n})', f"{indent}{entry.template}(0)", f'{indent}print("after", {n})']
    return lines, set(entry.names)


def call(ctx: Context, arg: str, exclude: str | None) -> tuple[str, set[str], int] | None:
    """An int-valued call of a pool entry (maybe wrapped in a comprehension, map, lambda...), its names, its cost."""
    entries = ctx.callable_entries(ctx.funcs, exclude)
    if not entries:
        return None
    entry = ctx.rng.choice(entries)
    names = set(entry.names)
    cost = ctx.entry_cost(entry)
    expr = entry.template.format(arg)
    wrappers = []
    simple = entry.simple_name()
    if ctx.on("callbacks") and simple:
        wrappers += ["map", "sorted"]
    if ctx.on("comprehension"):
        wrappers += ["listcomp", "genexp"]
    if ctx.on("cond_expr"):
        wrappers.append("cond")
    if ctx.on("lambda"):
        wrappers.append("lambda")
    if not wrappers or ctx.chance(0.5) or cost * 2 > COST_LIMIT:
        return expr, names, cost
    wrapper = ctx.rng.choice(wrappers)
    ctx.use(f"call_{wrapper}")
    if wrapper == "map":
        return f"sum(map({simple}, [{arg}, 1]))", names, cost * 2
    if wrapper == "sorted":
        return f"sorted([{arg}, 2], key={simple})[0]", names, cost * 2
    if wrapper == "listcomp":
        return f"sum([{entry.template.format('i')} for i in range({arg} % 3)])", names, cost * 2
    if wrapper == "genexp":
        return f"sum({entry.template.format('i')} for i in range({arg} % 3))", names, cost * 2
    if wrapper == "cond":
        require(ctx, "flag")
        return f"({expr} if flag else {arg})", names | {"flag"}, cost
    return f"(lambda v: {entry.template.format('v')})({arg})", names, cost


def body(ctx: Context, indent: str, param: str, exclude: str | None) -> tuple[list[str], set[str], int]:
    """One or two actions for a function body: a blocking call, a call of another function, an alias, input."""
    lines: list[str] = []
    names: set[str] = set()
    cost = 0
    for _ in range(ctx.rng.randint(1, 2)):
        roll = ctx.rng.random()
        if roll < 0.35:
            found = call(ctx, f"{param} % 3", exclude)
            if found:
                expr, used, extra = found
                lines.append(f"{indent}{param} = {param} + {expr}")
                names |= used
                cost += extra
                continue
        if roll < 0.45 and ctx.on("alias"):
            ctx.use("local_alias")
            entry = blocker(ctx)
            n = ctx.next_marker()
            lines += [f"{indent}p = {entry.template}", f'{indent}print("before", {n})', f"{indent}p(0)"]
            lines.append(f'{indent}print("after", {n})')
            names |= entry.names
        elif roll < 0.5 and ctx.on("input"):
            ctx.use("input_in_function")
            lines.append(f'{indent}print("got", input("> "))')
        elif roll < 0.58 and ctx.on("asyncio_run") and ctx.callable_entries(ctx.coros, exclude):
            ctx.use("asyncio_run_in_function")
            entry = ctx.rng.choice(ctx.callable_entries(ctx.coros, exclude))
            lines.append(f"{indent}{param} = {param} + asyncio.run({entry.template.format(param + ' % 3')})")
            names |= entry.names | {require(ctx, "asyncio")}
            cost += ctx.entry_cost(entry)
        else:
            more, used = block(ctx, indent)
            lines += more
            names |= used
            cost += 1
    return lines, names, max(cost, 1)
