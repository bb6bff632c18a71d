"""The `http` kind on GCP: Flask requests (what functions-framework hands a target) <-> portable HTTP.

API Gateway forwards each route's calls to its function, and, for a path with CORS, the browsers'
preflights too (its OPTIONS operations): the codec answers those, a path or method the function does
not serve (404, 405), and adds the CORS headers to the reply. Behind API Gateway, a route with JWT
security gets the verified token's claims in `X-Apigateway-Api-Userinfo`: the token's payload segment
as the caller sent it (base64url JSON, unpadded by default; Cloud Endpoints' samples pad it and use the
standard alphabet, so both read).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flask

from portable import http_trigger, log
from portable.auth import Auth, UnreadableClaims, auth_from_claims
from portable.context import LOCAL, Trace
from portable.cors_policy import is_preflight
from portable.delivery import new_request_id, safe_request_id
from portable.limits import REQUEST_BODY_MAX_BYTES
from portable.replies import HttpReply, preflight_reply, unrouted, with_cors
from portable.request import NO_QUERY, Headers, Query, Request
from portable.tracing import parse_traceparent, untraced

if TYPE_CHECKING:
    from collections.abc import Mapping

    from portable.context import ClientFactory
    from portable.delivery import Bound
    from portable.http_trigger import HttpFunction, HttpTrigger

COUNTS_ATTEMPTS = True  # nothing retries a call


def decode(req: flask.Request, headers: Headers, bound: Bound[HttpTrigger]) -> Request | HttpReply:
    """The portable request of `req`, with the verified caller on a route that reads claims; or the reply given
    without the handler: a preflight's (the function holds the App's CORS policy), a 404 or 405."""
    if bound.cors is not None and is_preflight(req.method, headers):
        return preflight_reply(bound.cors, headers, request_id_of(headers))
    route = bound.spec.trigger.route
    params = route.match(req.path)
    if params is None or not route.allows(req.method):
        return unrouted(req.method, req.path, [] if params is None else [route.method], request_id_of(headers))
    request = _request(req, headers, params)
    if http_trigger.reads_claims(bound.spec.trigger):
        request.auth = auth_of(headers)
    return request


def encode_reply(reply: HttpReply, req: flask.Request, headers: Headers, bound: Bound[HttpTrigger]) -> HttpReply:
    """The reply with the CORS headers for the request's origin, as API Gateway on AWS adds them (a preflight's
    answer has its own)."""
    if bound.cors is None or is_preflight(req.method, headers):
        return reply
    return with_cors(bound.cors, headers.get("origin"), reply)


def request_id_of(headers: Headers) -> str:
    for name in ("function-execution-id", "x-cloud-trace-context", "traceparent"):
        value = headers.get(name)
        if not value:
            continue
        if name == "traceparent":
            parts = value.split("-")
            candidate = parts[1] if len(parts) >= 3 else value
        else:
            candidate = value.split("/")[0].split(";")[0]
        safe = safe_request_id(candidate)
        if safe:
            return safe
    return new_request_id()


def trace_of(headers: Headers, style: str) -> Trace:
    """The trace a request continues: its `traceparent`, else Google's `X-Cloud-Trace-Context`
    (`TRACE_ID/SPAN_ID;o=1`, the span in decimal); else none yet (the call starts one). `style` says how log
    lines name it (`log_style`)."""
    found = parse_traceparent(headers.get("traceparent"), style)
    if found is not None:
        return found
    context = headers.get("x-cloud-trace-context")
    if context:
        ids, _, options = context.partition(";")
        trace_id, _, span = ids.partition("/")
        trace_id = trace_id.lower()
        if len(trace_id) == 32 and _HEX.issuperset(trace_id) and trace_id != "0" * 32:
            span_id = f"{int(span):016x}" if span.isdigit() and 0 < int(span) < 2**64 else ""
            return Trace(trace_id, span_id, options.strip() == "o=1", style)
    return untraced(style)


def log_style() -> str:
    """How log lines name a trace: Cloud Logging's fields where the project is known (`GOOGLE_CLOUD_PROJECT`, which
    Cloud Functions sets), else the local `trace`."""
    import os

    project = os.environ.get("GOOGLE_CLOUD_PROJECT")
    return f"projects/{project}" if project else LOCAL


_HEX = frozenset("0123456789abcdef")


USERINFO_HEADER = "X-Apigateway-Api-Userinfo"


def userinfo_of_token(token: str) -> str:
    """The header value API Gateway forwards for a verified `token`: its payload segment as sent."""
    return token.split(".")[1]


def auth_of(headers: Headers) -> Auth | None:
    """The caller API Gateway verified, from its userinfo header; None when absent or unreadable."""
    value = headers.get(USERINFO_HEADER)
    if not value:
        return None
    import base64
    import binascii
    import json

    try:
        text = value.strip().replace("-", "+").replace("_", "/")
        claims = json.loads(base64.b64decode(text + "=" * (-len(text) % 4), validate=True))
    except (binascii.Error, ValueError, RecursionError) as exc:
        log.warning("unreadable " + USERINFO_HEADER, error=str(exc)[:200])
        return None
    if not isinstance(claims, dict):
        log.warning(USERINFO_HEADER + " holds no JSON object")
        return None
    try:
        return auth_from_claims(claims)
    except UnreadableClaims as exc:  # no verified caller: the route answers 401
        log.warning("unreadable claims in " + USERINFO_HEADER, error=str(exc))
        return None


def _client_ip(headers: Headers, remote_addr: str | None) -> str | None:
    forwarded = headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return remote_addr


def _request(req: flask.Request, headers: Headers, path_params: dict[str, str]) -> Request:
    """The portable request of `req`, whose headers the caller has already read into `headers`."""
    # Most requests carry no query string: werkzeug's parsing is skipped for them.
    query = Query(req.args.items(multi=True)) if req.environ.get("QUERY_STRING") else NO_QUERY
    return Request(
        method=req.method,
        path=req.path,
        path_params=path_params,
        query=query,
        headers=headers,
        body=req.stream.read(REQUEST_BODY_MAX_BYTES + 1),  # one byte more than allowed tells run_http to refuse
        client_ip=_client_ip(headers, req.remote_addr),
        request_id=request_id_of(headers),
    )


def encode(request: Request, spec: HttpFunction) -> tuple[str, str, dict[str, str], bytes]:
    """The call API Gateway forwards for `request`: method, path, headers and body."""
    return request.method, request.path, dict(request.headers.items()), request.body


def sample(
    spec: HttpFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[tuple[str, str, dict[str, str], bytes], list[str]]:
    """A sample call of the route (`portable.http_trigger.sample`); a signed-in caller's token (hints["token"]) in
    the userinfo header, as API Gateway on GCP hands the verified caller over."""
    request, notes = http_trigger.sample(spec, hints, clients)
    method, path, headers, body = encode(request, spec)
    token = hints.get("token")
    if token:
        headers[USERINFO_HEADER] = userinfo_of_token(token)
    return (method, path, headers, body), notes
