"""What a name can hold, as far as the codemod needs to know.

Analysis evaluates expressions to :data:`Values`, a frozen set of abstract
values: a module we know, a function from the catalogue of blocking calls, an
event loop, a function or class of the user's, an instance of one, or
:data:`UNKNOWN`. A call is rewritten only when its callee evaluates to exactly
one kind of thing; anything ambiguous is left alone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .waits import THREAD_TARGETS, UI_POLL_MODULE, UI_POLL_TARGETS

if TYPE_CHECKING:
    from .records import ClassRef, FunctionRef


# Qualified names of the calls the codemod knows.
TIME_SLEEP = "time.sleep"
ASYNCIO_SLEEP = "asyncio.sleep"
ASYNCIO_RUN = "asyncio.run"
GET_EVENT_LOOP = "asyncio.get_event_loop"
NEW_EVENT_LOOP = "asyncio.new_event_loop"
GET_RUNNING_LOOP = "asyncio.get_running_loop"
SET_EVENT_LOOP = "asyncio.set_event_loop"
ASYNCIO_RUNNER = "asyncio.Runner"
INPUT = "input"
GETPASS = "getpass.getpass"
SUPER = "super"
GETATTR = "getattr"
STATICMETHOD = "staticmethod"
CLASSMETHOD = "classmethod"
PROPERTY = "property"
DATACLASS = "dataclasses.dataclass"
TOTAL_ORDERING = "functools.total_ordering"
TO_THREAD = "asyncio.to_thread"
PARTIAL = "functools.partial"
WRAPS = "functools.wraps"

#: Module attributes the codemod recognises, by module name.
MODULE_TARGETS: dict[str, dict[str, str]] = {
    "time": {"sleep": TIME_SLEEP},
    "asyncio": {
        "sleep": ASYNCIO_SLEEP,
        "run": ASYNCIO_RUN,
        "get_event_loop": GET_EVENT_LOOP,
        "new_event_loop": NEW_EVENT_LOOP,
        "get_running_loop": GET_RUNNING_LOOP,
        "set_event_loop": SET_EVENT_LOOP,
        "Runner": ASYNCIO_RUNNER,
        "to_thread": TO_THREAD,
    },
    "getpass": {"getpass": GETPASS},
    "dataclasses": {"dataclass": DATACLASS},
    "functools": {"total_ordering": TOTAL_ORDERING, "partial": PARTIAL, "wraps": WRAPS},
    **{module: {name: f"{module}.{name}" for name in names} for module, names in THREAD_TARGETS.items()},
    "concurrent": {},
    UI_POLL_MODULE: {name: f"{UI_POLL_MODULE}.{name}" for name in UI_POLL_TARGETS},
}

#: Submodules the catalogue follows (``import concurrent.futures`` binds ``concurrent``).
SUBMODULES: dict[str, dict[str, str]] = {
    "concurrent": {"futures": "concurrent.futures"},
    "multiprocessing": {"pool": "multiprocessing.pool", "dummy": "multiprocessing.dummy"},
}

#: Builtins the codemod recognises.
BUILTIN_TARGETS: dict[str, str] = {
    "input": INPUT,
    "super": SUPER,
    "getattr": GETATTR,
    "staticmethod": STATICMETHOD,
    "classmethod": CLASSMETHOD,
    "property": PROPERTY,
    "object": "object",
}

#: Calls that return the (kernel's) event loop.
LOOP_FACTORIES = frozenset({GET_EVENT_LOOP, NEW_EVENT_LOOP, GET_RUNNING_LOOP})

#: Class decorators that return the class they are given.
TRANSPARENT_CLASS_DECORATORS = frozenset({DATACLASS, TOTAL_ORDERING})


@dataclass(frozen=True)
class Module:
    """A module the catalogue knows (``time``, ``asyncio``, ...)."""

    name: str


@dataclass(frozen=True)
class Target:
    """A function or class from the catalogue, by qualified name."""

    qualname: str


@dataclass(frozen=True)
class Loop:
    """An event loop: under the kernel there is only the running one."""


@dataclass(frozen=True)
class Runner:
    """An ``asyncio.Runner`` (or the kernel's harmless stand-in)."""


@dataclass(frozen=True)
class Primitive:
    """An instance of a thread primitive (a thread, lock, queue, executor, future...), by kind."""

    kind: str


@dataclass(frozen=True)
class BoundAttr:
    """``loop.<name>``, ``runner.<name>`` or ``primitive.<name>``: a method of one of them."""

    owner: Loop | Runner | Primitive
    name: str


@dataclass(frozen=True)
class Func:
    """A user function: defined in this cell or remembered from an earlier one."""

    ref: FunctionRef


@dataclass(frozen=True)
class Cls:
    """A user class (the class object itself)."""

    ref: ClassRef


@dataclass(frozen=True)
class Instance:
    """An instance of a user class (exactly that class or a subclass of it)."""

    cls: ClassRef
    #: Exactly that class (``Robot()``, or a live object of it): no subclass's override applies.
    exact: bool = False


@dataclass(frozen=True)
class Method:
    """``receiver.name`` where the receiver is a user class or instance."""

    cls: ClassRef
    name: str
    bound: bool  # True for ``instance.name``, False for ``Class.name``
    #: The receiver is exactly ``cls`` (see :attr:`Instance.exact`).
    exact: bool = False


class LiveClass:
    """A class of the user's from the live namespace that no cell's analysis recorded.

    The codemod can read its methods' code (to see whether they may call a
    method of a subclass), not follow calls into it.
    """

    __slots__ = ("cls",)

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LiveClass) and other.cls is self.cls

    def __hash__(self) -> int:
        return id(self.cls)

    def __repr__(self) -> str:
        return f"LiveClass({self.cls.__qualname__})"


@dataclass(frozen=True)
class Foreign:
    """Something known not to be any function of the session's (an attribute of a live class's instance)."""


@dataclass(frozen=True)
class Unknown:
    """Anything else: a value the codemod does not track."""


@dataclass(frozen=True)
class Unbound:
    """No binding yet: using the name would raise ``NameError``."""


Value = (
    Module
    | Target
    | Loop
    | Runner
    | Primitive
    | BoundAttr
    | Func
    | Cls
    | Instance
    | Method
    | LiveClass
    | Foreign
    | Unknown
    | Unbound
)
Values = frozenset[Value]

UNKNOWN: Value = Unknown()
FOREIGN: Value = Foreign()
UNBOUND: Value = Unbound()
ONLY_UNKNOWN: Values = frozenset({UNKNOWN})
ONLY_UNBOUND: Values = frozenset({UNBOUND})


def single(values: Values) -> Value | None:
    """The one value ``values`` can be (ignoring "unbound"), or ``None`` if it can be several."""
    bound = values - ONLY_UNBOUND
    if len(bound) == 1:
        return next(iter(bound))
    return None


def target_of(values: Values) -> str | None:
    """The catalogue name ``values`` certainly refers to, if any."""
    value = single(values)
    return value.qualname if isinstance(value, Target) else None


def getattr_parts(node: ast.expr) -> tuple[ast.expr, str | None, ast.expr | None] | None:
    """``getattr(obj, name)`` or ``getattr(obj, name, default)`` as ``(obj, name, default)``.

    ``name`` is the attribute's name when the call spells it as a string, else ``None``
    (any attribute). Whether ``getattr`` is the builtin is for the caller to check.

    >>> parts = getattr_parts(ast.parse('getattr(robot, "move", None)', mode="eval").body)
    >>> ast.unparse(parts[0]), parts[1], ast.unparse(parts[2])
    ('robot', 'move', 'None')
    >>> getattr_parts(ast.parse("getattr(robot, command)", mode="eval").body)[1] is None
    True
    """
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"):
        return None
    if node.keywords or len(node.args) not in (2, 3) or any(isinstance(a, ast.Starred) for a in node.args):
        return None
    name = node.args[1]
    spelled = name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else None
    return node.args[0], spelled, node.args[2] if len(node.args) == 3 else None
