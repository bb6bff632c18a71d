"""The types a typed `@http` handler declares, validated with the standard library only.

`shape_of(annotation)` compiles an annotation once, when the App loads, into a `Shape` that checks a value on each
call (`check`: a JSON body, or the text of a query or path value), turns a reply into JSON data (`dump`) and
describes itself as JSON Schema (`schema`). It understands dataclasses, `TypedDict`, `str`, `int`, `float`, `bool`,
`None`, `Any`, `list[...]`, `tuple[X, ...]`, `dict[str, ...]`, unions (`X | None`), `Literal`, `Enum`, `datetime`,
`date` and `UUID`; `Annotated` metadata is ignored. An annotation that names a Pydantic model anywhere is handed to
`portable.pydantic_shapes` whole, so Pydantic is imported only by functions that use it, and `typing` only by
functions whose own module imported it. Error types and messages follow Pydantic's, so a client reads one
vocabulary whichever validates.
"""

from __future__ import annotations

import sys

from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

Location = tuple[str | int, ...]


class Invalid(NamedTuple):
    """One way a value does not fit: where (`("body", "title")`), what is wrong, and its type (Pydantic's names)."""

    location: Location
    message: str
    type: str

    def as_dict(self) -> dict[str, str]:
        """The portable form of an error in a 422 body: `{"location": "body.title", "message", "type"}`."""
        return {"location": ".".join(str(part) for part in self.location), "message": self.message, "type": self.type}


class UnsupportedType(Exception):
    """An annotation no validator here understands; the message says which part and what to use instead."""


class _Bad:
    def __repr__(self) -> str:
        return "<does not fit>"


BAD: Any = _Bad()  # what `check` and `dump` return for a value that did not fit (its errors are in `errors`)


class Schemas:
    """The named schemas (`components/schemas`) a document collects: one name per class, refs to it elsewhere."""

    def __init__(self) -> None:
        self.named: dict[str, dict[str, Any]] = {}
        self._names: dict[object, str] = {}

    def ref(self, owner: object, name: str, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """A `$ref` to `owner`'s schema, built by `build` the first time; a second class of the same name is named
        after its module too."""
        if owner not in self._names:
            chosen = self.free_name(name, owner)
            self._names[owner] = chosen
            self.named[chosen] = {}  # reserved first: a class that refers to itself finds its name
            self.named[chosen] = build()
        return {"$ref": f"#/components/schemas/{self._names[owner]}"}

    def add(self, name: str, schema: dict[str, Any], owner: object) -> dict[str, Any]:
        """A `$ref` to `schema` under `name`, or under another name if `name` holds another schema already."""
        if self.named.get(name, schema) != schema:
            name = self.free_name(name, owner)
        self.named[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}

    def free_name(self, name: str, owner: object) -> str:
        if name not in self.named:
            return name
        module = str(getattr(owner, "__module__", "") or "").replace(".", "_")
        candidate, number = f"{module}_{name}" if module else name, 2
        while candidate in self.named:
            candidate, number = f"{module}_{name}{number}", number + 1
        return candidate


class Shape:
    """A compiled annotation. `text` checks say the value came as text (a query or path value) and may convert."""

    json_type: str = ""

    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        raise NotImplementedError

    def dump(self, value: Any, location: Location, errors: list[Invalid]) -> Any:
        """`value` (what a handler returned) as JSON data, or BAD with its errors."""
        raise NotImplementedError

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        raise NotImplementedError

    def fields(self, schemas: Schemas) -> list[Field]:
        """The named fields of an object shape (a query model's parameters); empty for others."""
        return []

    @property
    def is_list(self) -> bool:
        return False


class Field(NamedTuple):
    """A field of an object shape: its JSON name, whether it must be there, its shape's schema, and list-ness."""

    name: str
    required: bool
    schema: dict[str, Any]
    is_list: bool


def _wrong(errors: list[Invalid], location: Location, kind: str, message: str) -> Any:
    errors.append(Invalid(location, message, kind))
    return BAD


class _Any(Shape):
    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        return value

    def dump(self, value: Any, location: Location, errors: list[Invalid]) -> Any:
        return value

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        return {}


class _Str(Shape):
    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        if isinstance(value, str):
            return value
        return _wrong(errors, location, "string_type", "Input should be a valid string")

    dump = check

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        return {"type": "string"}


class _Int(Shape):
    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and not text and value.is_integer():  # JSON Schema: 1.0 is an integer
            return int(value)
        if text and isinstance(value, str):
            digits = value.strip()
            if digits.lstrip("+-").isdigit() and digits.isascii() and len(digits) <= 4300:
                return int(digits)
            return _wrong(
                errors, location, "int_parsing", "Input should be a valid integer, unable to parse string as an integer"
            )
        return _wrong(errors, location, "int_type", "Input should be a valid integer")

    def dump(self, value: Any, location: Location, errors: list[Invalid]) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return _wrong(errors, location, "int_type", "Input should be a valid integer")

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        return {"type": "integer"}


class _Float(Shape):
    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if text and isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = float("nan")
            if number - number == 0:  # finite
                return number
            return _wrong(
                errors, location, "float_parsing", "Input should be a valid number, unable to parse string as a number"
            )
        return _wrong(errors, location, "float_type", "Input should be a valid number")

    dump = check

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        return {"type": "number"}


_TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n"})


class _Bool(Shape):
    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        if isinstance(value, bool):
            return value
        if text and isinstance(value, str):
            folded = value.strip().lower()
            if folded in _TRUE or folded in _FALSE:
                return folded in _TRUE
            return _wrong(
                errors, location, "bool_parsing", "Input should be a valid boolean, unable to interpret input"
            )
        return _wrong(errors, location, "bool_type", "Input should be a valid boolean")

    dump = check

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        return {"type": "boolean"}


class _None(Shape):
    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        if value is None:
            return None
        return _wrong(errors, location, "none_required", "Input should be None")

    dump = check

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        return {"type": "null"}


class _Parsed(Shape):
    """A value JSON carries as text: datetime, date, UUID."""

    def __init__(self, kind: type, parse: Callable[[str], Any], name: str, json_format: str) -> None:
        self.kind, self.parse, self.name, self.format = kind, parse, name, json_format

    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        if isinstance(value, str):
            try:
                return self.parse(value)
            except ValueError:
                pass
            return _wrong(errors, location, f"{self.name}_parsing", f"Input should be a valid {self.name}")
        return _wrong(errors, location, f"{self.name}_type", f"Input should be a valid {self.name}")

    def dump(self, value: Any, location: Location, errors: list[Invalid]) -> Any:
        if isinstance(value, self.kind) and not (self.name == "date" and hasattr(value, "hour")):
            return value.isoformat() if hasattr(value, "isoformat") else str(value)
        return _wrong(errors, location, f"{self.name}_type", f"Input should be a valid {self.name}")

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        return {"type": "string", "format": self.format}


def _choices(values: list[Any]) -> str:
    shown = [repr(value) if isinstance(value, str) else str(value) for value in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


class _Choice(Shape):
    """`Literal[...]` or an `Enum` (then `members` maps each value to its member)."""

    def __init__(self, values: list[Any], members: dict[Any, Any] | None = None, owner: type | None = None) -> None:
        self.values, self.members = values, members
        self.owner: Any = owner
        self.kind = "enum" if members is not None else "literal_error"

    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        for allowed in self.values:
            if _same(value, allowed) or (text and isinstance(value, str) and value == _text_of(allowed)):
                return self.members[allowed] if self.members is not None else allowed
        return _wrong(errors, location, self.kind, f"Input should be {_choices(self.values)}")

    def dump(self, value: Any, location: Location, errors: list[Invalid]) -> Any:
        if self.owner is not None and isinstance(value, self.owner):
            return value.value
        for allowed in self.values:
            if _same(value, allowed):
                return allowed
        return _wrong(errors, location, self.kind, f"Input should be {_choices(self.values)}")

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        if self.owner is None:
            return {"enum": list(self.values)}
        owner = self.owner
        return schemas.ref(owner, owner.__name__, lambda: {"title": owner.__name__, "enum": list(self.values)})


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _List(Shape):
    def __init__(self, item: Shape, as_tuple: bool = False) -> None:
        self.item, self.as_tuple = item, as_tuple

    @property
    def is_list(self) -> bool:
        return True

    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        if not isinstance(value, list):
            return _wrong(errors, location, "list_type", "Input should be a valid list")
        before = len(errors)
        items = [self.item.check(item, (*location, index), errors, text) for index, item in enumerate(value)]
        if len(errors) > before:
            return BAD
        return tuple(items) if self.as_tuple else items

    def dump(self, value: Any, location: Location, errors: list[Invalid]) -> Any:
        if not isinstance(value, (list, tuple)):
            return _wrong(errors, location, "list_type", "Input should be a valid list")
        before = len(errors)
        items = [self.item.dump(item, (*location, index), errors) for index, item in enumerate(value)]
        return BAD if len(errors) > before else items

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        return {"type": "array", "items": self.item.schema(schemas, reply)}


class _Dict(Shape):
    def __init__(self, value: Shape) -> None:
        self.value = value

    def _each(self, value: Any, location: Location, errors: list[Invalid], step: Callable[..., Any]) -> Any:
        if not isinstance(value, dict):
            return _wrong(errors, location, "dict_type", "Input should be a valid dictionary")
        before = len(errors)
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                _wrong(errors, (*location, str(key)), "string_type", "Keys should be strings")
                continue
            result[key] = step(item, (*location, key), errors)
        return BAD if len(errors) > before else result

    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        return self._each(value, location, errors, self.value.check)

    def dump(self, value: Any, location: Location, errors: list[Invalid]) -> Any:
        return self._each(value, location, errors, self.value.dump)

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.value.schema(schemas, reply)}


class _Union(Shape):
    def __init__(self, options: list[Shape]) -> None:
        self.options = options

    @property
    def is_list(self) -> bool:
        return any(option.is_list for option in self.options)

    def _first(self, step: str, value: Any, location: Location, errors: list[Invalid], *more: Any) -> Any:
        tried: list[list[Invalid]] = []
        for option in self.options:
            found: list[Invalid] = []
            result = getattr(option, step)(value, location, found, *more)
            if not found:
                return result
            tried.append(found)
        real = [found for option, found in zip(self.options, tried, strict=True) if not isinstance(option, _None)]
        if value is not None and len(real) == 1:  # X | None given something that is not an X: say what X wants
            errors.extend(real[0])
            return BAD
        return _wrong(errors, location, "union_type", f"Input should fit one of: {self._names()}")

    def _names(self) -> str:
        return ", ".join(type(option).__name__.strip("_").lower() for option in self.options)

    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        if text and value == "" and any(isinstance(option, _None) for option in self.options):
            return None
        return self._first("check", value, location, errors, text)

    def dump(self, value: Any, location: Location, errors: list[Invalid]) -> Any:
        return self._first("dump", value, location, errors)

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        return {"anyOf": [option.schema(schemas, reply) for option in self.options]}


class _Member(NamedTuple):
    name: str
    shape: Shape
    required: bool
    default: Any  # a dataclass field's default (or factory, called), for the schema only


class _Object(Shape):
    """A dataclass or a TypedDict: an object of named members; unknown members are ignored, as Pydantic does."""

    def __init__(self, owner: type, members: list[_Member], build: Callable[[dict[str, Any]], Any]) -> None:
        self.owner, self.members, self.build = owner, members, build
        self.is_dataclass = hasattr(owner, "__dataclass_fields__")

    def _members(self, value: Any, location: Location, errors: list[Invalid], step: str, *more: Any) -> Any:
        if not isinstance(value, dict):
            return _wrong(errors, location, *self._not_object())
        before = len(errors)
        found: dict[str, Any] = {}
        for member in self.members:
            if member.name in value:
                found[member.name] = getattr(member.shape, step)(value[member.name], (*location, member.name), *more)
            elif member.required:
                _wrong(errors, (*location, member.name), "missing", "Field required")
        return BAD if len(errors) > before else found

    def _not_object(self) -> tuple[str, str]:
        if self.is_dataclass:
            return "dataclass_type", f"Input should be a dictionary or an instance of {self.owner.__name__}"
        return "dict_type", "Input should be a valid dictionary"

    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        found = self._members(value, location, errors, "check", errors, text)
        if found is BAD:
            return BAD
        try:
            return self.build(found)
        except (TypeError, ValueError) as exc:  # a dataclass's __post_init__ may refuse the values
            return _wrong(errors, location, "value_error", f"Value error, {exc}")

    def dump(self, value: Any, location: Location, errors: list[Invalid]) -> Any:
        if self.is_dataclass and isinstance(value, self.owner):
            value = {member.name: getattr(value, member.name) for member in self.members}
        return self._members(value, location, errors, "dump", errors)

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        return schemas.ref(self.owner, self.owner.__name__, lambda: self._own_schema(schemas, reply))

    def _own_schema(self, schemas: Schemas, reply: bool) -> dict[str, Any]:
        properties = {}
        for member in self.members:
            described = member.shape.schema(schemas, reply)
            if member.default is not _NO_DEFAULT and _is_json(member.default):
                described = {**described, "default": member.default}
            properties[member.name] = described
        schema: dict[str, Any] = {"title": self.owner.__name__, "type": "object", "properties": properties}
        required = [member.name for member in self.members if member.required]
        if required:
            schema["required"] = required
        doc = (self.owner.__doc__ or "").strip()
        if doc and not doc.startswith(f"{self.owner.__name__}("):  # not the signature dataclass writes
            schema["description"] = doc
        return schema

    def fields(self, schemas: Schemas) -> list[Field]:
        return [
            Field(member.name, member.required, member.shape.schema(schemas), member.shape.is_list)
            for member in self.members
        ]


_NO_DEFAULT: Any = object()


def _is_json(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool)) or (isinstance(value, list) and not value)


# Compiling an annotation --------------------------------------------------------------------------------------------


class Namespace(NamedTuple):
    """Where the names in string annotations are looked up: the module's globals, then the declaring scope's."""

    globals: dict[str, Any]
    locals: dict[str, Any]


def resolve(annotation: Any, names: Namespace, what: str) -> Any:
    """An annotation as an object: a string (`from __future__ import annotations`) is evaluated where it was written."""
    text = getattr(annotation, "__forward_arg__", annotation)  # a TypedDict keeps its strings as ForwardRef
    if not isinstance(text, str):
        return annotation
    try:
        return eval(text, names.globals, names.locals)
    except Exception as exc:
        raise UnsupportedType(
            f"{what}: the annotation {text!r} cannot be resolved ({type(exc).__name__}: {exc}); define or "
            "import what it names at module level, above the handler, not only under TYPE_CHECKING"
        ) from None


def _from_pydantic(thing: Any) -> bool:
    module = str(getattr(thing, "__module__", "") or getattr(type(thing), "__module__", "") or "")
    return module.split(".")[0] in ("pydantic", "pydantic_core", "annotated_types") or hasattr(
        thing, "__pydantic_validator__"
    )


def uses_pydantic(annotation: Any, names: Namespace, what: str, seen: set[int] | None = None) -> bool:
    """Whether a Pydantic model or type appears anywhere in `annotation` (then Pydantic validates all of it)."""
    annotation = resolve(annotation, names, what)
    seen = set() if seen is None else seen
    if id(annotation) in seen:
        return False
    seen.add(id(annotation))
    if _from_pydantic(annotation):
        return True
    if hasattr(annotation, "__metadata__"):  # Annotated[X, Field(gt=0)]: Pydantic's metadata needs Pydantic
        return any(_from_pydantic(item) for item in annotation.__metadata__) or uses_pydantic(
            annotation.__origin__, names, what, seen
        )
    if _typing_form(annotation, "Literal"):
        return False
    if isinstance(annotation, type):
        own = _namespace_of(annotation, names)
        return any(
            uses_pydantic(member, own, f"{what}: {annotation.__name__}", seen)
            for member in _member_annotations(annotation).values()
        )
    return any(uses_pydantic(arg, names, what, seen) for arg in getattr(annotation, "__args__", ()) if arg is not ...)


def _namespace_of(owner: type, names: Namespace) -> Namespace:
    module = sys.modules.get(owner.__module__)
    return Namespace(vars(module) if module is not None else names.globals, names.locals)


def _member_annotations(owner: type) -> dict[str, Any]:
    fields = getattr(owner, "__dataclass_fields__", None)
    if fields is not None:
        return {name: field.type for name, field in fields.items() if _is_init_field(field)}
    if _is_typed_dict(owner):
        return dict(owner.__annotations__)
    return {}


def _is_init_field(field: Any) -> bool:
    dataclasses = sys.modules["dataclasses"]
    return field._field_type is dataclasses._FIELD and field.init  # not a ClassVar, an InitVar or init=False


def _is_typed_dict(owner: type) -> bool:
    return isinstance(owner, type) and issubclass(owner, dict) and hasattr(owner, "__required_keys__")


def _typing_form(annotation: Any, name: str) -> bool:
    typing = sys.modules.get("typing")
    form = getattr(typing, name, None) if typing is not None else None
    return form is not None and (annotation is form or getattr(annotation, "__origin__", None) is form)


def _scalar(annotation: Any) -> Shape | None:
    simple: dict[Any, Shape] = {str: _Str(), int: _Int(), float: _Float(), bool: _Bool(), None: _None()}
    simple[type(None)] = simple[None]
    if annotation in simple:
        return simple[annotation]
    if annotation is object or _typing_form(annotation, "Any"):
        return _Any()
    datetime = sys.modules.get("datetime")  # an annotation naming a module's class: its module is loaded already
    if datetime is not None and annotation is datetime.datetime:
        return _Parsed(datetime.datetime, datetime.datetime.fromisoformat, "datetime", "date-time")
    if datetime is not None and annotation is datetime.date:
        return _Parsed(datetime.date, datetime.date.fromisoformat, "date", "date")
    uuid = sys.modules.get("uuid")
    if uuid is not None and annotation is uuid.UUID:
        return _Parsed(uuid.UUID, uuid.UUID, "uuid", "uuid")
    return None


def shape_of(annotation: Any, names: Namespace, what: str) -> Shape:
    """`annotation` (resolved) compiled for the standard library's validators; UnsupportedType saying why not."""
    return _compile(annotation, names, what, {})


def _compile(annotation: Any, names: Namespace, what: str, building: dict[int, Shape]) -> Shape:
    annotation = resolve(annotation, names, what)
    scalar = _scalar(annotation)
    if scalar is not None:
        return scalar
    if hasattr(annotation, "__metadata__"):  # Annotated[X, ...]: X, the metadata is for other tools
        return _compile(annotation.__origin__, names, what, building)
    if _typing_form(annotation, "Required") or _typing_form(annotation, "NotRequired"):
        return _compile(annotation.__args__[0], names, what, building)
    origin = getattr(annotation, "__origin__", None)
    args: tuple[Any, ...] = getattr(annotation, "__args__", ())
    if (
        type(annotation).__name__ == "UnionType"
        or _typing_form(annotation, "Union")
        or _typing_form(annotation, "Optional")
    ):
        return _Union([_compile(arg, names, what, building) for arg in args])
    if _typing_form(annotation, "Literal"):
        return _Choice(list(args))
    if origin in (list, tuple) or (origin is None and annotation in (list, tuple)):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            raise UnsupportedType(f"{what}: {_name(annotation)} is a fixed-length tuple; use tuple[X, ...] or list[X]")
        return _List(
            _compile(args[0] if args else object, names, what, building), as_tuple=tuple in (origin, annotation)
        )
    if origin is dict or annotation is dict:
        if args and args[0] is not str:
            raise UnsupportedType(f"{what}: {_name(annotation)} has keys of another type than str; JSON keys are text")
        return _Dict(_compile(args[1] if args else object, names, what, building))
    if isinstance(annotation, type):
        enum = sys.modules.get("enum")
        if enum is not None and issubclass(annotation, enum.Enum):
            choices: Any = annotation
            members = {member.value: member for member in choices}
            return _Choice(list(members), members, annotation)
        if id(annotation) in building:
            return building[id(annotation)]
        if hasattr(annotation, "__dataclass_fields__") or _is_typed_dict(annotation):
            return _object(annotation, names, what, building)
    raise UnsupportedType(
        f"{what}: {_name(annotation)} cannot be validated; use a dataclass, a TypedDict, a Pydantic model, or str, "
        "int, float, bool, None, list[...], dict[str, ...], a union, Literal, an Enum, datetime, date or UUID"
    )


def _name(annotation: Any) -> str:
    if getattr(annotation, "__origin__", None) is not None:  # list[int] answers list's __qualname__
        return repr(annotation)
    return getattr(annotation, "__qualname__", None) or repr(annotation)


class _Placeholder(Shape):
    """Stands for a class while its own members are compiled (a class that refers to itself)."""

    def __init__(self) -> None:
        self.target: Shape | None = None

    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        assert self.target is not None
        return self.target.check(value, location, errors, text)

    def dump(self, value: Any, location: Location, errors: list[Invalid]) -> Any:
        assert self.target is not None
        return self.target.dump(value, location, errors)

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        assert self.target is not None
        return self.target.schema(schemas, reply)


def _object(owner: type, names: Namespace, what: str, building: dict[int, Shape]) -> Shape:
    placeholder = _Placeholder()
    building[id(owner)] = placeholder
    own = _namespace_of(owner, names)
    members: list[_Member] = []
    if hasattr(owner, "__dataclass_fields__"):
        dataclasses = sys.modules["dataclasses"]
        for field in owner.__dataclass_fields__.values():
            if not _is_init_field(field):
                continue
            default = field.default
            if default is dataclasses.MISSING and field.default_factory is not dataclasses.MISSING:
                default = _NO_DEFAULT
            shape = _compile(field.type, own, f"{what}: {owner.__name__}.{field.name}", building)
            required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
            members.append(_Member(field.name, shape, required, _NO_DEFAULT if required else default))

        def build(values: dict[str, Any]) -> Any:
            return owner(**values)

    else:
        hints = _typed_dict_hints(owner, own, what)
        for name, hint in hints.items():
            required = name in owner.__required_keys__  # type: ignore[attr-defined]
            if _typing_form(hint, "Required"):
                required = True
            elif _typing_form(hint, "NotRequired"):
                required = False
            shape = _compile(hint, own, f"{what}: {owner.__name__}.{name}", building)
            members.append(_Member(name, shape, required, _NO_DEFAULT))

        def build(values: dict[str, Any]) -> Any:
            return values

    shape = _Object(owner, members, build)
    placeholder.target = shape
    building[id(owner)] = shape
    return shape


def _typed_dict_hints(owner: type, names: Namespace, what: str) -> dict[str, Any]:
    import typing  # a TypedDict's module imported it already

    try:
        return typing.get_type_hints(owner, localns=names.locals, include_extras=True)
    except Exception as exc:
        raise UnsupportedType(
            f"{what}: the annotations of {owner.__name__} cannot be resolved ({type(exc).__name__}: {exc}); define "
            "what they name at module level"
        ) from None
