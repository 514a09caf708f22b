"""The rules for the catalogue's blocking calls: one row per call, read by every stage.

Each :class:`CallRule` says, for one blocking function of the standard library,

* how a call of it is recognised: its qualified name (which :mod:`.values`
  resolves from ``time.sleep``, ``from time import sleep as nap``, ...) and its
  parameters, since only a call whose arguments bind as they would on desktop
  is rewritten (``time.sleep(1, 2)`` keeps raising the desktop's ``TypeError``);
* what it becomes: the awaited callee that replaces it, in the rewrite and in
  the run-time stand-in ``__sync__.call`` (for a call through a name a later
  cell may rebind), so the two can never disagree;
* its note, and what happens to it inside the user's own ``async def``.

Example::

    >>> import ast
    >>> rule = CALL_RULES["time.sleep"]
    >>> rule.callee_text(support="__sync__", input_hook=None)
    '__sync__.sleep'
    >>> rule.accepts_call(ast.parse("time.sleep(1)").body[0].value)
    True
    >>> rule.accepts_call(ast.parse("time.sleep(secs=1)").body[0].value)
    False
"""

from __future__ import annotations

import ast
import builtins
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .values import ASYNCIO_RUN, GETPASS, INPUT, TIME_SLEEP

CallKind = Literal["sleep", "run", "input", "getpass"]
#: What a rewritten call awaits, by the name of the object it is found on:
#: ``support`` (``__sync__``) or ``input_hook`` (the kernel's prompt).
Root = Literal["support", "input_hook"]


@dataclass(frozen=True)
class Parameters:
    """A function's parameters, enough to tell whether a call's arguments bind to them."""

    positional_only: tuple[str, ...] = ()
    positional_or_keyword: tuple[str, ...] = ()
    keyword_only: tuple[str, ...] = ()
    #: How many of the positional parameters (in order) have no default.
    required: int = 0

    def bind(self, positional: int, keywords: list[str]) -> bool:
        """Whether ``positional`` arguments and these keyword names bind without a ``TypeError``."""
        positional_names = self.positional_only + self.positional_or_keyword
        if positional > len(positional_names) or len(set(keywords)) != len(keywords):
            return False
        taken = set(positional_names[:positional])
        allowed = set(self.positional_or_keyword) | set(self.keyword_only)
        if any(name in taken or name not in allowed for name in keywords):
            return False
        bound = taken | set(keywords)
        return all(name in bound for name in positional_names[: self.required])


@dataclass(frozen=True)
class CallRule:
    """One blocking call of the catalogue and everything the codemod does with it."""

    #: Qualified name, as :mod:`.values` resolves it.
    target: str
    kind: CallKind
    parameters: Parameters
    #: The awaited callee: an attribute of one of the roots (``None``: the root itself).
    root: Root
    attribute: str | None
    #: The note's message.
    note: str
    #: It asks the page (only rewritten when the kernel has an input hook).
    asks_the_page: bool = False
    #: Awaited in the user's own ``async def`` too (a prompt waits for the user either way,
    #: and a blocking one cannot be answered without JSPI); otherwise left as on desktop.
    awaited_in_async_def: bool = False

    def accepts_call(self, node: ast.Call) -> bool:
        """Whether this call's arguments bind as on desktop (unpacked ``*a``/``**k`` cannot be told)."""
        if any(isinstance(argument, ast.Starred) for argument in node.args):
            return False
        keywords = [keyword.arg for keyword in node.keywords]
        if None in keywords:
            return False
        return self.parameters.bind(len(node.args), [name for name in keywords if name is not None])

    def accepts_arguments(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> bool:
        """The same question at run time, for ``__sync__.call``."""
        return self.parameters.bind(len(args), list(kwargs))

    def callee_text(self, *, support: str, input_hook: str | None) -> str:
        """The replacement callee as written in the rewritten cell."""
        root = {"support": support, "input_hook": input_hook}[self.root]
        assert root is not None, "a rule that asks the page is used only with an input hook"
        return root if self.attribute is None else f"{root}.{self.attribute}"

    def callee(self, roots: Mapping[Root, Any]) -> Any:
        """The replacement callee as an object, from the run-time objects the roots name."""
        root = roots[self.root]
        return root if self.attribute is None else getattr(root, self.attribute)


#: ``asyncio.run``'s keywords (``loop_factory`` is new in Python 3.12).
_RUN_KEYWORDS = ("debug", "loop_factory") if sys.version_info >= (3, 12) else ("debug",)

CALL_RULES: dict[str, CallRule] = {
    rule.target: rule
    for rule in (
        CallRule(
            TIME_SLEEP,
            "sleep",
            Parameters(positional_only=("secs",), required=1),
            "support",
            "sleep",
            note="waits without freezing the page",
        ),
        CallRule(
            ASYNCIO_RUN,
            "run",
            Parameters(positional_or_keyword=("main",), keyword_only=_RUN_KEYWORDS, required=1),
            "support",
            "run",
            note="runs on the kernel's event loop",
        ),
        CallRule(
            INPUT,
            "input",
            Parameters(positional_only=("prompt",)),
            "input_hook",
            None,
            note="asks for input without blocking",
            asks_the_page=True,
            awaited_in_async_def=True,
        ),
        CallRule(
            GETPASS,
            "getpass",
            Parameters(positional_or_keyword=("prompt", "stream")),
            "input_hook",
            "getpass",
            note="asks for a password without blocking",
            asks_the_page=True,
            awaited_in_async_def=True,
        ),
    )
}

#: The modules the rules' calls come from (``input`` is a builtin), and ``asyncio`` for its loops.
CALL_RULE_MODULES = frozenset({rule.target.rpartition(".")[0] for rule in CALL_RULES.values()} - {""} | {"asyncio"})


def rule_of(function: object) -> CallRule | None:
    """The rule of the catalogue function ``function`` is right now (by identity), else ``None``.

    Read at each call of ``__sync__.call``: the kernel and Pyodide replace some of
    these functions at start-up, and a cell may too. Four lookups, no more.
    """
    for rule in CALL_RULES.values():
        module, _, attribute = rule.target.rpartition(".")
        holder = sys.modules.get(module) if module else builtins
        if holder is not None and getattr(holder, attribute, None) is function:
            return rule
    return None
