"""The grammar: which productions exist, which feature switches each on, and how a notebook is drawn.

A notebook has 2–5 cells of 1–4 statements, drawn from the productions whose
feature is enabled (``base`` is always on). Every program terminates: loops
run over small ``range``s, recursion goes down to 0 and no definition can
reach itself except through that recursion.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from . import bindings, definitions, statements
from .context import Context
from .pieces import PREREQUISITES
from .program import Notebook

#: Switchable features (``--features``), each with what it covers.
FEATURES: dict[str, str] = {
    "import_alias": "import time as t",
    "from_import": "from time import sleep [as nap]",
    "star_import": "from time import * (also shadows the module time)",
    "alias": "pause = time.sleep, at top level and in functions",
    "rebind": "an alias rebound to a function that does not block, in the same cell",
    "cond_expr": "conditional expressions: aliases and calls",
    "branch_rebind": "an alias bound differently in if/else branches",
    "loop_rebind": "an alias bound by a loop target or in a loop body",
    "control": "top-level for loops and if/else around calls",
    "decorator": "decorators without functools.wraps",
    "wraps": "decorators with functools.wraps",
    "classes": "classes, instances, self.m() and obj.m() calls",
    "inheritance": "subclasses overriding a method and calling super()",
    "classmethod": "classmethods calling cls()",
    "dynamic_lookup": 'methods called through getattr(obj, "m") and getattr(obj, computed name)',
    "dunder": "a blocking __init__",
    "closure": "nested functions, nonlocal",
    "global": "global counters, and aliases rebound through global",
    "comprehension": "calls in list comprehensions and generator expressions",
    "generator": "generator functions, consumed by sum/list/max and for loops",
    "lambda": "lambdas bound to names and called inline",
    "callbacks": "functions passed to map and sorted(key=)",
    "walrus": "assignment expressions",
    "recursion": "recursive functions",
    "del": "del of names",
    "redefine": "names defined again (the latest definition wins)",
    "input": "input() at top level and in functions",
    "user_async": "user async def awaiting asyncio.sleep and calling sync functions",
    "async_blocking": "a blocking call directly inside a user async def",
    "asyncio_run": "asyncio.run at top level and inside functions",
    "gather": "asyncio.gather",
    "create_task": "asyncio.create_task, awaited",
    "leftover_task": "a task still pending when asyncio.run returns",
    "module_init": "a module-level function named __init__",
}

#: Features that only produce something together with others (``--by-feature`` turns those on too).
NEEDS: dict[str, frozenset[str]] = {
    "inheritance": frozenset({"classes"}),
    "classmethod": frozenset({"classes"}),
    "dynamic_lookup": frozenset({"classes"}),
    "dunder": frozenset({"classes"}),
    "async_blocking": frozenset({"user_async", "gather"}),  # blocking shows only next to another task
    "asyncio_run": frozenset({"user_async"}),
    "gather": frozenset({"user_async"}),
    "create_task": frozenset({"user_async"}),
    "leftover_task": frozenset({"user_async"}),
    "rebind": frozenset({"alias"}),
    "global": frozenset({"alias"}),
}

#: Lines ``input()`` reads in every generated notebook.
ANSWERS = ("ada", "bob", "cy", "dee", "eve", "flo", "gus", "hal")


@dataclass(frozen=True)
class Production:
    name: str
    feature: str
    weight: float
    make: Callable[[Context], bool]


PRODUCTIONS: tuple[Production, ...] = (
    Production("import_time", "base", 0.3, bindings.import_time),
    Production("import_alias", "import_alias", 1, bindings.import_alias),
    Production("from_import", "from_import", 1, bindings.from_import),
    Production("star_import", "star_import", 0.5, bindings.star_import),
    Production("alias", "alias", 1.5, bindings.alias),
    Production("rebind", "rebind", 1, bindings.rebind),
    Production("cond_alias", "cond_expr", 1, bindings.cond_alias),
    Production("branch_alias", "branch_rebind", 1, bindings.branch_alias),
    Production("loop_alias", "loop_rebind", 1, bindings.loop_alias),
    Production("del", "del", 0.5, bindings.delete),
    Production("def", "base", 4, definitions.plain),
    Production("def_decorated", "decorator", 1, lambda ctx: definitions.decorated(ctx, wraps=False)),
    Production("def_wraps", "wraps", 1, lambda ctx: definitions.decorated(ctx, wraps=True)),
    Production("def_closure", "closure", 1, definitions.closure),
    Production("def_global", "global", 0.7, definitions.global_counter),
    Production("def_global_rebind", "global", 0.7, definitions.global_rebind),
    Production("def_generator", "generator", 1, definitions.generator),
    Production("def_recursive", "recursion", 0.7, definitions.recursive),
    Production("lambda", "lambda", 1, definitions.lambda_binding),
    Production("class", "classes", 2, definitions.klass),
    Production("subclass", "inheritance", 2.5, definitions.subclass),
    Production("def_module_init", "module_init", 0.5, definitions.module_init),
    Production("async_def", "user_async", 3, definitions.coroutine),
    Production("top_block", "base", 1.5, statements.top_block),
    Production("print_call", "base", 4, statements.print_call),
    Production("assign_call", "base", 2, statements.assign_call),
    Production("loop_call", "control", 1, statements.loop_call),
    Production("branch_call", "control", 1, statements.branch_call),
    Production("walrus_call", "walrus", 0.7, statements.walrus_call),
    Production("generator_loop", "generator", 1.5, statements.generator_loop),
    Production("input", "input", 0.7, statements.input_call),
    Production("asyncio_run", "asyncio_run", 2.5, statements.run_coroutine),
    Production("gather", "gather", 2, statements.gather),
    Production("create_task", "create_task", 2, statements.create_task),
    Production("leftover_task", "leftover_task", 2, statements.leftover_task),
)

#: Sub-productions recorded while writing a statement, by the feature that enables them.
SUB_PRODUCTIONS: dict[str, str] = {
    "call_map": "callbacks",
    "call_sorted": "callbacks",
    "call_listcomp": "comprehension",
    "call_genexp": "comprehension",
    "call_cond": "cond_expr",
    "call_lambda": "lambda",
    "local_alias": "alias",
    "input_in_function": "input",
    "asyncio_run_in_function": "asyncio_run",
    "nonlocal": "closure",
    "blocking_init": "dunder",
    "classmethod": "classmethod",
    "getattr_named": "dynamic_lookup",
    "getattr_computed": "dynamic_lookup",
    "getattr_in_method": "dynamic_lookup",
    "sleep_in_async_def": "async_blocking",
    "redefine": "redefine",
}

#: Helpers written when a production needs them (``pieces.PREREQUISITES``), feature ``helper``.
HELPERS: tuple[str, ...] = tuple(
    production for production, _ in PREREQUISITES.values() if all(p.name != production for p in PRODUCTIONS)
)

#: Every production name (statement level, sub-productions, helpers), for the coverage table.
ALL_PRODUCTIONS: tuple[str, ...] = tuple(p.name for p in PRODUCTIONS) + tuple(SUB_PRODUCTIONS) + HELPERS


def feature_of(production: str) -> str:
    """The feature that switches ``production`` on (``base``: always on; ``helper``: written when needed)."""
    for p in PRODUCTIONS:
        if p.name == production:
            return p.feature
    return "helper" if production in HELPERS else SUB_PRODUCTIONS.get(production, "base")


def generate(seed: int, features: frozenset[str]) -> Notebook:
    """The notebook for ``seed`` with ``features`` enabled (the same inputs always give the same notebook)."""
    rng = random.Random(seed)
    ctx = Context(rng, features)
    enabled = [p for p in PRODUCTIONS if p.feature == "base" or p.feature in features]
    weights = [p.weight for p in enabled]
    ctx.use("import_time")
    bindings.import_time(ctx)
    cells = rng.randint(2, 5)
    for index in range(cells):
        if index:
            ctx.new_cell()
        for _ in range(rng.randint(1, 4)):
            for _attempt in range(5):
                ctx.tags = set()
                production = rng.choices(enabled, weights)[0]
                ctx.use(production.name)
                if production.make(ctx):
                    break
    ctx.tags = set()
    return ctx.notebook(ANSWERS)
