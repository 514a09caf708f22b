"""Build each analysis stage's inputs the way ``Session._transform`` does, for stage-level tests.

``analyse`` runs relevance, collect and evaluate on one dedented cell (with a
fresh session's memory unless given ``initial``); ``plan_of`` and
``rewriter_of`` add the later stages. Tests then call the stage under test
directly on what these return.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass

from sync_kernel.codemod.collect import Collected, Collector
from sync_kernel.codemod.evaluate import Evaluator, Initial
from sync_kernel.codemod.memory import Memory
from sync_kernel.codemod.plan import Plan, Planner
from sync_kernel.codemod.relevance import identifiers, relevant_statements
from sync_kernel.codemod.rewrite import Rewriter
from sync_kernel.codemod.scopes import symbol_table
from sync_kernel.codemod.source import SourceText
from sync_kernel.codemod.values import BUILTIN_TARGETS

INPUT_HOOK = "__input__"


@dataclass
class Analysis:
    """One cell taken through relevance, collect and evaluate."""

    text: SourceText
    tree: ast.Module
    statements: list[tuple[int, ast.stmt]]
    collected: Collected
    evaluator: Evaluator
    seeds: set[str]


def cell(source: str) -> tuple[ast.Module, SourceText]:
    """The tree and text of a dedented cell."""
    text = textwrap.dedent(source).strip("\n") + "\n"
    return ast.parse(text), SourceText(text)


def analyse(source: str, initial: Initial | None = None, *, every_statement: bool = False) -> Analysis:
    """Collect and evaluate a cell; ``every_statement`` skips the relevance filter."""
    tree, text = cell(source)
    remembered, seeds = Memory().initial(None, identifiers(text.text))
    statements = list(enumerate(tree.body)) if every_statement else relevant_statements(tree, text, seeds).chosen
    collected = Collector(tree, symbol_table(text, tree, statements)).collect(statements)
    evaluator = Evaluator(collected, initial or remembered)
    evaluator.run(statements)
    return Analysis(text, tree, statements, collected, evaluator, seeds)


def plan_of(analysis: Analysis, input_hook: str | None = INPUT_HOOK) -> Plan:
    """The plan for an analysed cell (no earlier cells, no live namespace)."""
    names = analysis.seeds | set(BUILTIN_TARGETS)
    return Planner(analysis.collected, analysis.evaluator, input_hook, {}, names).plan()


def rewriter_of(analysis: Analysis, plan: Plan, input_hook: str | None = INPUT_HOOK) -> Rewriter:
    """A rewriter with its edits and notes built."""
    rewriter = Rewriter(analysis.text, plan, input_hook)
    rewriter.build()
    return rewriter
