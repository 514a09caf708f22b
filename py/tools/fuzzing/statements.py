"""Productions that run things at the top level of a cell: calls in various contexts, input, asyncio."""

from __future__ import annotations

from .context import Context
from .pieces import block, call, require

VARIABLES = ("x", "y", "total")


def _call(ctx: Context, arg: str) -> str | None:
    found = call(ctx, arg, None)
    return found[0] if found else None


def top_block(ctx: Context) -> bool:
    lines, _ = block(ctx, "")
    ctx.emit(lines)
    return True


def print_call(ctx: Context) -> bool:
    expr = _call(ctx, str(ctx.rng.randint(0, 2)))
    if expr is None:
        return False
    ctx.emit([f'print("result", {expr})'] if ctx.chance(0.7) else [f'print(f"result {{{expr}}}")'])
    return True


def assign_call(ctx: Context) -> bool:
    expr = _call(ctx, str(ctx.rng.randint(0, 2)))
    if expr is None:
        return False
    name = ctx.rng.choice(VARIABLES)
    ctx.bind(name)
    ctx.emit([f"{name} = {expr}"])
    return True


def loop_call(ctx: Context) -> bool:
    expr = _call(ctx, "i")
    if expr is None:
        return False
    ctx.emit(["for i in range(2):", f'    print("loop", {expr})'])
    return True


def branch_call(ctx: Context) -> bool:
    one, two = _call(ctx, "1"), _call(ctx, "2")
    if one is None or two is None:
        return False
    require(ctx, "flag")
    ctx.emit(["if flag:", f'    print("then", {one})', "else:", f'    print("else", {two})'])
    return True


def walrus_call(ctx: Context) -> bool:
    expr = _call(ctx, "1")
    if expr is None:
        return False
    ctx.emit([f"if (v := {expr}) > 0:", '    print("walrus", v)'])
    return True


def generator_loop(ctx: Context) -> bool:
    if not ctx.generators:
        return False
    name = ctx.rng.choice(sorted(ctx.generators))
    ctx.emit([f"for item in {name}(1):", '    print("item", item)'])
    return True


def input_call(ctx: Context) -> bool:
    ctx.bind("answer")
    ctx.emit(['answer = input("name? ")', 'print("hello", answer)'])
    return True


def _coroutine(ctx: Context) -> str | None:
    entries = ctx.callable_entries(ctx.coros, None)
    return ctx.rng.choice(entries).template if entries else None


def run_coroutine(ctx: Context) -> bool:
    template = _coroutine(ctx)
    if template is None:
        return False
    require(ctx, "asyncio")
    ctx.emit([f'print("ran", asyncio.run({template.format(ctx.rng.randint(0, 2))}))'])
    return True


def _main(ctx: Context, lines: list[str]) -> None:
    """``async def main()`` with ``lines`` as its body, then ``asyncio.run(main())`` as a separate statement."""
    ctx.bind("main")
    ctx.emit(["async def main():", *lines])
    ctx.emit(["asyncio.run(main())"])


def gather(ctx: Context) -> bool:
    one, two = _coroutine(ctx), _coroutine(ctx)
    if one is None or two is None:
        return False
    require(ctx, "asyncio")
    _main(
        ctx, [f"    results = await asyncio.gather({one.format(1)}, {two.format(2)})", '    print("gathered", results)']
    )
    return True


def create_task(ctx: Context) -> bool:
    template = _coroutine(ctx)
    if template is None:
        return False
    require(ctx, "asyncio")
    lines = [f"    task = asyncio.create_task({template.format(1)})", '    print("spawned")']
    lines += ["    await asyncio.sleep(0)", '    print("joined", await task)']
    _main(ctx, lines)
    return True


def leftover_task(ctx: Context) -> bool:
    """A task still pending when ``asyncio.run`` returns (which cancels it)."""
    template = _coroutine(ctx)
    if template is None:
        return False
    require(ctx, "asyncio")
    lines = [f"    asyncio.create_task({template.format(1)})", '    print("spawned")']
    if ctx.chance(0.5):
        lines.append("    await asyncio.sleep(0)")
    _main(ctx, lines)
    return True
