"""API Gateway proxy events (HTTP API payload 2.0, REST API 1.0) <-> portable HTTP.

Decoding is total: a field of the wrong type or text that is not valid Unicode is the
sender's fault and becomes HttpError(400), never another exception.
"""

from __future__ import annotations

from portable import log
from portable.auth import Auth, UnreadableClaims, auth_from_claims
from portable.errors import HttpError
from portable.invoke import Reply, new_request_id, safe_request_id
from portable.request import Headers, Query, Request, parse_cookie_header
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any


def is_v2(event: dict[str, Any]) -> bool:
    return event.get("version") == "2.0" and "rawPath" in event


def is_v1(event: dict[str, Any]) -> bool:
    return "httpMethod" in event and ("resource" in event or "path" in event)


def is_http(event: dict[str, Any]) -> bool:
    return is_v2(event) or is_v1(event)


def decode_request(event: dict[str, Any], v2: bool, fallback_request_id: str | None) -> Request:
    """The portable request of an API Gateway 2.0 (`v2`) or 1.0 event; HttpError for the caller's faults."""
    return request_from_v2(event, fallback_request_id) if v2 else request_from_v1(event, fallback_request_id)


def encode_reply(reply: Reply, v2: bool) -> dict[str, Any]:
    """`reply` in the payload version the event came in."""
    return reply_to_v2(reply) if v2 else reply_to_v1(reply)


def _malformed(field: str, expected: str) -> HttpError:
    return HttpError(400, f"malformed API Gateway event: {field} must be {expected}")


def _text(value: Any, field: str, default: str = "") -> str:
    if type(value) is str and value.isascii():  # what nearly every field is: one test, then done
        return value
    if value is None:
        return default
    if not isinstance(value, str):
        raise _malformed(field, "a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _malformed(field, "valid Unicode text") from None
    return value


def _optional_text(value: Any, field: str) -> str | None:
    return _text(value, field) or None


def _mapping(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _malformed(field, "an object")
    return value


def _pairs(value: Any, field: str) -> list[tuple[str, str]]:
    """A name -> string map; null values are left out, as API Gateway's console sends them."""
    pairs: list[tuple[str, str]] = []
    for name, text in _mapping(value, field).items():
        if type(name) is not str or type(text) is not str or not (name.isascii() and text.isascii()):
            if text is None:
                continue
            name, text = _text(name, field), _text(text, f"{field}.{name}")
        pairs.append((name, text))
    return pairs


def _multi_pairs(value: Any, field: str) -> list[tuple[str, str]]:
    """A name -> list of strings map (REST API multiValue* fields)."""
    pairs: list[tuple[str, str]] = []
    for name, values in _mapping(value, field).items():
        if values is None:
            continue
        if not isinstance(values, list):
            raise _malformed(f"{field}.{name}", "a list of strings")
        pairs.extend((_text(name, field), _text(text, f"{field}.{name}")) for text in values)
    return pairs


def _body(event: dict[str, Any]) -> bytes:
    body = _text(event.get("body"), "body")
    if event.get("isBase64Encoded") is True:
        import base64
        import binascii

        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise HttpError(400, "request body is flagged base64 but is not valid base64") from None
    return body.encode("utf-8")


def request_id_of(event: dict[str, Any]) -> str | None:
    context = event.get("requestContext")
    return safe_request_id(context.get("requestId")) if isinstance(context, dict) else None


def _strip_stage(path: str, stage: str | None) -> str:
    if stage and stage != "$default":
        prefix = "/" + stage
        if path == prefix:
            return "/"
        if path.startswith(prefix + "/"):
            return path[len(prefix) :]
    return path


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


def _request_id(context: dict[str, Any], fallback: str | None) -> str:
    return safe_request_id(context.get("requestId")) or safe_request_id(fallback) or new_request_id()


def request_from_v2(event: dict[str, Any], fallback_request_id: str | None) -> Request:
    context = _mapping(event.get("requestContext"), "requestContext")
    http = _mapping(context.get("http"), "requestContext.http")
    headers = Headers(_pairs(event.get("headers"), "headers"))
    cookies = event.get("cookies")
    if cookies is not None and not isinstance(cookies, list):
        raise _malformed("cookies", "a list of strings")
    cookie_header = "; ".join(_text(c, "cookies") for c in cookies) if cookies is not None else headers.get("cookie")
    raw_path = _text(event.get("rawPath"), "rawPath") or _text(http.get("path"), "requestContext.http.path") or "/"
    return Request(
        method=_text(http.get("method"), "requestContext.http.method") or "GET",
        path=_decoded_path(_strip_stage(raw_path, _optional_text(context.get("stage"), "requestContext.stage"))),
        path_params=dict(_pairs(event.get("pathParameters"), "pathParameters")),
        query=_query(_text(event.get("rawQueryString"), "rawQueryString")),
        headers=headers,
        cookies=parse_cookie_header(cookie_header),
        body=_body(event),
        client_ip=_optional_text(http.get("sourceIp"), "requestContext.http.sourceIp"),
        request_id=_request_id(context, fallback_request_id),
    )


def auth_of(event: dict[str, Any]) -> Auth | None:
    """The caller API Gateway's JWT authorizer verified (`requestContext.authorizer.jwt`), None without one."""
    context = _mapping(event.get("requestContext"), "requestContext")
    authorizer = _mapping(context.get("authorizer"), "requestContext.authorizer")
    jwt = _mapping(authorizer.get("jwt"), "requestContext.authorizer.jwt")
    if not jwt:
        return None
    given = _mapping(jwt.get("claims"), "requestContext.authorizer.jwt.claims")
    claims = {name: text for name, text in given.items() if text is not None}
    if not all(type(text) is str for text in claims.values()):  # the authorizer renders every claim as text
        raise _malformed("requestContext.authorizer.jwt.claims", "an object of strings")
    scopes = jwt.get("scopes")
    if scopes is not None and not (isinstance(scopes, list) and all(isinstance(scope, str) for scope in scopes)):
        raise _malformed("requestContext.authorizer.jwt.scopes", "a list of strings or null")
    try:
        return auth_from_claims(claims, scopes)
    except UnreadableClaims as exc:  # no verified caller: the route answers 401
        log.warning("unreadable claims from the authorizer", error=str(exc))
        return None


def request_from_v1(event: dict[str, Any], fallback_request_id: str | None) -> Request:
    context = _mapping(event.get("requestContext"), "requestContext")
    identity = _mapping(context.get("identity"), "requestContext.identity")
    multi_headers = _multi_pairs(event.get("multiValueHeaders"), "multiValueHeaders")
    if multi_headers:
        joined: dict[str, list[str]] = {}
        for name, value in multi_headers:
            joined.setdefault(name, []).append(value)
        header_pairs = [(name, ",".join(values)) for name, values in joined.items()]
    else:
        header_pairs = _pairs(event.get("headers"), "headers")
    multi_query = _multi_pairs(event.get("multiValueQueryStringParameters"), "multiValueQueryStringParameters")
    query = multi_query or _pairs(event.get("queryStringParameters"), "queryStringParameters")
    return Request(
        method=_text(event.get("httpMethod"), "httpMethod") or "GET",
        path=_text(event.get("path"), "path") or "/",
        path_params=dict(_pairs(event.get("pathParameters"), "pathParameters")),
        query=Query(query),
        headers=Headers(header_pairs),
        body=_body(event),
        client_ip=_optional_text(identity.get("sourceIp"), "requestContext.identity.sourceIp"),
        request_id=_request_id(context, fallback_request_id),
    )


def encode_request(request: Request, route_key: str) -> dict[str, Any]:
    """The payload 2.0 event API Gateway's HTTP API sends for `request`, matched to the route `route_key`."""
    import time
    from urllib.parse import quote, urlencode

    headers: dict[str, str] = {}
    for name, value in request.headers.items_all():
        if name != "cookie":
            headers[name] = f"{headers[name]},{value}" if name in headers else value
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": quote(request.path),
        "rawQueryString": urlencode(request.query.items_all()),
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "portable",
            "domainName": "portable.execute-api.amazonaws.com",
            "domainPrefix": "portable",
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.client_ip or "127.0.0.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request.request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if request.auth is not None:
        scopes = list(request.auth.scopes) or None  # what the authorizer sends for a token without scopes
        event["requestContext"]["authorizer"] = {"jwt": {"claims": dict(request.auth.claims), "scopes": scopes}}
    if request.cookies:
        event["cookies"] = [f"{name}={value}" for name, value in request.cookies.items()]
    if request.query:
        event["queryStringParameters"] = {name: ",".join(request.query.get_all(name)) for name in request.query}
    if request.path_params:
        event["pathParameters"] = dict(request.path_params)
    if request.body:
        try:
            event["body"] = request.body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"] = _base64(request.body)
            event["isBase64Encoded"] = True
    return event


def decode_reply(response: dict[str, Any]) -> Reply:
    """The reply a payload 2.0 response (what `reply_to_v2` writes) gives the caller."""
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        import base64

        raw = base64.b64decode(body)
    else:
        raw = body.encode("utf-8")
    headers = [(name, value) for name, value in (response.get("headers") or {}).items()]
    return Reply(
        response["statusCode"],
        raw,
        headers,
        list(response.get("cookies") or []),
        binary=bool(response.get("isBase64Encoded")),
    )


def _base64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")


def _encoded_body(reply: Reply) -> tuple[str, bool]:
    if reply.binary:
        return _base64(reply.body), True
    return reply.body.decode("utf-8"), False


def reply_to_v2(reply: Reply) -> dict[str, Any]:
    headers: dict[str, str] = {}
    for name, value in reply.headers:
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    body, is_base64 = _encoded_body(reply)
    response: dict[str, Any] = {
        "statusCode": reply.status,
        "headers": headers,
        "body": body,
        "isBase64Encoded": is_base64,
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
