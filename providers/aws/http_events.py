"""API Gateway proxy events (HTTP API payload 2.0, REST API 1.0) <-> portable HTTP."""

from __future__ import annotations

from typing import Any

from portable.errors import HttpError
from portable.invoke import Reply, new_request_id
from portable.request import Headers, Query, Request, parse_cookie_header


def is_v2(event: dict[str, Any]) -> bool:
    return event.get("version") == "2.0" and "rawPath" in event


def is_v1(event: dict[str, Any]) -> bool:
    return "httpMethod" in event and ("resource" in event or "path" in event)


def is_http(event: dict[str, Any]) -> bool:
    return is_v2(event) or is_v1(event)


def decode_request(event: dict[str, Any], fallback_request_id: str | None) -> Request:
    """The portable request of an API Gateway 2.0 or 1.0 event; HttpError for the caller's faults."""
    if is_v2(event):
        return request_from_v2(event, fallback_request_id)
    return request_from_v1(event, fallback_request_id)


def encode_reply(event: dict[str, Any], reply: Reply) -> dict[str, Any]:
    """`reply` in the payload version `event` came in."""
    return reply_to_v2(reply) if is_v2(event) else reply_to_v1(reply)


def _body(event: dict[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise HttpError(400, "request body must be a string in the API Gateway event")
    if event.get("isBase64Encoded"):
        import base64
        import binascii

        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise HttpError(400, "request body is flagged base64 but is not valid base64") from None
    return body.encode("utf-8")


def request_id_of(event: dict[str, Any]) -> str | None:
    request_id = _mapping(event.get("requestContext")).get("requestId")
    return str(request_id) if request_id else None


def _strip_stage(path: str, stage: str | None) -> str:
    if stage and stage != "$default":
        prefix = "/" + stage
        if path == prefix:
            return "/"
        if path.startswith(prefix + "/"):
            return path[len(prefix):]
    return path


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _decoded_path(raw: str) -> str:
    if "%" not in raw:
        return raw
    from urllib.parse import unquote  # most paths need no decoding: keep the cold start lean

    return unquote(raw)


def _query(raw: str) -> Query:
    if not raw:
        return Query()
    from urllib.parse import parse_qsl

    return Query(parse_qsl(raw, keep_blank_values=True))


def request_from_v2(event: dict[str, Any], fallback_request_id: str | None) -> Request:
    context = _mapping(event.get("requestContext"))
    http = _mapping(context.get("http"))
    headers = Headers((str(k), str(v)) for k, v in _mapping(event.get("headers")).items() if v is not None)
    cookies = event.get("cookies")
    cookie_header = "; ".join(cookies) if isinstance(cookies, list) else headers.get("cookie")
    path = _strip_stage(event.get("rawPath") or http.get("path") or "/", context.get("stage"))
    return Request(
        method=str(http.get("method") or "GET"),
        path=_decoded_path(path),
        path_params={str(k): str(v) for k, v in _mapping(event.get("pathParameters")).items()},
        query=_query(event.get("rawQueryString") or ""),
        headers=headers,
        cookies=parse_cookie_header(cookie_header),
        body=_body(event),
        client_ip=http.get("sourceIp"),
        request_id=context.get("requestId") or fallback_request_id or new_request_id(),
    )


def request_from_v1(event: dict[str, Any], fallback_request_id: str | None) -> Request:
    context = _mapping(event.get("requestContext"))
    multi_headers = _mapping(event.get("multiValueHeaders"))
    if multi_headers:
        header_pairs = [(str(k), ",".join(str(v) for v in values or [])) for k, values in multi_headers.items()]
    else:
        header_pairs = [(str(k), str(v)) for k, v in _mapping(event.get("headers")).items() if v is not None]
    headers = Headers(header_pairs)
    multi_query = _mapping(event.get("multiValueQueryStringParameters"))
    if multi_query:
        query = Query((str(k), str(v)) for k, values in multi_query.items() for v in values or [])
    else:
        query = Query((str(k), str(v)) for k, v in _mapping(event.get("queryStringParameters")).items())
    return Request(
        method=str(event.get("httpMethod") or "GET"),
        path=event.get("path") or "/",
        path_params={str(k): str(v) for k, v in _mapping(event.get("pathParameters")).items()},
        query=query,
        headers=headers,
        body=_body(event),
        client_ip=_mapping(context.get("identity")).get("sourceIp"),
        request_id=context.get("requestId") or fallback_request_id or new_request_id(),
    )


def _encoded_body(reply: Reply) -> tuple[str, bool]:
    if reply.binary:
        import base64

        return base64.b64encode(reply.body).decode("ascii"), True
    return reply.body.decode("utf-8"), False


def reply_to_v2(reply: Reply) -> dict[str, Any]:
    headers: dict[str, str] = {}
    for name, value in reply.headers:
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    body, is_base64 = _encoded_body(reply)
    response: dict[str, Any] = {
        "statusCode": reply.status, "headers": headers, "body": body, "isBase64Encoded": is_base64,
    }
    if reply.cookies:
        response["cookies"] = list(reply.cookies)
    return response


def reply_to_v1(reply: Reply) -> dict[str, Any]:
    headers: dict[str, list[str]] = {}
    for name, value in reply.headers:
        headers.setdefault(name, []).append(value)
    if reply.cookies:
        headers["Set-Cookie"] = list(reply.cookies)
    body, is_base64 = _encoded_body(reply)
    return {"statusCode": reply.status, "multiValueHeaders": headers, "body": body, "isBase64Encoded": is_base64}

