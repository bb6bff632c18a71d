"""The `http` kind on AWS: API Gateway proxy events (HTTP API payload 2.0, REST API 1.0) <-> portable HTTP.

Decoding is total: a field of the wrong type or text that is not valid Unicode is the
sender's fault and becomes HttpError(400), never another exception. The reply goes back in the
payload version the event came in.
"""

from __future__ import annotations

from portable import http_trigger
from portable.delivery import new_request_id, safe_request_id
from portable.errors import HttpError
from portable.events import text
from portable.replies import HttpReply, varying_by_origin
from portable.request import NO_QUERY, Headers, Query, Request, decoded_request, parse_cookie_header
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from portable.auth import Auth
    from portable.context import ClientFactory
    from portable.delivery import Bound
    from portable.http_trigger import HttpFunction, HttpTrigger


def is_v2(event: dict[str, Any]) -> bool:
    return event.get("version") == "2.0" and "rawPath" in event


def is_v1(event: dict[str, Any]) -> bool:
    return "httpMethod" in event and ("resource" in event or "path" in event)


def recognises(event: dict[str, Any]) -> bool:
    """An API Gateway proxy event of either payload version."""
    return is_v2(event) or is_v1(event)


def decode(event: dict[str, Any], bound: Bound[HttpTrigger], request_id: str | None) -> Request | HttpReply:
    """The portable request of an API Gateway 2.0 or 1.0 event, with the caller the gateway verified when the
    route reads claims; the 400 a malformed event gets instead."""
    try:
        request = _v2(event, request_id) if is_v2(event) else _v1(event, request_id)
        if http_trigger.reads_claims(bound.spec.trigger):
            request.auth = auth_of(event)
    except HttpError as exc:
        from portable import log

        log.warning("bad request", function=bound.spec.name, error=exc.message, request_id=request_id)
        refused = http_trigger.refused(exc, request_id_of(event) or request_id or new_request_id())
        return refused if bound.cors is None else varying_by_origin(refused)
    return request


def encode_reply(reply: HttpReply, event: dict[str, Any]) -> dict[str, Any]:
    """`reply` in the payload version `event` came in."""
    return _reply_to_v2(reply) if is_v2(event) else _reply_to_v1(reply)


def succeeded(reply: dict[str, Any]) -> bool:
    """Whether the call went well: anything but a 4xx (the caller's failure) or a 5xx (the function's)."""
    return int(reply.get("statusCode", 500)) < 400


def _malformed(reason: str) -> HttpError:
    return HttpError(400, f"malformed API Gateway event: {reason}")


def _text(value: Any, field: str, default: str = "") -> str:
    return default if value is None else text(value, field, _malformed, empty=True)


def _optional_text(value: Any, field: str) -> str | None:
    return _text(value, field) or None


def _mapping(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _malformed(f"{field} must be an object")
    return value


def _pairs(value: Any, field: str) -> list[tuple[str, str]]:
    """A name -> string map; null values are left out, as API Gateway's console sends them."""
    pairs: list[tuple[str, str]] = []
    for name, value_text in _mapping(value, field).items():
        if type(name) is not str or type(value_text) is not str or not (name.isascii() and value_text.isascii()):
            if value_text is None:
                continue
            name, value_text = _text(name, field), _text(value_text, f"{field}.{name}")
        pairs.append((name, value_text))
    return pairs


def _headers(value: Any) -> Headers:
    """`headers` as Headers in one pass when every name and value is ASCII text (what API Gateway sends); else
    through `_pairs`, which refuses what is not text."""
    if type(value) is dict:
        values: dict[str, list[str]] = {}
        for name, value_text in value.items():
            if type(name) is not str or type(value_text) is not str or not (name.isascii() and value_text.isascii()):
                break
            key = name.lower()
            if key in values:
                values[key].append(value_text)
            else:
                values[key] = [value_text]
        else:
            return Headers._adopting(values)
    return Headers(_pairs(value, "headers"))


def _multi_pairs(value: Any, field: str) -> list[tuple[str, str]]:
    """A name -> list of strings map (REST API multiValue* fields)."""
    pairs: list[tuple[str, str]] = []
    for name, values in _mapping(value, field).items():
        if values is None:
            continue
        if not isinstance(values, list):
            raise _malformed(f"{field}.{name} must be a list of strings")
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
        return NO_QUERY
    from urllib.parse import parse_qsl

    return Query(parse_qsl(raw, keep_blank_values=True))


def _request_id(context: dict[str, Any], fallback: str | None) -> str:
    return safe_request_id(context.get("requestId")) or safe_request_id(fallback) or new_request_id()


def _v2(event: dict[str, Any], fallback_request_id: str | None) -> Request:
    # Each field takes its fast path inline (this is every request's path: ASCII text, objects where objects go, no
    # stage, no cookies, nothing percent-encoded, a text body); anything else goes through the helper that refuses it
    # with its name or reads it as what it is.
    context = event.get("requestContext")
    if type(context) is not dict:
        context = _mapping(context, "requestContext")
    http = context.get("http")
    if type(http) is not dict:
        http = _mapping(http, "requestContext.http")
    headers = _headers(event.get("headers"))
    cookies = event.get("cookies")
    if cookies is None:
        cookie_header = headers.get("cookie")
    elif isinstance(cookies, list):
        cookie_header = "; ".join(_text(c, "cookies") for c in cookies)
    else:
        raise _malformed("cookies must be a list of strings")
    raw_path = event.get("rawPath")
    if not (type(raw_path) is str and raw_path.isascii() and raw_path):
        raw_path = _text(raw_path, "rawPath") or _text(http.get("path"), "requestContext.http.path") or "/"
    method = http.get("method")
    if not (type(method) is str and method.isascii() and method):
        method = _text(method, "requestContext.http.method") or "GET"
    stage = context.get("stage")
    if stage is not None and not (type(stage) is str and stage.isascii()):
        stage = _optional_text(stage, "requestContext.stage")
    path = raw_path if stage == "$default" or not stage else _strip_stage(raw_path, stage)
    raw_query = event.get("rawQueryString")
    client_ip = http.get("sourceIp")
    if not (type(client_ip) is str and client_ip.isascii() and client_ip):
        client_ip = _optional_text(client_ip, "requestContext.http.sourceIp")
    body = event.get("body")
    if type(body) is str and event.get("isBase64Encoded") is not True:
        body_bytes = body.encode("utf-8") if body.isascii() else _text(body, "body").encode("utf-8")
    else:
        body_bytes = _body(event)
    path_params = event.get("pathParameters")
    return decoded_request(
        method,
        path if "%" not in path else _decoded_path(path),
        {} if path_params is None else _path_params(path_params),
        NO_QUERY if not raw_query else _query(_text(raw_query, "rawQueryString")),
        headers,
        parse_cookie_header(cookie_header) if cookie_header else {},
        body_bytes,
        client_ip,
        _request_id(context, fallback_request_id),
    )


def _path_params(value: Any) -> dict[str, str]:
    return dict(_pairs(value, "pathParameters"))


def auth_of(event: dict[str, Any]) -> Auth | None:
    """The caller API Gateway's JWT authorizer verified (`requestContext.authorizer.jwt`), None without one (only a
    route declared with auth= reads it: an open route's cold start does without portable.auth)."""
    from portable.auth import UnreadableClaims, auth_from_claims

    context = _mapping(event.get("requestContext"), "requestContext")
    authorizer = _mapping(context.get("authorizer"), "requestContext.authorizer")
    jwt = _mapping(authorizer.get("jwt"), "requestContext.authorizer.jwt")
    if not jwt:
        return None
    given = _mapping(jwt.get("claims"), "requestContext.authorizer.jwt.claims")
    claims = {name: text for name, text in given.items() if text is not None}
    if not all(type(text) is str for text in claims.values()):  # the authorizer renders every claim as text
        raise _malformed("requestContext.authorizer.jwt.claims must be an object of strings")
    scopes = jwt.get("scopes")
    if scopes is not None and not (isinstance(scopes, list) and all(isinstance(scope, str) for scope in scopes)):
        raise _malformed("requestContext.authorizer.jwt.scopes must be a list of strings or null")
    try:
        return auth_from_claims(claims, scopes)
    except UnreadableClaims as exc:  # no verified caller: the route answers 401
        from portable import log

        log.warning("unreadable claims from the authorizer", error=str(exc))
        return None


def _v1(event: dict[str, Any], fallback_request_id: str | None) -> Request:
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


def encode(request: Request, spec: HttpFunction) -> dict[str, Any]:
    """The payload 2.0 event API Gateway's HTTP API sends for `request`, matched to the route of `spec`."""
    route_key = spec.trigger.route.key
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


def decode_reply(response: dict[str, Any]) -> HttpReply:
    """The reply a payload 2.0 response (what `encode_reply` writes) gives the caller."""
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        import base64

        raw = base64.b64decode(body)
    else:
        raw = body.encode("utf-8")
    headers = [(name, value) for name, value in (response.get("headers") or {}).items()]
    return HttpReply(
        response["statusCode"],
        raw,
        headers,
        list(response.get("cookies") or []),
        binary=bool(response.get("isBase64Encoded")),
    )


def _base64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")


def _encoded_body(reply: HttpReply) -> tuple[str, bool]:
    if reply.binary:
        return _base64(reply.body), True
    return reply.body.decode("utf-8"), False


def _reply_to_v2(reply: HttpReply) -> dict[str, Any]:
    headers: dict[str, str] = {}
    for name, value in reply.headers.pairs:
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    if reply.binary:
        body, is_base64 = _base64(reply.body), True
    else:
        body, is_base64 = reply.body.decode("utf-8"), False
    response: dict[str, Any] = {
        "statusCode": reply.status,
        "headers": headers,
        "body": body,
        "isBase64Encoded": is_base64,
    }
    if reply.cookies:
        response["cookies"] = list(reply.cookies)
    return response


def _reply_to_v1(reply: HttpReply) -> dict[str, Any]:
    headers: dict[str, list[str]] = {}
    for name, value in reply.headers:
        headers.setdefault(name, []).append(value)
    if reply.cookies:
        headers["Set-Cookie"] = list(reply.cookies)
    body, is_base64 = _encoded_body(reply)
    return {"statusCode": reply.status, "multiValueHeaders": headers, "body": body, "isBase64Encoded": is_base64}


def sample(
    spec: HttpFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[dict[str, Any], list[str]]:
    """The payload 2.0 event of a sample call of the route (`portable.http_trigger.sample`)."""
    request, notes = http_trigger.sample(spec, hints, clients)
    return encode(request, spec), notes
