"""Route strings and matching: what API Gateway and the GCP shim agree on."""

from __future__ import annotations

import pytest

from portable.routes import parse_route


@pytest.mark.parametrize(
    ("route", "path", "params"),
    [
        ("GET /hello", "/hello", {}),
        ("GET /hello", "/hello/", None),
        ("GET /hello", "/hell", None),
        ("GET /users/{id}", "/users/42", {"id": "42"}),
        ("GET /users/{id}", "/users/", None),
        ("GET /users/{id}", "/users/42/posts", None),
        ("GET /users/{id}/posts/{post}", "/users/a b/posts/é", {"id": "a b", "post": "é"}),
        ("ANY /files/{path+}", "/files/a/b/c.txt", {"path": "a/b/c.txt"}),
        ("ANY /files/{path+}", "/files/", None),
        ("ANY /files/{path+}", "/files", None),
        ("ANY /{path+}", "/", None),
        ("GET /", "/", {}),
        ("GET /", "/x", None),
    ],
)
def test_match(route: str, path: str, params: dict[str, str] | None) -> None:
    assert parse_route(route).match(path) == params


def test_methods() -> None:
    assert parse_route("post /x").method == "POST"
    assert parse_route("ANY /x").allows("DELETE")
    assert parse_route("GET /x").allows("get") and not parse_route("GET /x").allows("POST")


def test_a_colon_inside_a_segment_stays_literal_text() -> None:
    assert parse_route("POST /v1/items:batch").match("/v1/items:batch") == {}
