"""What a session remembers between cells, and what the live namespace says.

Two sources tell what a name held before the current cell:

* the live namespace, when the kernel passes it: a name is resolved by
  identity (``ns["wait"] is time.sleep``, or "this object is a function the
  session made async"), which also settles what was ambiguous when its cell
  was read (``wait = time.sleep if fast else asyncio.sleep``);
* otherwise the session's static memory of the module-level names each cell
  bound.

The session learns which live objects are the functions it converted by
*harvesting*: before each cell it looks up, in the namespace, the names that
the previous cells bound to their defs and classes, and checks their code.
"""

from __future__ import annotations

import asyncio
import builtins
import getpass
import inspect
import sys
import time
import types
import weakref
from collections.abc import Mapping, Set
from typing import Any

from .records import ClassRef, FunctionRef
from .values import (
    BUILTIN_TARGETS,
    FOREIGN,
    MODULE_TARGETS,
    ONLY_UNBOUND,
    ONLY_UNKNOWN,
    UNKNOWN,
    Cls,
    Func,
    Instance,
    LiveClass,
    Loop,
    Module,
    Primitive,
    Runner,
    Target,
    Value,
    Values,
)
from .waits import REPLACEMENT_PACKAGE

Ref = FunctionRef | ClassRef


class Registry:
    """Live objects the session knows: its converted functions and its classes.

    Keyed by ``id`` with a weak reference to check the object is still the
    same one, so looking up an arbitrary user object never calls its
    ``__hash__`` or ``__eq__``.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[Any], Ref]] = {}
        #: Code objects of converted functions, for recognising their coroutines.
        self.converted_code: dict[int, tuple[weakref.ref[Any], FunctionRef]] = {}
        #: Converted functions by name and first line, for those no name in a namespace leads to
        #: (a decorator's wrapper, or any function when the session has no namespace).
        self.by_line: dict[tuple[str, int], list[FunctionRef]] = {}

    def add(self, obj: object, ref: Ref) -> None:
        try:
            self._entries[id(obj)] = (weakref.ref(obj), ref)
        except TypeError:
            return
        if isinstance(ref, FunctionRef) and ref.converted and isinstance(obj, types.FunctionType):
            code = obj.__code__
            self.converted_code[id(code)] = (weakref.ref(code), ref)

    def get(self, obj: object) -> Ref | None:
        entry = self._entries.get(id(obj))
        if entry is not None and entry[0]() is obj:
            return entry[1]
        return None

    def converted_function(self, function: types.FunctionType) -> FunctionRef | None:
        """The converted function whose code ``function`` runs (each call of a decorator makes a new wrapper)."""
        ref = self._converted_code(function.__code__)
        if ref is not None:
            self.add(function, ref)
        return ref

    def converted_coroutine(self, value: object) -> bool:
        """Whether ``value`` is a coroutine made by calling a function this session converted."""
        code = getattr(value, "cr_code", None)
        return code is not None and inspect.iscoroutine(value) and self._converted_code(code) is not None

    def _converted_code(self, code: types.CodeType) -> FunctionRef | None:
        """The converted function ``code`` belongs to, registering the code the first time.

        A function defined inside another (a wrapper) is not in the namespace to
        be harvested, nor is any function when the session has no namespace: its
        code is matched by name and first line (the latest such).
        """
        entry = self.converted_code.get(id(code))
        if entry is not None and entry[0]() is code:
            return entry[1]
        if not code.co_flags & (inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR):
            return None
        for ref in reversed(self.by_line.get((code.co_name, code.co_firstlineno), [])):
            if ref.converted:
                self.converted_code[id(code)] = (weakref.ref(code), ref)
                return ref
        return None


def _known_objects() -> dict[int, Value]:
    """Identity of the catalogue's modules and functions, as they are right now.

    Read at each cell, since Pyodide replaces ``time.sleep`` and ``asyncio.run``
    at start-up with its own versions.
    """
    known: dict[int, Value] = {}
    for module_name, attributes in MODULE_TARGETS.items():
        # The module itself, and the one rewritten imports take instead (once imported).
        for found in (sys.modules.get(module_name), sys.modules.get(f"{REPLACEMENT_PACKAGE}.{module_name}")):
            if found is None:
                continue
            known[id(found)] = Module(module_name)
            for attribute, qualname in attributes.items():
                value = getattr(found, attribute, None)
                if value is not None:
                    known[id(value)] = Target(qualname)
    for name, qualname in BUILTIN_TARGETS.items():
        known[id(getattr(builtins, name))] = Target(qualname)
    return known


# Keep the modules the catalogue names imported, so identity checks can see them.
_ = (asyncio, getpass, time)


class Memory:
    """The session's knowledge of earlier cells."""

    def __init__(self) -> None:
        #: Module-level names as the cells left them, when no namespace is given.
        self.names: dict[str, Values] = {}
        self._classes_by_qualname: dict[str, list[ClassRef]] = {}
        #: The methods of those classes by name, and the names of those made async.
        self.methods_by_name: dict[str, set[FunctionRef]] = {}
        self.converted_method_names: set[str] = set()
        self.registry = Registry()
        #: Module-level names that functions (or class bodies) of earlier cells declare ``global``.
        self.set_elsewhere: set[str] = set()
        #: Module-level names that functions of earlier cells call without ``await``, with the first
        #: such caller: a function later defined under one of these names must stay blocking.
        self.called_without_await: dict[str, str] = {}
        #: Module-level names that converted functions of earlier cells call with ``await``, with
        #: the first such caller: a function later defined under one of these names must be async.
        self.awaited_by_earlier: dict[str, str] = {}
        #: Module-level names a cell last bound by ``import`` (``from time import sleep``): code
        #: compiled earlier may take them at their word. Any other global (``wait = time.sleep``)
        #: may be rebound by a later cell, so a function's call through it is settled at run time.
        self.imported: set[str] = set()
        #: Names whose defs or classes are not yet matched to live objects.
        self.pending: dict[str, Ref] = {}
        self._runner_types: tuple[type, ...] = (asyncio.Runner,) if hasattr(asyncio, "Runner") else ()
        #: A cell mentioned a module whose threads run as tasks.
        self.threads_seen = False

    def add_runner_type(self, cls: type) -> None:
        self._runner_types = (*self._runner_types, cls)

    # ---- what a name held before the cell ------------------------------------------------

    def initial(self, namespace: Mapping[str, Any] | None, mentioned: Set[str]) -> tuple[Any, set[str]]:
        """A lookup function for names before the cell, and the names worth noticing among ``mentioned``.

        ``mentioned`` are the identifiers the cell's text contains: only they can
        make a statement matter, so only they are looked up (a cell's cost does
        not grow with the namespace).
        """
        # Converted methods' names, and names earlier converted code awaits (a new def under one matters).
        method_names = (self.converted_method_names | self.awaited_by_earlier.keys()) & mentioned
        if namespace is None:
            seeds = {name for name in mentioned if self.names.get(name, ONLY_UNKNOWN) != ONLY_UNKNOWN}
            seeds |= method_names

            def from_memory(name: str) -> Values:
                values = self.names.get(name)
                if values is not None:
                    return values
                return _builtin(name)

            return from_memory, seeds

        known = _known_objects()
        cache: dict[str, Values] = {}
        module = namespace.get("__name__")
        module = module if isinstance(module, str) else None

        def from_namespace(name: str) -> Values:
            cached = cache.get(name)
            if cached is None:
                if name in namespace:
                    cached = frozenset({self.classify(namespace[name], known, module)})
                else:
                    cached = _builtin(name)
                cache[name] = cached
            return cached

        seeds = {name for name in mentioned if name in namespace and from_namespace(name) != ONLY_UNKNOWN}
        return from_namespace, seeds | method_names

    def classify(self, obj: object, known: dict[int, Value], module: str | None = None) -> Value:
        """What a live object is, for the codemod (``module``: the namespace's ``__name__``)."""
        value = known.get(id(obj))
        if value is not None:
            return value
        ref = self.registry.get(obj)
        if isinstance(ref, FunctionRef):
            return Func(ref)
        if isinstance(ref, ClassRef):
            return Cls(ref)
        kind = type(obj)
        ref = self.registry.get(kind)
        if ref is None and module is not None and kind.__module__ == module:
            ref = self._shadowed_class(kind)
        if isinstance(ref, ClassRef):
            return Instance(ref, exact=True)
        if issubclass(kind, asyncio.AbstractEventLoop):
            return Loop()
        primitive = getattr(kind, "__sync_kind__", None)  # set by the classes of sync_kernel.threads
        if isinstance(primitive, str):
            return Primitive(primitive)
        if self._runner_types and issubclass(kind, self._runner_types):
            return Runner()
        if kind is type and module is not None and getattr(obj, "__module__", None) == module:
            return LiveClass(obj)  # type: ignore[arg-type]
        if module is not None and kind.__module__ == module:
            return FOREIGN  # an instance of such a class: as `LiveClass()` gives, none of its methods is ours
        return UNKNOWN

    def _shadowed_class(self, cls: type) -> ClassRef | None:
        """The remembered class statement that made ``cls``, though its name now holds another class.

        ``class Sensor: ...``, ``obj = Sensor()``, then ``class Sensor: ...`` again:
        ``obj`` is still an instance of the first, whose methods may be async.
        Matched by the code of its methods, then registered.
        """
        for ref in self._classes_by_qualname.get(cls.__qualname__, ()):
            if (ref.live is not None and ref.live() is not None) or not ref.methods:
                continue
            found = {name: getattr(vars(cls).get(name), "__func__", vars(cls).get(name)) for name in ref.methods}
            if all(_same_function(found[name], method) for name, method in ref.methods.items()):
                self.registry.add(cls, ref)
                ref.live = weakref.ref(cls)
                for name, method in ref.methods.items():
                    self.registry.add(found[name], method)
                return ref
        return None

    # ---- learning from a cell -------------------------------------------------------------

    def remember(
        self,
        bound: dict[str, Values],
        classes: list[ClassRef],
        poisoned: bool,
        untracked: Set[str] = frozenset(),
        set_elsewhere: Set[str] = frozenset(),
        called_without_await: Mapping[str, str] | None = None,
        awaited: Mapping[str, str] | None = None,
        imported: Mapping[str, bool] | None = None,
    ) -> None:
        """Record what a cell bound at module level (``bound``) and the classes it defined.

        ``untracked`` names were bound by statements left out of the analysis:
        they hold nothing the codemod tracks, but they are bound (or deleted).
        ``set_elsewhere`` names are declared ``global`` in its functions: any
        later call may rebind them. ``called_without_await`` maps module-level
        names its functions call (not awaited) to a caller, ``awaited`` those
        its converted functions await. ``imported`` says, for each module-level
        name the cell bound, whether only imports bound it.
        """
        self.set_elsewhere |= set_elsewhere
        for name, only_imports in (imported or {}).items():
            (self.imported.add if only_imports else self.imported.discard)(name)
        self.imported -= set(untracked) | set(set_elsewhere)
        for name, caller in (called_without_await or {}).items():
            self.called_without_await.setdefault(name, caller)
        for name, caller in (awaited or {}).items():
            self.awaited_by_earlier.setdefault(name, caller)
        if poisoned:
            self.names = {name: values | ONLY_UNKNOWN for name, values in self.names.items()}
        for name in untracked:
            self.names[name] = ONLY_UNKNOWN
            self.pending.pop(name, None)
        for name, values in bound.items():
            if values == ONLY_UNBOUND:
                self.names.pop(name, None)
            else:
                self.names[name] = values
            self.pending.pop(name, None)
            only = next(iter(values)) if len(values) == 1 else None
            if isinstance(only, Func) and only.ref.binding == "function":
                self.pending[name] = only.ref
            elif isinstance(only, Cls):
                self.pending[name] = only.ref
        for cls in classes:
            self._classes_by_qualname.setdefault(cls.qualname, []).append(cls)
            for name, method in cls.methods.items():
                self.methods_by_name.setdefault(name, set()).add(method)
                if method.converted:
                    self.converted_method_names.add(name)

    def harvest(self, namespace: Mapping[str, Any], *, consume: bool = True) -> None:
        """Match remembered defs and classes with the live objects the cells created.

        Before each cell the previous cells' entries are matched and consumed.
        While a cell runs, ``consume=False`` matches what it has defined so far
        and keeps the entries, since the cell may still redefine them.
        """
        for name, ref in list(self.pending.items()):
            if name not in namespace:
                continue
            obj = namespace[name]
            if consume:
                del self.pending[name]
            if isinstance(ref, FunctionRef):
                if _same_function(obj, ref):
                    self.registry.add(obj, ref)
            elif isinstance(obj, type) and obj.__qualname__ == ref.qualname:
                self.registry.add(obj, ref)
                ref.live = weakref.ref(obj)
                for method_name, method in ref.methods.items():
                    raw = obj.__dict__.get(method_name)
                    function = getattr(raw, "__func__", raw)
                    if _same_function(function, method):
                        self.registry.add(function, method)


def _same_function(obj: object, ref: FunctionRef) -> bool:
    if not isinstance(obj, types.FunctionType):
        return False
    code = obj.__code__
    is_async = bool(code.co_flags & (inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR))
    first_line = ref.first_line or ref.lineno  # a decorated function's code starts at its first decorator
    return (
        code.co_name == ref.name and code.co_firstlineno == first_line and is_async == (ref.converted or ref.user_async)
    )


#: Names through which code can call a method whose name it does not spell out.
_DYNAMIC_LOOKUPS = frozenset({"getattr", "__getattribute__", "methodcaller", "attrgetter", "__dict__", "vars"})


def live_class_may_call(cls: type, name: str) -> bool:
    """Whether the code of a live class (or its bases) may call method ``name`` of an instance.

    True when any of its functions mentions ``name`` as an attribute or global,
    looks attributes up dynamically, or when a base comes from another module
    (library code is not inspected).
    """
    for klass in cls.__mro__:
        if klass is object:
            continue
        if klass.__module__ != cls.__module__:
            return True
        for attribute in vars(klass).values():
            for code in _code_objects(attribute):
                if _mentions(code, name):
                    return True
    return False


def _code_objects(attribute: object) -> list[types.CodeType]:
    if isinstance(attribute, (staticmethod, classmethod)):
        attribute = attribute.__func__
    if isinstance(attribute, property):
        return [c for f in (attribute.fget, attribute.fset, attribute.fdel) for c in _code_objects(f)]
    code = getattr(attribute, "__code__", None)
    return [code] if isinstance(code, types.CodeType) else []


def _mentions(code: types.CodeType, name: str) -> bool:
    if name in code.co_names or not _DYNAMIC_LOOKUPS.isdisjoint(code.co_names):
        return True
    return any(isinstance(const, types.CodeType) and _mentions(const, name) for const in code.co_consts)


def _builtin(name: str) -> Values:
    qualname = BUILTIN_TARGETS.get(name)
    if qualname is not None:
        return frozenset({Target(qualname)})
    return ONLY_UNBOUND if not hasattr(builtins, name) else ONLY_UNKNOWN
