"""providers/gcp/deploy/openapi.py's `swagger_schema`: the App's JSON Schemas in the subset OpenAPI 2.0 takes,
which API Gateway on GCP reads."""

from __future__ import annotations

from typing import Any

import pytest

from providers.gcp.deploy.openapi import swagger_schema


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"$ref": "#/components/schemas/Note"}, {"$ref": "#/definitions/Note"}),
        ({"anyOf": [{"$ref": "#/components/schemas/Note"}, {"type": "null"}]}, {"$ref": "#/definitions/Note"}),
        (
            {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
            {"type": "integer", "x-nullable": True, "default": None},
        ),
        ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, {}),
        ({"type": ["string", "null"]}, {"type": "string", "x-nullable": True}),
        ({"const": "a"}, {"enum": ["a"]}),
        ({"type": "number", "exclusiveMinimum": 0}, {"type": "number", "minimum": 0, "exclusiveMinimum": True}),
        (
            {"type": "array", "items": {"$ref": "#/components/schemas/Note"}, "examples": [[]]},
            {"type": "array", "items": {"$ref": "#/definitions/Note"}},
        ),
        (
            {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}},
            {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}},
        ),
    ],
)
def test_json_schema_becomes_openapi_2(schema: dict[str, Any], expected: dict[str, Any]) -> None:
    assert swagger_schema(schema) == expected
