"""The `typing` names the cold-start modules use when they run, without importing `typing`.

Importing `typing` costs a cold start 4-7 ms. Type checkers read the real names (the `if` branch
below, which mypy takes for true whatever its name is bound to); at run time the stand-ins do
what these modules need: `NamedTuple` builds the same class through `collections.namedtuple`,
`Generic[...]` and `TypeVar` only let generic classes be declared and subscripted, and
`TypedDict` is a dict whose class keeps its annotations.

A module uses them so:

    from portable.runtime_typing import TYPE_CHECKING, NamedTuple
    if TYPE_CHECKING:
        from typing import Any
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Generic as Generic
    from typing import NamedTuple as NamedTuple
    from typing import TypedDict as TypedDict
    from typing import TypeVar as TypeVar
else:
    from collections import namedtuple

    # What typing.NamedTuple keeps out of the built class, besides the fields.
    _CLASS_KEYS = frozenset(
        {
            "__module__",
            "__qualname__",
            "__annotations__",
            "__orig_bases__",
            "__slots__",
            "__static_attributes__",
            "__firstlineno__",
        }
    )

    def _subscripted(cls, _parameters):
        return cls

    class _NamedTupleMeta(type):
        def __new__(mcs, name, bases, namespace):
            if not bases:
                return super().__new__(mcs, name, bases, namespace)
            fields = list(namespace.get("__annotations__", {}))
            defaults = [namespace[field] for field in fields if field in namespace]
            built = namedtuple(name, fields, defaults=defaults, module=namespace["__module__"])
            built.__qualname__ = namespace["__qualname__"]
            for key, value in namespace.items():
                if key not in _CLASS_KEYS and key not in fields:
                    setattr(built, key, value)
            if "__orig_bases__" in namespace:  # declared Generic[...]: Name[X] is the class itself
                built.__class_getitem__ = classmethod(_subscripted)
            return built

    class NamedTuple(metaclass=_NamedTupleMeta):
        pass

    class _Erased:
        def __mro_entries__(self, bases):
            return ()

    class Generic:
        def __class_getitem__(cls, parameters):
            return _Erased()

    def TypeVar(name, *constraints, **options):
        return name

    class TypedDict(dict):
        def __init_subclass__(cls, total=True, **options):
            super().__init_subclass__(**options)
