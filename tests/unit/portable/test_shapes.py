"""portable/shapes.py: the standard library's validators for typed handlers' annotations, their errors in
Pydantic's words, the replies they turn into JSON data and the schemas they describe."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any, Literal, NotRequired, Required, TypedDict
from uuid import UUID

import pytest

from portable.shapes import BAD, Invalid, Namespace, Schemas, Shape, UnsupportedType, shape_of, uses_pydantic

NAMES = Namespace(globals(), {})


def shape(annotation: Any) -> Shape:
    return shape_of(annotation, NAMES, "test")


def checked(annotation: Any, value: Any, text: bool = False) -> tuple[Any, list[dict[str, str]]]:
    errors: list[Invalid] = []
    result = shape(annotation).check(value, ("body",), errors, text)
    return result, [error.as_dict() for error in errors]


class Color(Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Point:
    x: int
    y: int = 0


@dataclass
class Tagged:
    """A note with tags."""

    title: str
    tags: list[str] = field(default_factory=list)
    where: Point | None = None
    color: Color = Color.RED


@dataclass
class Positive:
    value: int

    def __post_init__(self) -> None:
        if self.value <= 0:
            raise ValueError("value must be positive")


@dataclass
class Tree:
    name: str
    children: list[Tree] = field(default_factory=list)


class Options(TypedDict, total=False):
    limit: int
    order: Required[Literal["new", "old"]]


class Entry(TypedDict):
    key: str
    note: NotRequired[str | None]


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (str, "a", "a"),
        (int, 5, 5),
        (int, 5.0, 5),
        (float, 2, 2.0),
        (bool, True, True),
        (None, None, None),
        (Any, {"x": [1]}, {"x": [1]}),
        (list[int], [1, 2], [1, 2]),
        (tuple[int, ...], [1, 2], (1, 2)),
        (dict[str, float], {"a": 1}, {"a": 1.0}),
        (int | None, None, None),
        (Literal["a", 1], 1, 1),
        (Color, "blue", Color.BLUE),
        (datetime, "2026-11-28T02:00:00Z", datetime(2026, 11, 28, 2, tzinfo=UTC)),
        (date, "2026-11-28", date(2026, 11, 28)),
        (UUID, "12345678-1234-5678-1234-567812345678", UUID("12345678-1234-5678-1234-567812345678")),
        (Annotated[int, "documentation only"], 3, 3),
    ],
)
def test_values_that_fit_come_back_as_their_types(annotation: Any, value: Any, expected: Any) -> None:
    result, errors = checked(annotation, value)
    assert errors == [] and result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("annotation", "value", "error"),
    [
        (str, 5, ("body", "Input should be a valid string", "string_type")),
        (int, True, ("body", "Input should be a valid integer", "int_type")),
        (int, 5.5, ("body", "Input should be a valid integer", "int_type")),
        (int, "5", ("body", "Input should be a valid integer", "int_type")),
        (float, "1.5", ("body", "Input should be a valid number", "float_type")),
        (bool, 1, ("body", "Input should be a valid boolean", "bool_type")),
        (None, 0, ("body", "Input should be None", "none_required")),
        (list[int], {"a": 1}, ("body", "Input should be a valid list", "list_type")),
        (list[int], [1, "x"], ("body.1", "Input should be a valid integer", "int_type")),
        (dict[str, int], [], ("body", "Input should be a valid dictionary", "dict_type")),
        (int | None, "x", ("body", "Input should be a valid integer", "int_type")),
        (int | str, [], ("body", "Input should fit one of: int, str", "union_type")),
        (Literal["a", "b"], "c", ("body", "Input should be 'a' or 'b'", "literal_error")),
        (Literal[1], True, ("body", "Input should be 1", "literal_error")),
        (Color, "green", ("body", "Input should be 'red' or 'blue'", "enum")),
        (datetime, "yesterday", ("body", "Input should be a valid datetime", "datetime_parsing")),
        (date, 20261128, ("body", "Input should be a valid date", "date_type")),
        (UUID, "not-a-uuid", ("body", "Input should be a valid uuid", "uuid_parsing")),
    ],
)
def test_values_that_do_not_fit_are_reported_in_pydantics_words(
    annotation: Any, value: Any, error: tuple[str, str, str]
) -> None:
    result, errors = checked(annotation, value)
    assert result is BAD
    assert errors == [dict(zip(("location", "message", "type"), error, strict=True))]


@pytest.mark.parametrize(
    ("annotation", "text", "expected"),
    [
        (int, "42", 42),
        (int, "-7", -7),
        (float, "2.5", 2.5),
        (bool, "true", True),
        (bool, "0", False),
        (Literal[1, 2], "2", 2),
        (Literal[True], "true", True),
        (Color, "red", Color.RED),
        (list[int], ["1", "2"], [1, 2]),
        (int | None, "", None),
    ],
)
def test_text_from_a_query_or_a_path_is_converted(annotation: Any, text: Any, expected: Any) -> None:
    result, errors = checked(annotation, text, text=True)
    assert errors == [] and result == expected


@pytest.mark.parametrize(
    ("annotation", "text", "kind"),
    [
        (int, "4.2", "int_parsing"),
        (int, "١٢", "int_parsing"),
        (float, "inf", "float_parsing"),
        (bool, "maybe", "bool_parsing"),
    ],
)
def test_text_that_is_no_such_value_is_a_parsing_error(annotation: Any, text: str, kind: str) -> None:
    result, errors = checked(annotation, text, text=True)
    assert result is BAD and [error["type"] for error in errors] == [kind]


def test_a_dataclass_is_built_from_its_fields_and_ignores_unknown_ones() -> None:
    result, errors = checked(Tagged, {"title": "t", "where": {"x": 1}, "extra": True})
    assert errors == []
    assert result == Tagged(title="t", tags=[], where=Point(1, 0), color=Color.RED)


def test_every_field_that_does_not_fit_is_listed_with_its_location() -> None:
    result, errors = checked(Tagged, {"tags": ["a", 2], "where": {"y": "no"}, "color": "green"})
    assert result is BAD
    assert [(error["location"], error["type"]) for error in errors] == [
        ("body.title", "missing"),
        ("body.tags.1", "string_type"),
        ("body.where.x", "missing"),
        ("body.where.y", "int_type"),
        ("body.color", "enum"),
    ]


def test_a_dataclass_refusing_its_values_in_post_init_is_a_value_error() -> None:
    result, errors = checked(Positive, {"value": -1})
    assert result is BAD
    assert errors == [{"location": "body", "message": "Value error, value must be positive", "type": "value_error"}]
    assert checked(Positive, {"value": 3})[0] == Positive(3)


def test_a_class_may_refer_to_itself() -> None:
    _result, errors = checked(Tree, {"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]})
    assert [error["location"] for error in errors] == ["body.children.0.children.0.name"]
    assert checked(Tree, {"name": "a", "children": [{"name": "b"}]})[0] == Tree("a", [Tree("b")])


def test_a_typed_dict_keeps_its_required_and_optional_keys_under_string_annotations() -> None:
    assert checked(Options, {"order": "new"}) == ({"order": "new"}, [])
    assert checked(Options, {"limit": 2})[1] == [
        {"location": "body.order", "message": "Field required", "type": "missing"}
    ]
    assert checked(Entry, {"key": "k", "other": 1}) == ({"key": "k"}, [])
    assert checked(Entry, {"note": None})[1][0]["location"] == "body.key"


def test_dump_turns_a_reply_into_json_data_and_reports_what_does_not_fit() -> None:
    tagged = shape(Tagged)
    errors: list[Invalid] = []
    when = shape(datetime)
    assert tagged.dump(Tagged("t", ["a"], Point(1, 2), Color.BLUE), ("reply",), errors) == {
        "title": "t",
        "tags": ["a"],
        "where": {"x": 1, "y": 2},
        "color": "blue",
    }
    assert when.dump(datetime(2026, 1, 1, tzinfo=UTC), ("reply",), errors) == "2026-01-01T00:00:00+00:00"
    assert errors == []
    assert tagged.dump(Tagged(5, [], None), ("reply",), errors) is BAD  # type: ignore[arg-type]
    assert tagged.dump({"title": "from a dict"}, ("reply",), errors) == {"title": "from a dict"}
    assert shape(date).dump(datetime(2026, 1, 1), ("reply",), errors) is BAD
    assert [error.as_dict()["location"] for error in errors] == ["reply.title", "reply"]


@pytest.mark.parametrize(
    ("annotation", "says"),
    [
        (set[int], "set[int] cannot be validated"),
        (tuple[int, str], "fixed-length tuple"),
        (dict[int, str], "keys of another type than str"),
        (bytes, "bytes cannot be validated"),
        (Exception, "Exception cannot be validated"),
        ("Undefined", "test: the annotation 'Undefined' cannot be resolved (NameError"),
    ],
)
def test_what_cannot_be_validated_is_refused_with_what_to_use(annotation: Any, says: str) -> None:
    with pytest.raises(
        UnsupportedType, match=r"use a dataclass|cannot be resolved|tuple\[X, \.\.\.\]|JSON keys"
    ) as raised:
        shape(annotation)
    assert says in str(raised.value)


def test_schemas_name_each_class_once_and_refer_to_it() -> None:
    schemas = Schemas()
    assert shape(list[Tagged]).schema(schemas) == {"type": "array", "items": {"$ref": "#/components/schemas/Tagged"}}
    assert shape(Tagged).schema(schemas) == {"$ref": "#/components/schemas/Tagged"}
    assert schemas.named["Tagged"] == {
        "title": "Tagged",
        "type": "object",
        "description": "A note with tags.",
        "properties": {
            "title": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "where": {"anyOf": [{"$ref": "#/components/schemas/Point"}, {"type": "null"}], "default": None},
            "color": {"$ref": "#/components/schemas/Color"},
        },
        "required": ["title"],
    }
    assert schemas.named["Color"] == {"title": "Color", "enum": ["red", "blue"]}
    assert schemas.named["Point"]["required"] == ["x"]
    assert shape(datetime | None).schema(schemas) == {
        "anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]
    }


def test_two_classes_of_one_name_get_two_names() -> None:
    schemas = Schemas()
    first = type("Point", (), {"__module__": "one"})
    second = type("Point", (), {"__module__": "two.sub"})
    assert schemas.ref(first, "Point", lambda: {"title": "one"}) == {"$ref": "#/components/schemas/Point"}
    assert schemas.ref(second, "Point", lambda: {"title": "two"}) == {"$ref": "#/components/schemas/two_sub_Point"}


def test_pydantic_is_spotted_anywhere_in_an_annotation() -> None:
    from pydantic import BaseModel, Field

    class Model(BaseModel):
        x: int

    @dataclass
    class Holder:
        inner: list[Model]

    names = Namespace(globals(), {"Model": Model, "Holder": Holder})
    assert uses_pydantic(Model, names, "test")
    assert uses_pydantic(list[Model] | None, names, "test")
    assert uses_pydantic(Holder, names, "test")
    assert uses_pydantic(Annotated[int, Field(gt=0)], names, "test")
    assert not uses_pydantic(Tagged, NAMES, "test")
    assert not uses_pydantic(Literal["pydantic"], NAMES, "test")
