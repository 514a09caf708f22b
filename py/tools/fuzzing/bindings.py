"""Productions that bind names to ``time.sleep`` (or to something that does not block): imports and aliases."""

from __future__ import annotations

from .context import Context, Entry
from .pieces import blocker, require

ALIASES = ("pause", "wait", "snooze")


def import_time(ctx: Context) -> bool:
    ctx.bind("time")
    ctx.blockers.append(Entry("time.sleep", "time", frozenset({"time"})))
    ctx.emit(["import time"])
    return True


def import_alias(ctx: Context) -> bool:
    ctx.bind("t")
    ctx.blockers.append(Entry("t.sleep", "t", frozenset({"t"})))
    ctx.emit(["import time as t"])
    return True


def from_import(ctx: Context) -> bool:
    name = ctx.rng.choice(["nap", "sleep"])
    ctx.bind(name)
    ctx.blockers.append(Entry(name, name, frozenset({name})))
    ctx.emit(["from time import sleep" + (" as nap" if name == "nap" else "")])
    return True


def star_import(ctx: Context) -> bool:
    """``from time import *`` binds ``sleep``, and ``time`` to the function ``time.time``."""
    ctx.bind("sleep")
    ctx.forget("time")
    ctx.blockers.append(Entry("sleep", "sleep", frozenset({"sleep"})))
    ctx.emit(["from time import *"])
    if ctx.chance(0.7):
        import_time(ctx)
    return True


def _target(ctx: Context) -> str:
    return ctx.rng.choice(ALIASES)


def _bind_alias(ctx: Context, name: str, lines: list[str], *values: Entry) -> bool:
    names = frozenset().union(*(v.names for v in values))
    ctx.bind(name, names)
    ctx.blockers.append(Entry(name, name, frozenset({name})))
    ctx.emit(lines)
    return True


def alias(ctx: Context) -> bool:
    value = blocker(ctx)
    name = _target(ctx)
    return _bind_alias(ctx, name, [f"{name} = {value.template}"], value)


def rebind(ctx: Context) -> bool:
    """An alias of ``time.sleep`` bound again, to ``quiet``, in the same statement list."""
    require(ctx, "quiet")
    value = blocker(ctx)
    name = _target(ctx)
    return _bind_alias(ctx, name, [f"{name} = {value.template}", f"{name} = quiet"], value)


def cond_alias(ctx: Context) -> bool:
    require(ctx, "quiet")
    require(ctx, "flag")
    value = blocker(ctx)
    name = _target(ctx)
    first, second = (value.template, "quiet") if ctx.chance(0.5) else ("quiet", value.template)
    return _bind_alias(ctx, name, [f"{name} = {first} if flag else {second}"], value)


def branch_alias(ctx: Context) -> bool:
    require(ctx, "quiet")
    require(ctx, "flag")
    one, two = blocker(ctx), blocker(ctx)
    name = _target(ctx)
    lines = ["if flag:", f"    {name} = {one.template}", "else:", f"    {name} = {two.template}"]
    return _bind_alias(ctx, name, lines, one, two)


def loop_alias(ctx: Context) -> bool:
    """A loop target bound to each of two callables in turn (and called), or a rebinding in a loop body."""
    require(ctx, "quiet")
    one, two = blocker(ctx), blocker(ctx)
    name = _target(ctx)
    n = ctx.next_marker()
    if ctx.chance(0.5):
        lines = [f"for {name} in ({one.template}, {two.template}):", f'    print("before", {n})', f"    {name}(0)"]
        lines.append(f'    print("after", {n})')
    else:
        lines = ["for i in range(2):", f"    {name} = {one.template} if i else {two.template}"]
    return _bind_alias(ctx, name, lines, one, two)


def delete(ctx: Context) -> bool:
    """``del`` of a name nothing else uses."""
    names = sorted(n for n in ctx.bound if not ctx.dependents(n) and n not in ("time", "asyncio", "functools"))
    if not names:
        return False
    name = ctx.rng.choice(names)
    ctx.forget(name)
    ctx.emit([f"del {name}"])
    return True
