"""Why a function stays blocking: a fact the analysis records and the planner reads.

A :class:`Reason` is a member of :class:`StaysBlocking` with the names its
sentence mentions. Code decides on the member (``reason.why is
StaysBlocking.DECORATED``); only notes turn it into words, with the function as
the sentence's subject.

Example::

    >>> reason = Reason.of(StaysBlocking.DECORATED, decorator="functools.cache")
    >>> reason.why is StaysBlocking.DECORATED
    True
    >>> str(reason)
    'is decorated with @functools.cache'
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from enum import Enum


class StaysBlocking(Enum):
    """Each reason a function cannot become ``async``; the value is its predicate, with fields."""

    # What the function is, whatever this cell does with it.
    DECORATED = "is decorated with @{decorator}"
    SPECIAL_METHOD = "is a special method, which cannot be async"
    RETURNING_GENERATOR = "is a generator that uses `yield from` or returns a value"
    GENERATOR_IN_FAMILY = "is overridden by a generator (or overrides one)"
    ASYNC_IN_FAMILY = "overrides or is overridden by an `async def`"
    WRAPS_ASYNC = "wraps `async def {wrapped}` (it returns what that gives)"
    OPEN_CLASS = "is a method of `{owner}`, which {how} (that code may call it)"
    BASE_MAY_CALL = "is a method of `{owner}`, whose base `{base}` may call it"
    OVERRIDES_BLOCKING = "overrides `{method}`, which stays blocking"
    # Code compiled by earlier cells, which cannot be changed any more.
    CALLED_EARLIER = "is called without `await` by `{caller}`, which an earlier cell defined"
    CLASS_USED_EARLIER = "is a method of `{owner}`, which `{caller}` (defined by an earlier cell) uses"
    INSTANCE_USED_EARLIER = (
        "is a method of `{owner}`, whose instance `{instance}` is used by `{caller}`, which an earlier cell defined"
    )
    # A use in this cell that cannot await it.
    USED_AS_VALUE = "is used as a value on {where}"
    UNFOLLOWED_CALL = "may be called on {where} through a name the codemod cannot follow"
    GENERATOR_OUTSIDE_FOR = "is a generator called on {where} outside a `for` loop, so it cannot become async"
    GENERATOR_IN_GENERATOR_EXPRESSION = "is a generator iterated by a generator expression on {where}"
    CALLED_FROM_ASYNC_DEF = (
        "is called on {where} from `async def {caller}`, where it blocks the event loop as on desktop"
    )
    CALLED_FROM_BLOCKING = "is called on {where} from `{caller}`, which stays blocking"
    CALLED_FROM_SCOPE = "is called from {scope} on {where}"
    # None of the above: it has nothing to await.
    NOTHING_TO_AWAIT = "does not await"

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(self.value) if name)


@dataclass(frozen=True)
class Reason:
    """Why one function stays blocking: the kind, and the names its sentence mentions."""

    why: StaysBlocking
    details: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, why: StaysBlocking, **details: str) -> Reason:
        if set(details) != why.fields:
            raise TypeError(f"{why.name} needs {sorted(why.fields)}, got {sorted(details)}")
        return cls(why, tuple(sorted(details.items())))

    def __str__(self) -> str:
        return self.why.value.format(**dict(self.details))
