"""Annotations that name a Pydantic model (v2), validated by Pydantic itself.

Imported only for a function whose annotations use Pydantic (`portable.shapes.uses_pydantic`), so Pydantic is
loaded by exactly the functions whose own modules import it. Pydantic's rules apply as the model declares them
(lax by default: "5" fits an `int`); its errors are reported in the portable form, location first.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, TypeAdapter, ValidationError

from portable.runtime_typing import TYPE_CHECKING
from portable.shapes import BAD, Field, Invalid, Location, Schemas, Shape

if TYPE_CHECKING:
    from typing import Any

REF_TEMPLATE = "#/components/schemas/{model}"


class PydanticShape(Shape):
    def __init__(self, annotation: Any) -> None:
        self.annotation = annotation
        self.adapter: TypeAdapter[Any] = TypeAdapter(annotation)

    @property
    def is_list(self) -> bool:
        return self._own_schema(Schemas(), False).get("type") == "array"

    def check(self, value: Any, location: Location, errors: list[Invalid], text: bool = False) -> Any:
        try:
            return self.adapter.validate_python(value)
        except ValidationError as exc:
            errors.extend(_portable(exc, location))
            return BAD

    def dump(self, value: Any, location: Location, errors: list[Invalid]) -> Any:
        try:
            # What the client gets is checked, not the object: model_construct(...) builds one unvalidated.
            sent = self.adapter.dump_json(self.adapter.validate_python(value), warnings=False)
            self.adapter.validate_json(sent)
            return json.loads(sent)
        except ValidationError as exc:
            errors.extend(_portable(exc, location))
            return BAD

    def schema(self, schemas: Schemas, reply: bool = False) -> dict[str, Any]:
        described = self._own_schema(schemas, reply)
        if isinstance(self.annotation, type) and issubclass(self.annotation, BaseModel):
            return schemas.add(self.annotation.__name__, described, self.annotation)
        return described

    def _own_schema(self, schemas: Schemas, reply: bool) -> dict[str, Any]:
        described = self.adapter.json_schema(ref_template=REF_TEMPLATE, mode="serialization" if reply else "validation")
        renamed: dict[str, str] = {}
        for name, definition in described.pop("$defs", {}).items():
            renamed[name] = schemas.add(name, definition, None)["$ref"].rsplit("/", 1)[1]
        return _renamed(described, renamed) if any(old != new for old, new in renamed.items()) else described

    def fields(self, schemas: Schemas) -> list[Field]:
        described = self._own_schema(schemas, False)
        required = set(described.get("required", ()))
        return [
            Field(name, name in required, schema, _is_array(schema))
            for name, schema in described.get("properties", {}).items()
        ]


def _is_array(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "array" or any(option.get("type") == "array" for option in schema.get("anyOf", ()))


def _renamed(schema: Any, names: dict[str, str]) -> Any:
    if isinstance(schema, dict):
        return {
            key: (
                REF_TEMPLATE.format(model=names.get(value.rsplit("/", 1)[1], value.rsplit("/", 1)[1]))
                if key == "$ref" and isinstance(value, str)
                else _renamed(value, names)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_renamed(item, names) for item in schema]
    return schema


def _portable(exc: ValidationError, location: Location) -> list[Invalid]:
    return [Invalid((*location, *error["loc"]), error["msg"], error["type"]) for error in exc.errors(include_url=False)]
