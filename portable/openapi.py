"""The App's OpenAPI 3.1 document: every route with its parameters, request and reply schemas, the portable error
bodies, and the security scheme of each `jwt_auth` (its issuer and audiences).

One document serves everyone: `portable openapi` writes it, the local runner serves it to its API explorer, the
AWS deploy exports it, and the GCP deploy carries its schemas in API Gateway's OpenAPI 2.0 document. It is plain
data built from the App; a typed handler's shapes (`portable.http_types`) give the schemas, a plain handler's
return annotation what can be said of its reply.
"""

from __future__ import annotations

from portable.app import App
from portable.http_trigger import HttpFunction, auths, functions
from portable.runtime_typing import TYPE_CHECKING
from portable.shapes import Namespace, Schemas, Shape, UnsupportedType, resolve, shape_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from portable.auth import JwtAuth

OPENAPI_VERSION = "3.1.0"
ANY_METHODS = ("get", "post", "put", "patch", "delete")

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "description": "The portable error body, the same on every target.",
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "What went wrong and how to fix it."},
        "status": {"type": "integer", "description": "The HTTP status, repeated."},
        "request_id": {"type": "string", "description": "The request's id, as the logs carry it."},
    },
    "required": ["error", "status", "request_id"],
}
FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "FieldError",
    "type": "object",
    "properties": {
        "location": {"type": "string", "description": "Where: body.title, query.limit, path.note_id."},
        "message": {"type": "string"},
        "type": {"type": "string", "description": "The kind of error, in Pydantic's names (missing, int_parsing)."},
    },
    "required": ["location", "message", "type"],
}
VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ValidationError",
    "description": "A 422: the request does not fit the route's declared types; `errors` lists each field.",
    "allOf": [
        {"$ref": "#/components/schemas/Error"},
        {
            "type": "object",
            "properties": {"errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}},
            "required": ["errors"],
        },
    ],
}
ERROR_RESPONSES = {
    "BadRequest": "The request cannot be read (e.g. its body is not JSON), or the handler refused it.",
    "Unauthorized": "No valid token: send Authorization: Bearer <token> of the route's issuer.",
    "PayloadTooLarge": "The body is over 6 MiB, the strictest cloud's limit.",
    "ValidationFailed": "The path, query or body does not fit the declared types.",
    "InternalError": "The handler failed; the body carries the request id, the logs the rest.",
}


def _response_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def openapi_document(
    app: App, title: str, version: str = "1.0.0", servers: Iterable[str] = (), description: str | None = None
) -> dict[str, Any]:
    """The document of `app`'s routes; `servers` are the base URLs it answers at, if known."""
    schemas = Schemas()
    schemas.named.update(
        {"Error": ERROR_SCHEMA, "FieldError": FIELD_ERROR_SCHEMA, "ValidationError": VALIDATION_ERROR_SCHEMA}
    )
    paths: dict[str, dict[str, Any]] = {}
    specs = sorted(functions(app), key=lambda spec: (spec.trigger.route.path, spec.trigger.route.method))
    for spec in specs:
        route = spec.trigger.route
        item = paths.setdefault(document_path(route.path), {})
        methods = [method for method in ANY_METHODS if method not in item] if route.method == "ANY" else None
        for method in methods if methods is not None else [route.method.lower()]:
            operation_id = f"{spec.name}_{method}" if methods is not None else spec.name
            item[method] = _operation(spec, app.handlers[spec.name], operation_id, schemas)
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": version, **({"description": description} if description else {})},
    }
    if servers:
        document["servers"] = [{"url": url} for url in servers]
    document["paths"] = dict(sorted(paths.items()))
    components: dict[str, Any] = {
        "schemas": dict(sorted(schemas.named.items())),
        "responses": {
            name: {
                "description": text,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{_error_schema(name)}"},
                    }
                },
            }
            for name, text in ERROR_RESPONSES.items()
        },
    }
    required = auths(app)
    if required:
        components["securitySchemes"] = {auth.name: security_scheme(auth) for auth in required}
    document["components"] = components
    return document


def _error_schema(response: str) -> str:
    return "ValidationError" if response == "ValidationFailed" else "Error"


def document_path(path: str) -> str:
    """`/files/{path+}` -> `/files/{path}`: OpenAPI names a parameter, greedy or not, by its name alone."""
    return path.replace("+}", "}")


def security_scheme(auth: JwtAuth) -> dict[str, Any]:
    """A bearer JWT of `auth`'s issuer, for one of its audiences; the `x-portable-` fields say which exactly."""
    return {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": f"A JWT issued by {auth.issuer} for {' or '.join(auth.audiences)}.",
        "x-portable-issuer": auth.issuer,
        "x-portable-audiences": list(auth.audiences),
        "x-portable-jwks-uri": auth.jwks_uri,
    }


def _operation(spec: HttpFunction, handler: Callable[..., Any], operation_id: str, schemas: Schemas) -> dict[str, Any]:
    types = spec.trigger.types
    summary, _, details = (handler.__doc__ or "").strip().partition("\n")
    operation: dict[str, Any] = {"operationId": operation_id, "tags": [spec.module.rpartition(".")[2]]}
    if summary:
        operation["summary"] = summary.strip()
    if details.strip():
        operation["description"] = _dedented(details)
    parameters = []
    path_shapes = {param.name: param.shape for param in types.params if param.source == "path"} if types else {}
    for name in spec.trigger.route.params:
        shape = path_shapes.get(name)
        schema = shape.schema(schemas) if shape is not None else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    query = types.param("query") if types else None
    if query is not None and query.shape is not None:
        for field in query.shape.fields(schemas):
            parameters.append({"name": field.name, "in": "query", "required": field.required, "schema": field.schema})
    if parameters:
        operation["parameters"] = parameters
    body = types.param("body") if types else None
    if body is not None and body.shape is not None:
        operation["requestBody"] = {
            "required": not body.has_default,
            "content": {"application/json": {"schema": body.shape.schema(schemas)}},
        }
    responses = _replies(spec, handler, schemas)
    if spec.trigger.auth is not None:
        responses["401"] = _response_ref("Unauthorized")
        operation["security"] = [{spec.trigger.auth.name: []}]
    responses["400"] = _response_ref("BadRequest")
    responses["413"] = _response_ref("PayloadTooLarge")
    if types is not None and any(param.shape is not None for param in types.params):
        responses["422"] = _response_ref("ValidationFailed")
    responses["500"] = _response_ref("InternalError")
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _dedented(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip()


def _replies(spec: HttpFunction, handler: Callable[..., Any], schemas: Schemas) -> dict[str, Any]:
    types = spec.trigger.types
    status = str(types.status) if types is not None else "200"
    if types is not None and types.reply is not None:
        return _json_reply(status, types.reply.schema(schemas, reply=True))
    names = Namespace(handler.__globals__, {})
    try:
        returned = resolve(handler.__annotations__.get("return"), names, "the return annotation")
    except UnsupportedType:
        returned = None
    if returned is None or returned is type(None):
        if "return" in handler.__annotations__:
            return {"204": {"description": "No content."}}
        return {status: {"description": "The function's reply."}}
    if returned is str:
        return {status: {"description": "Text.", "content": {"text/plain": {"schema": {"type": "string"}}}}}
    if returned in (bytes, bytearray):
        return {status: {"description": "Bytes.", "content": {"application/octet-stream": {}}}}
    described = _plain_schema(returned, names, schemas)
    if described is None:
        return {status: {"description": "The function's reply."}}
    return _json_reply(status, described)


def _plain_schema(returned: Any, names: Namespace, schemas: Schemas) -> dict[str, Any] | None:
    """What a plain handler's return annotation (`dict[str, str]`) says of its JSON reply; None for a Response."""
    origin = getattr(returned, "__origin__", returned)
    if origin not in (dict, list):
        return None
    try:
        shape: Shape = shape_of(returned, names, "the return annotation")
    except UnsupportedType:
        return {"type": "object" if origin is dict else "array"}
    return shape.schema(schemas, reply=True)


def _json_reply(status: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {status: {"description": "The reply.", "content": {"application/json": {"schema": schema}}}}
