"""The API Gateway's OpenAPI 2.0 document, generated from the HTTP routes (pure, no Pulumi).

Each operation forwards to its function's URL with the request path appended, so the shim
sees the same path as on AWS; the gateway signs each call with an ID token for that URL.
With CORS, a path no route claims OPTIONS on gets an OPTIONS operation, open to anyone, to one of its functions:
the shim answers the preflight. Every operation of a route with `auth=` requires its `jwt_auth`, OPTIONS included
(`load_app` refuses a route that requires auth and takes OPTIONS under CORS, whose preflights would need it open);
one security definition per issuer (`x-google-issuer`, `x-google-jwks_uri`, `x-google-audiences`). The gateway
hands the verified claims on in `X-Apigateway-Api-Userinfo`; on an operation without `security` it passes that
header on as the caller sent it, so the shim reads it only where the route requires auth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portable.auth import JwtAuth
from portable.routes import Route

ALL_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


@dataclass(frozen=True)
class Backend:
    function: str
    route: Route
    url: str
    timeout_seconds: int
    auth: JwtAuth | None = None


def openapi_path(route: Route) -> tuple[str, list[str]]:
    """`/files/{path+}` -> (`/files/{path=**}`, ["path"]): API Gateway's multi-segment wildcard."""
    segments = [
        f"{{{segment.text}=**}}" if segment.greedy else f"{{{segment.text}}}" if segment.is_param else segment.text
        for segment in route.segments
    ]
    return "/" + "/".join(segments), list(route.params)


def _operation(backend: Backend, method: str, parameters: list[str]) -> dict[str, Any]:
    operation = _open_operation(backend, method, parameters)
    if backend.auth is not None:
        operation["security"] = [{backend.auth.name: []}]
    return operation


def security_definition(auth: JwtAuth) -> dict[str, Any]:
    return {
        "authorizationUrl": "",
        "flow": "implicit",
        "type": "oauth2",
        "x-google-issuer": auth.issuer,
        "x-google-jwks_uri": auth.jwks_uri,
        "x-google-audiences": ",".join(auth.audiences),
    }


def _open_operation(backend: Backend, method: str, parameters: list[str]) -> dict[str, Any]:
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


def openapi_document(title: str, backends: list[Backend], cors: bool = False) -> dict[str, Any]:
    """Explicit methods first, so `ANY /x` fills only the methods no other route of `/x` claims; with `cors`,
    preflights (OPTIONS) of every path go to its first backend."""
    paths: dict[str, dict[str, Any]] = {}
    ordered = sorted(backends, key=lambda backend: (backend.route.method == "ANY", backend.route.path))
    for backend in ordered:
        path, parameters = openapi_path(backend.route)
        item = paths.setdefault(path, {})
        methods = ALL_METHODS if backend.route.method == "ANY" else (backend.route.method.lower(),)
        for method in methods:
            item.setdefault(method, _operation(backend, method, parameters))
        if cors:
            item.setdefault("options", _open_operation(backend, "options", parameters))
    document: dict[str, Any] = {
        "swagger": "2.0",
        "info": {"title": title, "version": "1.0.0"},
        "schemes": ["https"],
        "produces": ["application/json"],
        "paths": dict(sorted(paths.items())),
    }
    auths = {backend.auth.name: backend.auth for backend in backends if backend.auth is not None}
    if auths:
        document["securityDefinitions"] = {name: security_definition(auths[name]) for name in sorted(auths)}
    return document
