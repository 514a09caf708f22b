"""The rules table: each blocking call's row agrees with the real function, and the rewrite and its
run-time stand-in (``__sync__.call``) follow the same row."""

from __future__ import annotations

import builtins
import importlib
import inspect
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from harness import assert_same_behaviour
from sync_kernel.codemod.rules import CALL_RULES, CallRule, rule_of
from sync_kernel.codemod.values import BUILTIN_TARGETS, MODULE_TARGETS

RULES = list(CALL_RULES.values())


def real_function(rule: CallRule) -> Callable[..., Any]:
    module, _, attribute = rule.target.rpartition(".")
    return getattr(importlib.import_module(module) if module else builtins, attribute)


def binds_on_desktop(function: Callable[..., Any], positional: int, keywords: tuple[str, ...]) -> bool:
    args, kwargs = (0,) * positional, dict.fromkeys(keywords, 0)
    try:
        inspect.signature(function).bind(*args, **kwargs)
    except TypeError:
        return False
    except ValueError:  # a builtin without a signature (time.sleep): call it, with waits of 0 s
        try:
            function(*args, **kwargs)
        except TypeError:
            return False
    return True


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.target)
def test_each_rule_is_a_name_the_values_resolve(rule: CallRule) -> None:
    module, _, attribute = rule.target.rpartition(".")
    recognised = MODULE_TARGETS[module].get(attribute) if module else BUILTIN_TARGETS.get(attribute)
    assert recognised == rule.target


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.target)
def test_a_rule_accepts_exactly_the_arguments_the_real_function_binds(rule: CallRule) -> None:
    function = real_function(rule)
    names = [*rule.parameters.positional_only, *rule.parameters.positional_or_keyword]
    names += [*rule.parameters.keyword_only, "bogus"]
    checked = 0
    for positional in range(4):
        for count in range(3):
            for keywords in itertools.combinations(names, count):
                assert rule.accepts_arguments((0,) * positional, dict.fromkeys(keywords)) == binds_on_desktop(
                    function, positional, keywords
                ), (positional, keywords)
                checked += 1
    assert checked >= 16


def test_a_function_is_known_by_its_identity_as_the_modules_hold_it_now() -> None:
    for rule in RULES:
        assert rule_of(real_function(rule)) is rule
    assert rule_of(print) is None and rule_of(lambda seconds: None) is None
    replaced = builtins.input
    builtins.input = lambda prompt="", /: "typed"  # as the kernel replaces it with its own
    try:
        assert rule_of(builtins.input) is CALL_RULES["input"] and rule_of(replaced) is None
    finally:
        builtins.input = replaced


def test_the_rewrite_and_the_run_time_stand_in_name_the_same_callee() -> None:
    class Hook:
        async def getpass(self, prompt: str = "", stream: object = None) -> str:
            return ""

    support, hook = object(), Hook()
    namespace = {"__sync__": support, "__ask__": hook}
    for rule in RULES:
        text = rule.callee_text(support="__sync__", input_hook="__ask__")
        expected = eval(text, {}, namespace) if rule.root != "support" else None
        roots = {"support": support, "input_hook": hook}
        if rule.root == "support":
            assert text.startswith("__sync__.") and rule.attribute == text.removeprefix("__sync__.")
        else:
            assert rule.callee(roots) == expected, rule.target


def test_a_call_through_an_alias_binds_its_arguments_as_the_function_it_reaches_would() -> None:
    # Compiled while `ask` was getpass (which takes prompt=); then `ask` becomes input, which
    # takes no keywords: desktop raises TypeError, and so must the awaited form.
    outcome = assert_same_behaviour(
        """
        import getpass
        ask = getpass.getpass
        def login():
            return ask(prompt="password: ")
        print("got", login())
        """,
        """
        ask = input
        try:
            login()
        except TypeError as error:
            print("TypeError:", error)
        """,
        answers=["secret"],
    )
    assert outcome.stdout.startswith("password: got secret\nTypeError: ") and "prompt" in outcome.stdout
    assert "await __sync__.call(ask, prompt=" in outcome.results[0].code
