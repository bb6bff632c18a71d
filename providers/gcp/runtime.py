"""functions-framework targets for every function, as Cloud Functions gen2 runs them.

Each target has the HTTP signature: HTTP routes, Eventarc's Cloud Storage CloudEvents
and Cloud Scheduler's calls all arrive as HTTP requests, and answering the status
ourselves keeps errors identical to AWS (no tracebacks in bodies, one log line). A target
decodes the request, runs the function through the runtime core and encodes the reply,
dispatching on the function's trigger.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import partial
from typing import Any, NamedTuple

import flask

from portable import log
from portable.app import HttpTrigger, MessageTrigger, ObjectTrigger, ScheduleTrigger, Trigger, load_app, load_function
from portable.cors_policy import ENVIRONMENT_VARIABLE as CORS_VARIABLE
from portable.cors_policy import Cors, declared_for, from_environment, is_preflight
from portable.errors import EventFailed, MalformedEvent
from portable.events import ObjectEvent, event_record
from portable.invoke import (
    Bound,
    Reply,
    debug_detail,
    deliver_schedule,
    error_reply,
    preflight_reply,
    run_http,
    run_object,
    wanted_object,
    with_cors,
)
from portable.request import Headers
from providers.binding import client_factory, provider_for
from providers.gcp import scheduler_requests, storage_events
from providers.gcp.http_requests import auth_of, reply_to_flask, request_from_flask, request_id_of, trace_of

Target = Callable[[flask.Request], Any]


class Selection(NamedTuple):
    """Which functions `export_targets` serves, on which provider's data clients, and whether 500 replies carry
    the exception (`portable dev --debug`). With `counts_attempts`, the caller delivers events as a platform that
    counts attempts and keeps dead letters (the local runner): the shim leaves the end of Eventarc's retries to it,
    and an event function's 500 replies carry the exception, for its dead letter."""

    package: str
    provider: str
    debug: bool = False
    counts_attempts: bool = False


_selection: ContextVar[Selection | None] = ContextVar("portable_gcp_selection", default=None)


@contextmanager
def exporting(package: str, provider: str, debug: bool = False, counts_attempts: bool = False) -> Iterator[None]:
    """Inside the block, `export_targets` serves every function of `package` on `provider`'s data.

    The local runner builds functions-framework apps from main.py this way, without
    touching the process environment; a deployed function never runs inside it, so
    neither `debug` nor `counts_attempts` ever reaches a cloud.
    """
    token = _selection.set(Selection(package, provider, debug, counts_attempts))
    try:
        yield
    finally:
        _selection.reset(token)


def make_target(bound: Bound[Trigger], cors: Cors | None = None, counts_attempts: bool = False) -> Target:
    """The target of one function; an HTTP one answers CORS preflights and adds CORS headers per `cors`. With
    `counts_attempts`, its caller ends the retries of object events (see `Selection`)."""
    serve = _SERVE[type(bound.spec.trigger)]
    if cors is not None and serve is _serve_http:
        serve = partial(_serve_http, cors=cors)
    if counts_attempts and serve is _serve_storage_event:
        serve = partial(_serve_storage_event, retries_end_here=False)

    def target(req: flask.Request) -> Any:
        return reply_to_flask(serve(bound, req))

    target.__name__ = bound.spec.name
    return target


def _serve_http(bound: Bound[HttpTrigger], req: flask.Request, cors: Cors | None = None) -> Reply:
    """API Gateway forwards the preflights of a path with CORS (its OPTIONS operations) here to be answered."""
    headers = Headers(req.headers.items())
    if cors is not None and is_preflight(req.method, headers):
        return preflight_reply(cors, headers, request_id_of(headers))
    return with_cors(cors, headers.get("origin"), _route_http(bound, req, headers))


def _route_http(bound: Bound[HttpTrigger], req: flask.Request, headers: Headers) -> Reply:
    route = bound.spec.trigger.route
    params = route.match(req.path)
    if params is None or not route.allows(req.method):
        request_id = request_id_of(headers)
        if params is None:
            return error_reply(404, f"no route for {req.method} {req.path}", request_id)
        reply = error_reply(405, f"{req.method} is not allowed on {req.path}: use {route.method}", request_id)
        reply.headers.append(("Allow", route.method))
        return reply
    request = request_from_flask(req, headers, params)
    if (
        bound.spec.trigger.auth_for(req.method) is not None
    ):  # elsewhere the header is the caller's word, never the gateway's
        request.auth = auth_of(headers)
    return run_http(bound, request, trace_of(headers))


def _serve_storage_event(bound: Bound[ObjectTrigger], req: flask.Request, retries_end_here: bool = True) -> Reply:
    """Decode an Eventarc storage event and run the handler on it.

    Eventarc retries a failure until the event is a day old, and neither counts attempts nor dead-letters:
    the shim ends the retries, when the event is past its policy's max age or had the one attempt it allows.
    A caller that counts attempts itself (`retries_end_here=False`: the local runner) gets every failure.
    """
    request_id = request_id_of(Headers(req.headers.items()))
    retries = bound.spec.retries
    try:
        physical, event = storage_events.decode(dict(req.headers.items()), req.get_data(), bound.spec.trigger.bucket)
        if event is None or not wanted_object(bound, physical, event):
            log.info(
                "object event outside the trigger, skipped", function=bound.spec.name, key=event.key if event else None
            )
            return Reply(204)
    except MalformedEvent as exc:
        log.error("event rejected: " + str(exc), function=bound.spec.name, request_id=request_id)
        return error_reply(400, str(exc), request_id)
    if retries_end_here and event.time is not None and retries.expired(event.time, datetime.now(UTC)):
        return _dead_letter(bound, event, f"older than its max age of {retries.max_age_seconds} s")
    try:
        run_object(bound, event)
    except EventFailed as exc:
        if retries_end_here and retries.attempts == 1:
            return _dead_letter(bound, event, "its one attempt failed")
        return _failed(bound, exc, request_id)
    log.info("object event delivered", function=bound.spec.name, key=event.key)
    return Reply(204)


def _dead_letter(bound: Bound[ObjectTrigger], event: ObjectEvent, reason: str) -> Reply:
    """Acknowledge an event that will not be tried again, logging the whole event so that it can be replayed."""
    log.error(f"event dead-lettered: {reason}", function=bound.spec.name, dead_letter=True, event=event_record(event))
    return Reply(204)


def _serve_schedule(bound: Bound[ScheduleTrigger], req: flask.Request) -> Reply:
    headers = Headers(req.headers.items())
    return _acknowledged(
        bound, headers, "event", lambda: deliver_schedule(bound, scheduler_requests.decode(headers, bound.spec.name))
    )


def _serve_message(bound: Bound[MessageTrigger], req: flask.Request) -> Reply:
    """Decode a Pub/Sub push (or Eventarc) delivery and run the handler: 204 acknowledges, a failure nacks,
    and Pub/Sub delivers the message again until its dead-letter policy takes it."""
    from portable.invoke import deliver_message
    from providers.gcp import pubsub_events  # only message functions load Pub/Sub parsing

    headers = Headers(req.headers.items())
    return _acknowledged(
        bound,
        headers,
        "message",
        lambda: deliver_message(bound, pubsub_events.decode(headers, req.get_data(), bound.spec.trigger.source)),
    )


def _acknowledged(bound: Bound[Any], headers: Headers, what: str, deliver: Callable[[], None]) -> Reply:
    """Run `deliver` (decode, then call the handler): 204 acknowledges; an unreadable delivery is the caller's
    fault (400, never retried); a failed handler answers 500, so that the platform delivers it again."""
    try:
        deliver()
    except MalformedEvent as exc:
        log.error(f"{what} rejected: {exc}", function=bound.spec.name)
        return error_reply(400, str(exc), request_id_of(headers))
    except EventFailed as exc:
        return _failed(bound, exc, request_id_of(headers))
    return Reply(204)


def _failed(bound: Bound[Any], exc: EventFailed, request_id: str) -> Reply:
    """The 500 that asks the platform to deliver again; with `debug`, it carries the handler's exception."""
    raised = exc.__context__
    return error_reply(500, str(exc), request_id, debug_detail(raised) if bound.debug and raised else None)


_SERVE: dict[type[Trigger], Callable[[Any, flask.Request], Reply]] = {
    HttpTrigger: _serve_http,
    ObjectTrigger: _serve_storage_event,
    ScheduleTrigger: _serve_schedule,
    MessageTrigger: _serve_message,
}


def export_targets() -> dict[str, Target]:
    """One functions-framework target per function, registered with the HTTP signature.

    Inside `exporting(...)`, every function of that package on that provider. Otherwise:
    with PORTABLE_FUNCTION set (as in a deployed archive) only that function loads, else
    every function of PORTABLE_PACKAGE (default `functions`); PORTABLE_PROVIDER=local
    binds the local buckets and tables instead of GCP's.
    """
    import functions_framework

    selection = _selection.get()
    name = os.environ.get("PORTABLE_FUNCTION") if selection is None else None
    package = selection.package if selection else os.environ.get("PORTABLE_PACKAGE") or "functions"
    if name:
        loaded = [load_function(name, os.environ.get("PORTABLE_MODULE") or None)]
    else:
        app = load_app(package)
        loaded = [(spec, app.handlers[spec.name]) for spec in app.functions.values()]
    clients = client_factory(selection.provider if selection else provider_for("gcp"))
    cors = _cors(package, None if selection else os.environ.get(CORS_VARIABLE), bool(name))
    debug = selection.debug if selection else False
    counts_attempts = selection.counts_attempts if selection else False
    return {
        spec.name: functions_framework.http(
            make_target(
                # The caller that counts attempts keeps each event's failure whole, in its dead letter.
                Bound(spec, handler, clients, debug or (counts_attempts and not isinstance(spec.trigger, HttpTrigger))),
                cors,
                counts_attempts,
            )
        )
        for spec, handler in loaded
    }


def _cors(package: str, deployed: str | None, one_function: bool) -> Cors | None:
    """The deploy's policy (the stack's origins applied) if it set one; else, serving a whole package, the one it
    declares. A deployed function without PORTABLE_CORS has none: the deploy sets it whenever the App declares one."""
    if deployed:
        return from_environment(deployed)
    return None if one_function else declared_for(package)
