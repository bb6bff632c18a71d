"""portable/openapi.py: the App's OpenAPI 3.1 document, valid, with every route's parameters, bodies, replies,
errors and security, from typed and plain handlers alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from portable.loading import load_app
from portable.openapi import openapi_document
from tests.support.packages import make_package

APP = """
from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from portable import Request, Response, http, jwt_auth

members = jwt_auth(issuer="https://issuer.example.com/", audiences=["api", "other"], name="members")


@dataclass
class NoteIn:
    title: str
    pinned: bool = False


@dataclass
class NoteOut:
    id: int
    title: str


class Page(TypedDict, total=False):
    limit: int
    tag: list[str]


@http("POST /notes", status=201, auth=members)
def create(request: Request, body: NoteIn) -> NoteOut:
    '''Create a note.

    It is pinned if asked.
    '''
    return NoteOut(1, body.title)


@http("GET /notes")
def listing(query: Page) -> list[NoteOut]:
    return []


@http("GET /notes/{note_id}")
def read(note_id: int) -> NoteOut:
    return NoteOut(note_id, "")


@http("GET /text")
def text(request: Request) -> str:
    return ""


@http("GET /raw")
def raw(request: Request) -> bytes:
    return b""


@http("DELETE /notes/{note_id}")
def delete(request: Request) -> None:
    return None


@http("GET /custom")
def custom(request: Request) -> Response:
    return Response()


@http("ANY /files/{path+}")
def files(request: Request) -> dict[str, str]:
    return {}


@http("GET /files/{path+}")
def read_file(request: Request) -> dict[str, int]:
    return {}
"""


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    package = make_package(Path(tmp_path_factory.mktemp("app")), notes=APP)
    built = openapi_document(load_app(package), "notes", servers=["http://127.0.0.1:8080"])
    validate(built)
    return built


def test_a_typed_route_has_its_body_reply_errors_and_security(document: dict[str, Any]) -> None:
    create = document["paths"]["/notes"]["post"]
    assert create["operationId"] == "create"
    assert (create["summary"], create["description"]) == ("Create a note.", "It is pinned if asked.")
    assert create["requestBody"] == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NoteIn"}}},
    }
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NoteOut"
    }
    assert set(create["responses"]) == {"201", "400", "401", "413", "422", "500"}
    assert create["responses"]["422"] == {"$ref": "#/components/responses/ValidationFailed"}
    assert create["security"] == [{"members": []}]
    scheme = document["components"]["securitySchemes"]["members"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert (scheme["x-portable-issuer"], scheme["x-portable-audiences"]) == (
        "https://issuer.example.com/",
        ["api", "other"],
    )
    assert document["servers"] == [{"url": "http://127.0.0.1:8080"}]


def test_query_and_path_parameters_carry_their_schemas(document: dict[str, Any]) -> None:
    assert document["paths"]["/notes"]["get"]["parameters"] == [
        {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}},
        {"name": "tag", "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}}},
    ]
    assert document["paths"]["/notes/{note_id}"]["get"]["parameters"] == [
        {"name": "note_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]
    assert document["paths"]["/notes/{note_id}"]["delete"]["parameters"][0]["schema"] == {"type": "string"}


def test_plain_handlers_say_what_their_annotations_say(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert paths["/text"]["get"]["responses"]["200"]["content"] == {"text/plain": {"schema": {"type": "string"}}}
    assert paths["/raw"]["get"]["responses"]["200"]["content"] == {"application/octet-stream": {}}
    assert "204" in paths["/notes/{note_id}"]["delete"]["responses"]
    assert "content" not in paths["/custom"]["get"]["responses"]["200"]
    assert "422" not in paths["/text"]["get"]["responses"]


def test_any_fills_the_methods_no_other_route_of_its_path_takes(document: dict[str, Any]) -> None:
    item = document["paths"]["/files/{path}"]
    assert item["get"]["operationId"] == "read_file"
    assert {method: operation["operationId"] for method, operation in item.items() if method != "get"} == {
        "post": "files_post",
        "put": "files_put",
        "patch": "files_patch",
        "delete": "files_delete",
    }
    assert item["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "object",
        "additionalProperties": {"type": "integer"},
    }


def test_the_portable_error_bodies_are_described(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["error", "status", "request_id"]
    assert schemas["FieldError"]["required"] == ["location", "message", "type"]
    assert document["components"]["responses"]["ValidationFailed"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationError"
    }
