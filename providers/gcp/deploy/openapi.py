"""The API Gateway's OpenAPI 2.0 document, generated from the HTTP routes (pure, no Pulumi).

Each operation forwards to its function's URL with the request path appended, so the shim
sees the same path as on AWS; the gateway signs each call with an ID token for that URL.
With CORS, a path no route claims OPTIONS on gets an OPTIONS operation, open to anyone, to one of its functions:
the shim answers the preflight. Every operation of a route with `auth=` requires its `jwt_auth`, OPTIONS included
(`load_app` refuses a route that requires auth and takes OPTIONS under CORS, whose preflights would need it open);
one security definition per issuer (`x-google-issuer`, `x-google-jwks_uri`, `x-google-audiences`). The gateway
hands the verified claims on in `X-Apigateway-Api-Userinfo`; on an operation without `security` it passes that
header on as the caller sent it, so the shim reads it only where the route requires auth.

The App's OpenAPI 3.1 document (portable/openapi.py) gives each operation its parameters, body and replies, and
the document its `definitions`: the same schemas as on AWS and locally, written in OpenAPI 2.0's subset of JSON
Schema (`swagger_schema`): a nullable type is `x-nullable`, a union it cannot say is any value, `const` an enum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portable.auth import JwtAuth
from portable.openapi import document_path
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


def _operation(backend: Backend, method: str, parameters: list[str], api: dict[str, Any]) -> dict[str, Any]:
    operation = _open_operation(backend, method, parameters)
    if backend.auth is not None:
        operation["security"] = [{backend.auth.name: []}]
    typed = api.get("paths", {}).get(document_path(backend.route.path), {}).get(method)
    if typed is not None:
        _describe(operation, typed, api, greedy={seg.text for seg in backend.route.segments if seg.greedy})
    return operation


def _describe(operation: dict[str, Any], typed: dict[str, Any], api: dict[str, Any], greedy: set[str]) -> None:
    """Put the 3.1 operation's parameters, body and replies on the gateway's operation, in OpenAPI 2.0's words."""
    parameters = []
    for parameter in typed.get("parameters", []):
        converted = swagger_schema(parameter["schema"])
        if parameter["name"] in greedy or "type" not in converted or "$ref" in converted:
            converted = {"type": "string"}
        described = {"name": parameter["name"], "in": parameter["in"], "required": parameter["required"]}
        described.update({key: converted[key] for key in ("type", "format", "items", "enum") if key in converted})
        if converted.get("type") == "array":
            described["collectionFormat"] = "multi"
        parameters.append(described)
    operation["parameters"] = parameters
    body = typed.get("requestBody")
    if body is not None:
        schema = body["content"]["application/json"]["schema"]
        parameters.append(
            {"name": "body", "in": "body", "required": body["required"], "schema": swagger_schema(schema)}
        )
        operation["consumes"] = ["application/json"]
    replies: dict[str, Any] = {}
    for status, reply in typed["responses"].items():
        if "$ref" in reply:
            reply = api["components"]["responses"][reply["$ref"].rsplit("/", 1)[1]]
        described = {"description": reply["description"]}
        content = reply.get("content", {})
        if "application/json" in content:
            described["schema"] = swagger_schema(content["application/json"]["schema"])
        replies[status] = described
    operation["responses"] = replies


_DROPPED = frozenset({"examples", "prefixItems", "discriminator", "$schema", "const", "anyOf", "oneOf", "allOf"})


def swagger_schema(schema: Any) -> Any:
    """A JSON Schema (2020-12, as OpenAPI 3.1 writes it) in the subset OpenAPI 2.0 takes."""
    if isinstance(schema, list):
        return [swagger_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return {"$ref": schema["$ref"].replace("#/components/schemas/", "#/definitions/")}
    converted: dict[str, Any] = {key: swagger_schema(value) for key, value in schema.items() if key not in _DROPPED}
    if "const" in schema:
        converted["enum"] = [schema["const"]]
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        real = [option for option in options if option.get("type") != "null"]
        if len(real) == 1 and "$ref" in real[0]:
            return swagger_schema(real[0])  # 2.0 allows nothing beside a $ref
        if len(real) == 1:
            converted.update(swagger_schema(real[0]))
        if len(real) < len(options):
            converted["x-nullable"] = True
    if "allOf" in schema:
        converted["allOf"] = [swagger_schema(part) for part in schema["allOf"]]
    kind = schema.get("type")
    if isinstance(kind, list):
        real_kinds = [item for item in kind if item != "null"]
        converted.pop("type")
        if len(real_kinds) == 1:
            converted["type"] = real_kinds[0]
        if "null" in kind:
            converted["x-nullable"] = True
    elif kind == "null":
        converted.pop("type")
        converted["x-nullable"] = True
    for bound in ("exclusiveMinimum", "exclusiveMaximum"):
        if isinstance(schema.get(bound), (int, float)) and not isinstance(schema.get(bound), bool):
            converted[bound.replace("exclusiveM", "m")] = schema[bound]
            converted[bound] = True
    return converted


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


def openapi_document(
    title: str, backends: list[Backend], cors: bool = False, api: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Explicit methods first, so `ANY /x` fills only the methods no other route of `/x` claims; with `cors`,
    preflights (OPTIONS) of every path go to its first backend. `api`, the App's OpenAPI 3.1 document, gives the
    operations their parameters, bodies and replies, and the document its definitions."""
    api = api or {}
    paths: dict[str, dict[str, Any]] = {}
    ordered = sorted(backends, key=lambda backend: (backend.route.method == "ANY", backend.route.path))
    for backend in ordered:
        path, parameters = openapi_path(backend.route)
        item = paths.setdefault(path, {})
        methods = ALL_METHODS if backend.route.method == "ANY" else (backend.route.method.lower(),)
        for method in methods:
            item.setdefault(method, _operation(backend, method, parameters, api))
        if cors:
            item.setdefault("options", _open_operation(backend, "options", parameters))
    document: dict[str, Any] = {
        "swagger": "2.0",
        "info": {"title": title, "version": "1.0.0"},
        "schemes": ["https"],
        "produces": ["application/json"],
        "paths": dict(sorted(paths.items())),
    }
    definitions = api.get("components", {}).get("schemas", {})
    if definitions:
        document["definitions"] = {name: swagger_schema(schema) for name, schema in sorted(definitions.items())}
    auths = {backend.auth.name: backend.auth for backend in backends if backend.auth is not None}
    if auths:
        document["securityDefinitions"] = {name: security_definition(auths[name]) for name in sorted(auths)}
    return document
