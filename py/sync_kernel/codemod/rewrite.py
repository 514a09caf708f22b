"""Turn a :class:`~sync_kernel.plan.Plan` into text edits and notes.

Every edit is small and placed at AST positions: ``await `` before a call,
``async `` before a ``def``, a replaced callee (``time.sleep`` →
``__sync__.sleep``). Newlines are never added or removed, so every line
keeps its number. Each edit gets one note.

For every function made ``async`` the rewriter also writes the source of its
*blocking twin*: the original ``def`` with the same loop fixes and with calls
to other ``async`` functions routed to their twins. A later cell that hands
the function to code that cannot await it gets the twin instead.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass

from .collect import CallSite
from .notes import Note, NoteKind
from .plan import Blocking, Neutral, Plan
from .records import FunctionRef
from .rules import CALL_RULES
from .source import Edit, SourceText, apply_edits
from .waits import KNOWN_MODULES, REPLACEMENT_PACKAGE, RUN_UI_POLL_LOOP, WITH_UI_EVENTS

#: The name the session gives the ``asyncio`` module in the user namespace.
ASYNCIO_NAME = "__asyncio__"
#: The name the session gives its runtime support object in the user namespace.
SUPPORT_NAME = "__sync__"

#: Longest snippet shown in a note's ``before``/``after``.
MAX_SNIPPET = 80

_MESSAGES: dict[str, str] = {
    **{rule.kind: rule.note for rule in CALL_RULES.values()},
    "asyncio.new_event_loop": "uses the kernel's running event loop",
    "asyncio.Runner": "uses the kernel's running event loop",
    "loop.close": "the kernel's event loop stays open",
    "asyncio.set_event_loop": "the kernel keeps its event loop",
    "wait": "waits as a task, so threads keep running",
    "iterate": "waits for each future as a task, so threads keep running",
    "Executor.map": "waits for each result as a task, so threads keep running",
    "with": "waits as a task, so threads keep running",
    "asyncio.to_thread": "runs the function as a thread of the kernel's event loop",
    "loop.run_in_executor": "runs the function as a thread of the kernel's event loop",
    "import": "threads run as tasks on the kernel's event loop",
    # jupyter_ui_poll's waits: what they wait for is the page.
    "UiEvents.__call__": "lets widget events in while the cell runs",
    RUN_UI_POLL_LOOP: "lets widget events in while the cell runs",
    WITH_UI_EVENTS: "lets widget events in before each item",
}

#: Modules whose imports come from :mod:`sync_kernel.threads` (``import concurrent.futures`` binds ``concurrent``).
_IMPORTED_AS = {name: f"{REPLACEMENT_PACKAGE}.{name}" for name in KNOWN_MODULES}


@dataclass
class _Group:
    """The edits of one logical change, with its note."""

    node: ast.AST
    kind: NoteKind
    message: str
    edits: list[Edit]
    #: Text shown as ``before`` when it is not the node's own source (``for x in gen()``).
    before: str | None = None


class Rewriter:
    def __init__(self, source: SourceText, plan: Plan, input_hook: str | None) -> None:
        self.src = source
        self.plan = plan
        self.input_hook = input_hook
        self.groups: list[_Group] = []
        self._twin_edits: _EditIndex | None = None

    # ---- edit builders -----------------------------------------------------------------

    def _await(self, call: ast.expr, wrap: bool, prefix: str = "await ", suffix: str = "") -> list[Edit]:
        start, end = self.src.start(call), self.src.end(call)
        span = end - start
        if wrap:
            return [Edit(start, start, "(" + prefix, -span), Edit(end, end, suffix + ")", span)]
        edits = [Edit(start, start, prefix, -span)]
        if suffix:
            edits.append(Edit(end, end, suffix, span))
        return edits

    def _replace(self, node: ast.AST, new: str) -> Edit:
        return Edit(self.src.start(node), self.src.end(node), new)

    def _wrap_blocking(self, node: ast.expr) -> list[Edit]:
        start, end = self.src.start(node), self.src.end(node)
        span = end - start
        return [Edit(start, start, f"{SUPPORT_NAME}.blocking(", -span), Edit(end, end, ")", span)]

    def _blocking_edits(self, item: Blocking) -> list[Edit]:
        if item.kind == "with":
            return self._with_edits(item)
        site = item.site
        assert isinstance(site, CallSite)
        call = site.node
        if item.rebindable:
            return self._handed_over(site, "call")
        rule = CALL_RULES.get(item.target)
        if rule is not None:  # asyncio.run keeps its arguments and what it does at the end
            callee = rule.callee_text(support=SUPPORT_NAME, input_hook=self.input_hook)
            return [*self._await(call, site.wrap), self._replace(call.func, callee)]
        if item.kind == "wait":
            return self._handed_over(site, "wait")
        if item.kind == "iterate":
            start = self._for_keyword(site)
            return [Edit(start, start, "async ")]
        assert item.main is not None
        return self._run_edits(site, item.main)

    def _handed_over(self, site: CallSite, how: str) -> list[Edit]:
        """``t.join(5)`` → ``await __sync__.wait(t.join, 5)``: the callee is handed over, not called.

        ``how`` is ``wait`` (a thread primitive's wait) or ``call`` (a blocking
        function reached through a name a later cell may rebind).
        """
        call = site.node
        paren = self._arguments_paren(call)
        has_arguments = bool(call.args or call.keywords)
        return [
            *self._await(call, site.wrap, f"await {SUPPORT_NAME}.{how}("),
            Edit(paren, paren + 1, ", " if has_arguments else ""),
        ]

    def _arguments_paren(self, call: ast.Call) -> int:
        """Where the "(" of a call's arguments is: after the callee, and any ")" closing parentheses around it."""
        text = self.src.text
        index = self.src.end(call.func)
        while text[index] != "(":
            # Whitespace, line continuations, a comment, or the ")" of `(callee)`.
            index = text.index("\n", index) if text[index] == "#" else index + 1
        return index

    def _with_edits(self, item: Blocking) -> list[Edit]:
        """``with lock:`` → ``async with lock:``; a subject only named like a lock goes through ``entering``."""
        node = item.site.node
        assert isinstance(node, ast.With)
        start = self.src.start(node)
        edits = [Edit(start, start, "async ")]
        if item.guessed:
            for with_item in node.items:
                edits.extend(self._await(with_item.context_expr, False, f"{SUPPORT_NAME}.entering(", ")"))
        return edits

    def _import_edits(self, node: ast.Import | ast.ImportFrom) -> list[Edit]:
        """``import threading`` → ``import sync_kernel.threads.threading as threading``, and the like."""
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module not in _IMPORTED_AS:
                return []
            segment = self.src.segment(node)
            found = re.match(r"from\s+(" + r"\s*\.\s*".join(map(re.escape, module.split("."))) + r")\b", segment)
            if found is None:
                return []
            start = self.src.start(node) + found.start(1)
            return [Edit(start, start + len(found.group(1)), _IMPORTED_AS[module])]
        edits = []
        for alias in node.names:
            if alias.name not in _IMPORTED_AS:
                continue
            if alias.asname:
                new = f"{_IMPORTED_AS[alias.name]} as {alias.asname}"
            else:
                top = alias.name.split(".")[0]
                new = f"{_IMPORTED_AS[top]} as {top}"
            edits.append(self._replace(alias, new))
        return edits

    def _run_edits(self, site: CallSite, main: ast.expr) -> list[Edit]:
        """``asyncio.run(main(), debug=True)`` → ``await main()``, keeping the layout and line breaks."""
        call = site.node
        start, end = self.src.start(call), self.src.end(call)
        func_end = self.src.end(call.func)
        main_start, main_end = self.src.start(main), self.src.end(main)
        one_line = call.lineno == call.end_lineno
        primary = isinstance(main, (ast.Call, ast.Name, ast.Attribute, ast.Subscript))
        if one_line and primary and not site.wrap:
            return [Edit(start, main_start, "await "), Edit(main_end, end, "")]
        # Keep "(" and what follows it; drop the other arguments but not their line breaks.
        rest = self.src.text[main_end : end - 1]
        last_line = rest.rsplit("\n", 1)[-1]
        kept = "\n" * rest.count("\n") + (last_line if "\n" in rest and last_line.isspace() else "")
        edits = [Edit(start, func_end, "(await " if site.wrap else "await "), Edit(main_end, end - 1, kept)]
        if site.wrap:
            edits.append(Edit(end, end, ")"))
        return edits

    def _neutral_edits(self, item: Neutral) -> list[Edit]:
        func = item.site.node.func
        if item.kind == "get_event_loop":
            return [self._replace(func, f"{ASYNCIO_NAME}.get_event_loop")]
        return [self._replace(func, f"{SUPPORT_NAME}.{item.kind}")]

    # ---- the plan --------------------------------------------------------------------------

    def build(self) -> None:
        plan = self.plan
        for ref in plan.converted:
            assert ref.node is not None
            start = self.src.start(ref.node)
            caller = plan.awaited_earlier.get(ref)
            message = (
                f"`{ref.name}` now waits without blocking, so it is async"
                if caller is None
                else f"`{ref.name}` is async because `{caller}`, which an earlier cell defined, awaits it"
            )
            self.groups.append(_Group(ref.node, "async-def", message, [Edit(start, start, "async ")]))
        for item in plan.rewrites:
            message = _MESSAGES.get(item.target, _MESSAGES[item.kind])
            before = None
            if item.kind == "iterate":
                assert isinstance(item.site, CallSite)
                start = self._for_keyword(item.site)
                before = self.src.text[start : self.src.end(item.site.node)]
            elif item.kind == "with":
                statement = item.site.node
                assert isinstance(statement, ast.With)
                before = self.src.text[self.src.start(statement) : self.src.end(statement.items[-1].context_expr)]
            group = _Group(item.site.node, "rewrite", message, self._blocking_edits(item), before=before)
            self.groups.append(group)
        for imported in plan.imports:
            edits = self._import_edits(imported)
            if edits:
                self.groups.append(_Group(imported, "rewrite", _MESSAGES["import"], edits))
        for neutral in plan.neutral:
            self.groups.append(
                _Group(neutral.site.node, "rewrite", _MESSAGES[neutral.target], self._neutral_edits(neutral))
            )
        for site in plan.awaits:
            name = _callee_name(site.node)
            self.groups.append(
                _Group(
                    site.node,
                    "await-call",
                    f"`{name}` is async now, so the call is awaited",
                    self._await(site.node, site.wrap),
                )
            )
        for site in plan.async_fors:
            name = _callee_name(site.node)
            start = self._for_keyword(site)
            header = self.src.text[start : self.src.end(site.node)]
            self.groups.append(
                _Group(
                    site.node,
                    "await-call",
                    f"`{name}` is an async generator now, so the loop is `async for`",
                    [Edit(start, start, "async ")],
                    before=header,
                )
            )
        for site in plan.settles:
            name = _callee_name(site.node)
            self.groups.append(
                _Group(
                    site.node,
                    "await-call",
                    f"awaited if `{name}` turns out to be async",
                    self._await(site.node, site.wrap, f"await {SUPPORT_NAME}.settle(", ")"),
                )
            )
        for node in plan.twin_decorators:
            self.groups.append(
                _Group(
                    node,
                    "kept-blocking",
                    f"`{_snippet(ast.unparse(node))}` gives an async wrapper; around an `async def` its blocking version runs",
                    self._await(node, False, f"{SUPPORT_NAME}.twin_decorator(", ")"),
                )
            )
        for node in plan.twins:
            self.groups.append(
                _Group(
                    node,
                    "kept-blocking",
                    f"`{_snippet(ast.unparse(node))}` is async but cannot be awaited here, so its blocking version runs",
                    self._wrap_blocking(node),
                )
            )

    def _for_keyword(self, site: CallSite) -> int:
        """Offset of the ``for`` keyword of the loop or comprehension clause over ``site``."""
        loop = site.loop
        if isinstance(loop, ast.For):
            return self.src.start(loop)
        assert isinstance(loop, ast.comprehension) and site.comprehension is not None
        # A comprehension clause has no position: its `for` is the last keyword before its target.
        owner = site.comprehension
        search_from = self.src.start(owner)
        for generator in owner.generators:  # type: ignore[attr-defined]
            if generator is loop:
                break
            search_from = self.src.end(generator.ifs[-1] if generator.ifs else generator.iter)
        else:
            raise AssertionError("the clause belongs to its comprehension")
        if search_from == self.src.start(owner):
            element = owner.value if isinstance(owner, ast.DictComp) else owner.elt  # type: ignore[attr-defined]
            search_from = self.src.end(element)
        return self.src.last_keyword(search_from, self.src.start(loop.target), "for")

    def edits(self) -> list[Edit]:
        return [edit for group in self.groups for edit in group.edits]

    def notes(self) -> list[Note]:
        """One note per change, plus the refusals, in source order."""
        notes: list[Note] = []
        index = _EditIndex(self.edits())
        for group in self.groups:
            if group.kind == "async-def":
                assert isinstance(group.node, (ast.FunctionDef, ast.AsyncFunctionDef))
                before = f"def {group.node.name}"
                after = f"async def {group.node.name}"
            elif group.before is not None:
                start = self.src.start(group.node) if not isinstance(group.node, ast.Call) else None
                before = group.before
                if start is not None:  # a `with` header: its own edits, on its own text
                    after = apply_edits(before, index.within(start, start + len(before)))
                else:
                    after = "async " + group.before
            else:
                before = self.src.segment(group.node)
                start, end = self.src.start(group.node), self.src.end(group.node)
                after = apply_edits(before, index.within(start, end))
            notes.append(self._note(group.node, group.kind, group.message, before, after))
        for kept in self.plan.kept:
            notes.append(self._note(kept.node, "kept-blocking", kept.message, self.src.segment(kept.node), ""))
        notes.sort(key=lambda note: (note.line, note.col))
        return notes

    def _note(self, node: ast.AST, kind: NoteKind, message: str, before: str, after: str) -> Note:
        line = getattr(node, "lineno", 1)
        col = self.src.start(node) - self.src.offset(line, 0)
        return Note(line=line, col=col, kind=kind, message=message, before=_snippet(before), after=_snippet(after))

    # ---- blocking twins ----------------------------------------------------------------------

    def twin_source(self, ref: FunctionRef) -> str:
        """The original ``def`` of ``ref``, with loop fixes and calls to async functions made blocking."""
        assert ref.node is not None
        if self._twin_edits is None:
            edits: list[Edit] = []
            for neutral in self.plan.neutral:
                edits.extend(self._neutral_edits(neutral))
            for site in [*self.plan.awaits, *self.plan.settles, *self.plan.async_fors]:
                edits.extend(self._wrap_blocking(site.node.func))
            for twin in self.plan.twins:
                edits.extend(self._wrap_blocking(twin))
            self._twin_edits = _EditIndex(edits)
        start = self.src.offset(ref.node.lineno, 0)
        end = self.src.end(ref.node)
        return apply_edits(self.src.text[start:end], self._twin_edits.within(start, end))


class _EditIndex:
    """Edits sorted by start, to find those inside a span without scanning them all."""

    def __init__(self, edits: list[Edit]) -> None:
        self.edits = sorted(edits, key=lambda e: (e.start, e.end))
        self.starts = [e.start for e in self.edits]

    def within(self, start: int, end: int) -> list[Edit]:
        """The edits inside ``[start, end]``, shifted to count from ``start``."""
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_right(self.starts, end)
        return [Edit(e.start - start, e.end - start, e.new, e.order) for e in self.edits[first:last] if e.end <= end]


def _callee_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return _snippet(ast.unparse(func))


def _snippet(text: str) -> str:
    """One line, at most :data:`MAX_SNIPPET` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_SNIPPET else flat[: MAX_SNIPPET - 1] + "…"
