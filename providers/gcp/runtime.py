"""functions-framework targets for every function, as Cloud Functions gen2 runs them.

Each target has the HTTP signature: HTTP routes, Eventarc's Cloud Storage CloudEvents
and Cloud Scheduler's calls all arrive as HTTP requests, and answering the status
ourselves keeps errors identical to AWS (no tracebacks in bodies, one log line).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import flask

from portable import log
from portable.app import (
    FunctionSpec,
    HttpTrigger,
    ObjectTrigger,
    ResourceSpec,
    load_app,
    load_function,
)
from portable.context import physical_name
from portable.errors import EventFailed
from portable.invoke import Reply, error_reply, run_event, run_http
from portable.request import Headers
from providers.binding import bind_provider_clients
from providers.gcp import scheduler_requests, storage_events
from providers.gcp.http_requests import reply_to_flask, request_from_flask, request_id_of

Target = Callable[[flask.Request], Any]


def make_target(spec: FunctionSpec, handler: Callable[..., Any]) -> Target:
    trigger = spec.trigger
    if isinstance(trigger, HttpTrigger):
        serve: Callable[[flask.Request], Reply] = lambda req: _serve_http(spec, handler, trigger, req)  # noqa: E731
    elif isinstance(trigger, ObjectTrigger):
        serve = lambda req: _serve_storage_event(spec, handler, trigger, req)  # noqa: E731
    else:
        serve = lambda req: _serve_schedule(spec, handler, req)  # noqa: E731

    def target(req: flask.Request) -> Any:
        return reply_to_flask(serve(req))

    target.__name__ = spec.name
    return target


def _serve_http(spec: FunctionSpec, handler: Callable[..., Any], trigger: HttpTrigger, req: flask.Request) -> Reply:
    route = trigger.route
    params = route.match(req.path)
    if params is None or not route.allows(req.method):
        request_id = request_id_of(Headers(req.headers.items()))
        if params is None:
            return error_reply(404, f"no route for {req.method} {req.path}", request_id)
        reply = error_reply(405, f"{req.method} is not allowed on {req.path}: use {route.method}", request_id)
        reply.headers.append(("Allow", route.method))
        return reply
    return run_http(spec, handler, request_from_flask(req, params))


def _serve_storage_event(
    spec: FunctionSpec, handler: Callable[..., Any], trigger: ObjectTrigger, req: flask.Request
) -> Reply:
    request_id = request_id_of(Headers(req.headers.items()))
    try:
        cloudevent = storage_events.parse_cloudevent(dict(req.headers.items()), req.get_data())
        physical, event = storage_events.object_event(cloudevent, trigger.bucket)
    except storage_events.MalformedEvent as exc:
        log.error("event rejected: " + str(exc), function=spec.name, request_id=request_id)
        return error_reply(400, str(exc), request_id)
    expected = physical_name(ResourceSpec("bucket", trigger.bucket))
    if physical != expected:
        message = f"event from bucket {physical!r}; this function is bound to {expected!r}"
        log.error("event rejected: " + message, function=spec.name)
        return error_reply(400, message, request_id)
    if event is None or event.kind != trigger.kind or not trigger.matches(event.key):
        return Reply(204)
    try:
        run_event(spec, handler, event)
    except EventFailed as exc:
        return error_reply(500, str(exc), request_id)
    return Reply(204)


def _serve_schedule(spec: FunctionSpec, handler: Callable[..., Any], req: flask.Request) -> Reply:
    headers = Headers(req.headers.items())
    if "ce-type" in headers or (headers.get("content-type") or "").startswith("application/cloudevents"):
        message = (f"a CloudEvent ({headers.get('ce-type') or 'structured'}) reached schedule function "
                   f"{spec.name!r}, which Cloud Scheduler calls over plain HTTP")
        log.error("event rejected: " + message, function=spec.name)
        return error_reply(400, message, request_id_of(headers))
    try:
        event = scheduler_requests.schedule_event(headers, spec.name)
    except ValueError as exc:
        log.error("event rejected: " + str(exc), function=spec.name)
        return error_reply(400, str(exc), request_id_of(headers))
    try:
        run_event(spec, handler, event)
    except EventFailed as exc:
        return error_reply(500, str(exc), request_id_of(headers))
    return Reply(204)


def export_targets() -> dict[str, Target]:
    """One functions-framework target per function, registered with the HTTP signature.

    With PORTABLE_FUNCTION set (as in a deployed archive) only that function loads;
    otherwise every function of PORTABLE_PACKAGE (default `functions`).
    PORTABLE_PROVIDER=local binds the local buckets and tables instead of GCP's.
    """
    import functions_framework

    name = os.environ.get("PORTABLE_FUNCTION")
    if name:
        loaded = [load_function(name, os.environ.get("PORTABLE_MODULE") or None)]
    else:
        app = load_app(os.environ.get("PORTABLE_PACKAGE") or "functions")
        loaded = [(spec, app.handlers[spec.name]) for spec in app.functions.values()]
    bind_provider_clients("gcp")
    targets: dict[str, Target] = {}
    for spec, handler in loaded:
        targets[spec.name] = functions_framework.http(make_target(spec, handler))
    return targets

