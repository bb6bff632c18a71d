"""The runtime core every shim calls: run a handler, turn its result into a reply.

Shims translate native events into portable ones and replies into native ones; what
happens in between (error handling, result rendering, logging) lives here once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextvars import Token

from portable import log
from portable.app import (
    Function,
    HttpTrigger,
    ObjectTrigger,
    ResourceSpec,
    ScheduleTrigger,
    TriggerT,
)
from portable.context import Invocation, current_invocation, physical_name
from portable.errors import EventFailed, HttpError, InvalidReply, MalformedEvent
from portable.events import ObjectEvent, ScheduleEvent
from portable.limits import REQUEST_BODY_MAX_BYTES, REQUEST_HEADERS_MAX_BYTES
from portable.request import Headers, Request, Response
from portable.runtime_typing import TYPE_CHECKING, Generic, NamedTuple

if TYPE_CHECKING:
    from typing import Any

    from portable.app import MessageTrigger
    from portable.context import ClientFactory
    from portable.cors_policy import Cors
    from portable.messages import Message


class Reply:
    """A finished HTTP reply, ready for a shim to put in its native shape."""

    __slots__ = ("binary", "body", "cookies", "headers", "status")

    def __init__(
        self,
        status: int,
        body: bytes = b"",
        headers: list[tuple[str, str]] | None = None,
        cookies: list[str] | None = None,
        binary: bool = False,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers if headers is not None else []
        self.cookies = cookies if cookies is not None else []
        self.binary = binary

    def __repr__(self) -> str:
        return f"Reply({self.status}, {len(self.body)} bytes, headers={self.headers!r})"

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)


_JSON = json.JSONEncoder(ensure_ascii=False)  # built once: json.dumps with options builds one per call


def new_request_id() -> str:
    return os.urandom(16).hex()


_ID_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:=+-")
REQUEST_ID_MAX_CHARS = 128


def safe_request_id(value: object) -> str | None:
    """`value` if it can serve as a request id (it ends up in logs, replies and keys), else None.

    Ids come from headers and events the caller controls: only 1-128 characters of letters,
    digits and `._:=+-` are taken; anything else gets a fresh id instead.
    """
    if isinstance(value, str) and 0 < len(value) <= REQUEST_ID_MAX_CHARS and _ID_CHARACTERS.issuperset(value):
        return value
    return None


def _traceback() -> str:
    import traceback  # only on the failure path

    return traceback.format_exc()


def error_reply(status: int, message: str, request_id: str, extra: dict[str, Any] | None = None) -> Reply:
    """The portable error body: error, status, request_id, and the local runner's `extra` fields."""
    fields: dict[str, Any] = {"error": message, "status": status, "request_id": request_id}
    if extra:
        fields.update(extra)
    return Reply(status, json.dumps(fields).encode(), [("Content-Type", "application/json")])


def debug_detail(exc: BaseException) -> dict[str, Any]:
    """What `portable dev --debug` adds to a 500 reply: the exception's type, message and traceback."""
    import traceback  # only on the failure path

    return {
        "debug": {
            "type": type(exc).__name__,
            "message": str(exc),
            "traceback": "".join(traceback.format_exception(exc)),
        }
    }


def unauthorized(message: str, request_id: str) -> Reply:
    """The portable 401: a JSON error saying what was wrong with the token, and the Bearer challenge."""
    reply = error_reply(401, message, request_id)
    reply.headers.append(("WWW-Authenticate", 'Bearer error="invalid_token"'))
    return reply


def preflight_reply(policy: Cors, headers: Headers, request_id: str) -> Reply:
    """A CORS preflight's answer: 204 with the CORS headers, or 403 saying what is not allowed and none."""
    from portable.cors_policy import preflight_headers, preflight_refusal

    refusal = preflight_refusal(policy, headers)
    if refusal:
        return error_reply(403, refusal, request_id)
    return Reply(204, b"", preflight_headers(policy, headers.get("origin", "")))


def with_cors(policy: Cors | None, origin: str | None, reply: Reply) -> Reply:
    """`reply` with the CORS headers for `origin`, in place of any the handler set; under a policy, every reply
    says it varies by Origin, those to other origins or to none included (a cache must not mix them)."""
    if policy is None:
        return reply
    from portable.cors_policy import reply_headers

    added = [(name, value) for name, value in reply_headers(policy, origin) if name != "Vary"]
    if added:
        names = {name.lower() for name, _ in added}
        reply.headers = [(k, v) for k, v in reply.headers if k.lower() not in names] + added
    return varying_by_origin(reply)


def varying_by_origin(reply: Reply) -> Reply:
    """`reply` with Origin among the request headers its Vary names (added to the handler's own, if any)."""
    varies = [value for name, value in reply.headers if name.lower() == "vary"]
    named = {part.strip().lower() for value in varies for part in value.split(",")}
    if "origin" in named or "*" in named:
        return reply
    joined = ", ".join([*varies, "Origin"])
    reply.headers = [(k, v) for k, v in reply.headers if k.lower() != "vary"] + [("Vary", joined)]
    return reply


def render(result: Any) -> Reply:
    """Plain return values to a reply: dict/list JSON, str text, bytes binary, None 204."""
    if isinstance(result, Response):
        reply = _render_body(result.body, result.status)
        if result.content_type:
            reply.headers = [(k, v) for k, v in reply.headers if k.lower() != "content-type"]
            reply.headers.append(("Content-Type", result.content_type))
        overridden = {name.lower() for name, _ in result.headers}
        reply.headers = [(k, v) for k, v in reply.headers if k.lower() not in overridden] + result.headers
        reply.cookies = list(result.cookies)
        return reply
    return _render_body(result, 200 if result is not None else 204)


def _render_body(body: Any, status: int) -> Reply:
    if body is None:
        return Reply(status)
    if isinstance(body, (dict, list)):
        return Reply(status, _JSON.encode(body).encode(), [("Content-Type", "application/json")])
    if isinstance(body, str):
        return Reply(status, body.encode(), [("Content-Type", "text/plain; charset=utf-8")])
    if isinstance(body, (bytes, bytearray, memoryview)):
        return Reply(status, bytes(body), [("Content-Type", "application/octet-stream")], binary=True)
    raise TypeError(f"a handler returned {type(body).__name__}; return a dict, list, str, bytes, None or a Response")


class Bound(NamedTuple, Generic[TriggerT]):
    """A function ready to run: its description, its handler, and the data clients behind its handles.

    `debug` puts the exception and traceback in 500 replies; only the local runner sets it.
    """

    spec: Function[TriggerT]
    handler: Callable[..., Any]
    clients: ClientFactory
    debug: bool = False


def _enter(bound: Bound[Any], call_id: str, trace: str | None) -> Token[Invocation | None]:
    return current_invocation.set(Invocation(bound.spec, bound.clients, call_id, trace))


def oversized(request: Request) -> Reply | None:
    """413 or 431 for a request over the portable limits (the strictest cloud's), else None."""
    if len(request.body) > REQUEST_BODY_MAX_BYTES:
        return error_reply(
            413,
            f"request body is over {REQUEST_BODY_MAX_BYTES} bytes (6 MiB): upload large files "
            "to a bucket with a signed URL instead",
            request.request_id,
        )
    size = sum(len(name) + len(value) + 4 for name, value in request.headers.items_all())
    if size > REQUEST_HEADERS_MAX_BYTES:
        return error_reply(
            431, f"request headers are {size} bytes; the limit is {REQUEST_HEADERS_MAX_BYTES}", request.request_id
        )
    return None


def run_http(bound: Bound[HttpTrigger], request: Request, trace: str | None = None) -> Reply:
    """Call an HTTP handler; never raises. 4xx for the caller's faults, 500 for the handler's.

    `trace` is the platform's trace id, which every log line of the call carries.
    """
    token = _enter(bound, request.request_id, trace)
    try:
        return _answer(bound, request)
    finally:
        current_invocation.reset(token)


def _answer(bound: Bound[HttpTrigger], request: Request) -> Reply:
    refused = oversized(request)
    if refused is not None:
        log.warning("request refused", status=refused.status)
        return refused
    if bound.spec.trigger.auth is not None and request.auth is None:
        log.warning("request refused: no verified caller on a route that requires auth")
        return unauthorized(
            "this route requires a signed-in caller: send Authorization: Bearer <token> through the API's gateway",
            request.request_id,
        )
    route = bound.spec.trigger.route
    if not request.path_params and route.params:
        request.path_params = route.match(request.path) or {}
    types = bound.spec.trigger.types
    try:
        return render(bound.handler(request) if types is None else types.call(bound.handler, request))
    except HttpError as exc:
        if exc.status >= 500:
            log.error("handler answered with an error", status=exc.status, error=exc.message)
        return error_reply(exc.status, exc.message, request.request_id, exc.body_fields())
    except InvalidReply as exc:
        log.error("reply does not fit the handler's annotation", error=str(exc))
        return error_reply(500, "internal error", request.request_id, debug_detail(exc) if bound.debug else None)
    except Exception as exc:
        log.error(
            "handler raised",
            method=request.method,
            path=request.path,
            error=f"{type(exc).__name__}: {exc}",
            traceback=_traceback(),
        )
        return error_reply(500, "internal error", request.request_id, debug_detail(exc) if bound.debug else None)


def wanted_object(bound: Bound[ObjectTrigger], physical_bucket: str, event: ObjectEvent | None) -> bool:
    """Whether the function's trigger wants `event` (its kind, key and type); False means skip it.

    `physical_bucket` is the cloud's name of the bucket the event came from: an event from a
    bucket this function is not bound to is MalformedEvent.
    """
    trigger = bound.spec.trigger
    expected = physical_name(ResourceSpec("bucket", trigger.bucket))
    if physical_bucket != expected:
        raise MalformedEvent(f"event from bucket {physical_bucket!r}; this function is bound to {expected!r}")
    return event is not None and trigger.accepts(event)


def deliver_object(
    bound: Bound[ObjectTrigger],
    physical_bucket: str,
    event: ObjectEvent | None,
    trace: str | None = None,
) -> bool:
    """Run the handler if `wanted_object`; False when skipped. A failure is EventFailed."""
    if event is None or not wanted_object(bound, physical_bucket, event):
        return False
    run_object(bound, event, trace)
    return True


def run_object(bound: Bound[ObjectTrigger], event: ObjectEvent, trace: str | None = None) -> None:
    """Run the handler on an event `wanted_object` accepted; a failure is EventFailed."""
    _run_event(bound, event, trace)


def deliver_schedule(bound: Bound[ScheduleTrigger], event: ScheduleEvent, trace: str | None = None) -> None:
    """Run a schedule handler for one firing; a failure is EventFailed."""
    _run_event(bound, event, trace)


def deliver_message(bound: Bound[MessageTrigger], message: Message, trace: str | None = None) -> None:
    """Run a message handler on one message; a failure is EventFailed, and fails this message only."""
    _run_event(bound, message, trace)


def _run_event(bound: Bound[Any], event: ObjectEvent | ScheduleEvent | Message, trace: str | None) -> None:
    """Call an object or schedule handler; a failure is logged once and raised as EventFailed."""
    token = _enter(bound, event.id, trace)
    try:
        bound.handler(event)
    except Exception as exc:
        log.error("handler raised", error=f"{type(exc).__name__}: {exc}", traceback=_traceback())
        # Only the type leaves with the failure (the log line has the rest). The exception stays its context: under
        # the local runner, the shim's reply carries it whole, for the dead letter.
        raise EventFailed(f"function {bound.spec.name!r} failed on event {event.id}: {type(exc).__name__}") from None
    finally:
        current_invocation.reset(token)
