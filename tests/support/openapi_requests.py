"""Whether a request fits an OpenAPI 3.1 document: its route and method, its path and query parameters and its JSON
body, each checked with openapi-schema-validator against the operation's schemas."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from openapi_schema_validator import OAS31Validator


def request_problems(document: dict[str, Any], method: str, target: str, body: bytes = b"") -> list[str]:
    """What in the request `method target` (a path with its query) with `body` does not fit `document`; [] if
    nothing."""
    url = urlsplit(target)
    path = unquote(url.path)
    found = _operation(document, method.lower(), path)
    if isinstance(found, str):
        return [found]
    operation, path_values = found
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(url.query, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    problems = []
    for parameter in operation.get("parameters", []):
        given = path_values.get(parameter["name"]) if parameter["in"] == "path" else query.get(parameter["name"])
        if given is None:
            if parameter.get("required"):
                problems.append(f"{parameter['in']}.{parameter['name']}: required")
            continue
        value = _from_text(given, parameter["schema"], document)
        problems += _schema_problems(document, parameter["schema"], value, f"{parameter['in']}.{parameter['name']}")
    declared = operation.get("requestBody")
    if declared is not None:
        if not body.strip():
            if declared.get("required"):
                problems.append("body: required")
        else:
            try:
                value = json.loads(body)
            except ValueError:
                return [*problems, "body: not JSON"]
            problems += _schema_problems(document, declared["content"]["application/json"]["schema"], value, "body")
    return problems


def _operation(document: dict[str, Any], method: str, path: str) -> tuple[dict[str, Any], dict[str, Any]] | str:
    for template, item in document["paths"].items():
        names = re.findall(r"{([^}]+)}", template)
        pattern = re.escape(template)
        for index, name in enumerate(names):
            last = index == len(names) - 1 and template.endswith("{" + name + "}")
            pattern = pattern.replace(re.escape("{" + name + "}"), "(.+)" if last else "([^/]+)")
        matched = re.fullmatch(pattern, path)
        if matched:
            if method not in item:
                return f"{method.upper()} is not an operation of {template}"
            return item[method], dict(zip(names, matched.groups(), strict=True))
    return f"no route of the document takes {path}"


def _resolved(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _from_text(given: Any, schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A query or path value as the schema's type: the text, where it is no such value (then it does not fit)."""
    schema = _resolved(schema, document)
    if schema.get("type") == "array":
        items = schema.get("items", {})
        return [_from_text(item, items, document) for item in (given if isinstance(given, list) else [given])]
    text = given[-1] if isinstance(given, list) else given
    kinds = [schema.get("type")] + [option.get("type") for option in schema.get("anyOf", [])]
    converters = {"integer": int, "number": float, "boolean": {"true": True, "false": False}.__getitem__}
    for kind in kinds:
        if kind in converters:
            try:
                return converters[kind](text)
            except (ValueError, KeyError):
                continue
    return text


def _schema_problems(document: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> list[str]:
    validator = OAS31Validator({**schema, "components": document.get("components", {})})
    return [f"{where}: {error.message}" for error in validator.iter_errors(value)]
