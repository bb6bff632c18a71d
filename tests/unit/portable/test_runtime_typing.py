"""The stand-ins for `typing` that the runtime modules use build what `typing` builds."""

from __future__ import annotations

import typing

from portable import runtime_typing
from portable.app import Function
from portable.decorators import FunctionOptions
from portable.http_trigger import HttpTrigger


class Stand(runtime_typing.NamedTuple):
    """A record."""

    name: str
    size: int = 3

    @property
    def double(self) -> int:
        return 2 * self.size

    def named(self) -> str:
        return f"{self.name}:{self.size}"


class Real(typing.NamedTuple):
    """A record."""

    name: str
    size: int = 3

    @property
    def double(self) -> int:
        return 2 * self.size

    def named(self) -> str:
        return f"{self.name}:{self.size}"


def test_named_tuples_have_the_fields_defaults_methods_and_docs_of_typings() -> None:
    ours, theirs = Stand("a"), Real("a")
    assert Stand._fields == Real._fields and Stand._field_defaults == Real._field_defaults
    assert tuple(ours) == tuple(theirs) == ("a", 3)
    assert (ours.double, ours.named()) == (theirs.double, theirs.named()) == (6, "a:3")
    assert ours._replace(size=5)._asdict() == theirs._replace(size=5)._asdict()
    assert Stand.__doc__ == "A record." and Stand.__module__ == __name__
    assert Stand.__qualname__ == "Stand" and repr(ours) == "Stand(name='a', size=3)"


def test_at_run_time_the_names_are_the_stand_ins_not_typings() -> None:
    assert runtime_typing.TYPE_CHECKING is False
    assert runtime_typing.NamedTuple is not typing.NamedTuple


def test_generic_records_are_subscripted_to_themselves_and_typed_dicts_keep_their_annotations() -> None:
    assert Function[HttpTrigger] is Function
    assert "trigger" in Function._fields and Function._field_defaults["memory_mb"] == 256
    assert {"name", "reads", "writes", "retries"} <= set(FunctionOptions.__annotations__)
    assert FunctionOptions(name="x") == {"name": "x"}
