"""The API Gateway's OpenAPI 2.0 document, generated from the HTTP routes (pure, no Pulumi).

Each operation forwards to its function's URL with the request path appended, so the shim
sees the same path as on AWS; the gateway signs each call with an ID token for that URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portable.routes import Route

ALL_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


@dataclass(frozen=True)
class Backend:
    function: str
    route: Route
    url: str
    timeout_seconds: int


def openapi_path(route: Route) -> tuple[str, list[str]]:
    """`/files/{path+}` -> (`/files/{path=**}`, ["path"]): API Gateway's multi-segment wildcard."""
    segments = [
        f"{{{segment.text}=**}}" if segment.greedy else f"{{{segment.text}}}" if segment.is_param else segment.text
        for segment in route.segments
    ]
    return "/" + "/".join(segments), list(route.params)


def _operation(backend: Backend, method: str, parameters: list[str]) -> dict[str, Any]:
    return {
        "operationId": f"{backend.function}_{method}",
        "parameters": [{"name": name, "in": "path", "required": True, "type": "string"} for name in parameters],
        "x-google-backend": {
            "address": backend.url,
            "path_translation": "APPEND_PATH_TO_ADDRESS",
            "jwt_audience": backend.url,
            "deadline": float(backend.timeout_seconds),
        },
        "responses": {"default": {"description": "the function's reply"}},
    }


def openapi_document(title: str, backends: list[Backend]) -> dict[str, Any]:
    """Explicit methods first, so `ANY /x` fills only the methods no other route of `/x` claims."""
    paths: dict[str, dict[str, Any]] = {}
    ordered = sorted(backends, key=lambda backend: (backend.route.method == "ANY", backend.route.path))
    for backend in ordered:
        path, parameters = openapi_path(backend.route)
        item = paths.setdefault(path, {})
        methods = ALL_METHODS if backend.route.method == "ANY" else (backend.route.method.lower(),)
        for method in methods:
            item.setdefault(method, _operation(backend, method, parameters))
    return {
        "swagger": "2.0",
        "info": {"title": title, "version": "1.0.0"},
        "schemes": ["https"],
        "produces": ["application/json"],
        "paths": dict(sorted(paths.items())),
    }
