"""The Lambda handler of every function: `providers.aws.runtime.handler`.

`PORTABLE_FUNCTION` names the function, `PORTABLE_MODULE` its module. The handler
turns the native event into portable ones, runs the function through the runtime core,
and answers in the native shape. HTTP never raises; an object or schedule handler's
failure raises EventFailed so that Lambda's retry policy applies.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from portable import log
from portable.app import FunctionSpec, HttpTrigger, ObjectTrigger, ResourceSpec, ScheduleTrigger, load_function
from portable.context import physical_name
from portable.errors import ConfigurationError, EventFailed, HttpError, PortableError
from portable.events import ObjectEvent
from portable.invoke import error_reply, new_request_id, run_event, run_http
from providers.aws import http_events
from providers.binding import bind_provider_clients

_loaded: tuple[FunctionSpec, Callable[..., Any]] | None = None


def _function() -> tuple[FunctionSpec, Callable[..., Any]]:
    global _loaded
    if _loaded is None:
        name = os.environ.get("PORTABLE_FUNCTION")
        if not name:
            raise ConfigurationError("PORTABLE_FUNCTION is not set: it names the function this Lambda runs")
        _loaded = load_function(name, os.environ.get("PORTABLE_MODULE") or None)
        bind_provider_clients("aws")
    return _loaded


def _rejected(reason: str, **fields: Any) -> dict[str, Any]:
    log.error("event rejected: " + reason, **fields)
    return {"status": 400, "error": reason}


def handler(event: Any, context: Any = None) -> Any:
    request_id = getattr(context, "aws_request_id", None)
    if not isinstance(event, dict):
        return _rejected(f"expected a JSON object event, got {type(event).__name__}", request_id=request_id)
    is_http = http_events.is_v2(event) or http_events.is_v1(event)
    try:
        spec, function = _function()
    except PortableError as exc:
        log.error("function cannot load", error=str(exc), request_id=request_id)
        if is_http:
            fallback_id = http_events.request_id_of(event) or request_id or new_request_id()
            return _http_reply(event, error_reply(500, "function is misconfigured", fallback_id))
        raise EventFailed(f"function cannot load: {exc}") from None
    if is_http:
        return _handle_http(spec, function, event, request_id)
    from providers.aws import s3_events, schedule_events  # only event-driven functions load these

    if s3_events.is_test_event(event):
        log.info("s3:TestEvent acknowledged", function=spec.name)
        return {"status": 200, "ignored": "s3:TestEvent"}
    if s3_events.is_s3(event):
        return _handle_s3(spec, function, event)
    if schedule_events.is_scheduled(event):
        return _handle_schedule(spec, function, event)
    return _rejected("unknown event shape: not API Gateway, S3 or a scheduled event",
                     function=spec.name, keys=sorted(event)[:20])


def _http_reply(event: dict[str, Any], reply: Any) -> dict[str, Any]:
    return http_events.reply_to_v2(reply) if http_events.is_v2(event) else http_events.reply_to_v1(reply)


def _handle_http(
    spec: FunctionSpec, function: Callable[..., Any], event: dict[str, Any], request_id: str | None
) -> dict[str, Any]:
    fallback_id = http_events.request_id_of(event) or request_id or new_request_id()
    if not isinstance(spec.trigger, HttpTrigger):
        log.error("HTTP request reached a function without an HTTP route", function=spec.name)
        return _http_reply(event, error_reply(404, "no HTTP route here", fallback_id))
    try:
        if http_events.is_v2(event):
            request = http_events.request_from_v2(event, request_id)
        else:
            request = http_events.request_from_v1(event, request_id)
    except HttpError as exc:
        log.warning("bad request", function=spec.name, error=exc.message, request_id=fallback_id)
        return _http_reply(event, error_reply(exc.status, exc.message, fallback_id))
    if not request.path_params and spec.trigger.route.params:
        request.path_params = spec.trigger.route.match(request.path) or {}
    return _http_reply(event, run_http(spec, function, request))


def _handle_s3(spec: FunctionSpec, function: Callable[..., Any], event: dict[str, Any]) -> Any:
    from providers.aws import s3_events

    trigger = spec.trigger
    if not isinstance(trigger, ObjectTrigger):
        return _rejected("S3 notification reached a function without a bucket trigger", function=spec.name)
    expected = physical_name(ResourceSpec("bucket", trigger.bucket))
    failures: list[str] = []
    delivered = 0
    for index, record in enumerate(event["Records"]):
        try:
            physical, object_event = s3_events.object_event(record, trigger.bucket)
        except s3_events.MalformedEvent as exc:
            log.error("S3 record rejected", function=spec.name, record=index, error=str(exc))
            continue
        if physical != expected:
            log.error("S3 record from a bucket this function is not bound to",
                      function=spec.name, bucket=physical, expected=expected)
            continue
        if not _wanted(trigger, object_event):
            continue
        assert object_event is not None
        try:
            run_event(spec, function, object_event)
            delivered += 1
        except EventFailed as exc:
            failures.append(str(exc))
    if failures:
        raise EventFailed(f"{len(failures)} of {len(event['Records'])} records failed: " + "; ".join(failures))
    return {"status": 200, "delivered": delivered}


def _wanted(trigger: ObjectTrigger, event: ObjectEvent | None) -> bool:
    return event is not None and event.kind == trigger.kind and trigger.matches(event.key)


def _handle_schedule(spec: FunctionSpec, function: Callable[..., Any], event: dict[str, Any]) -> Any:
    from providers.aws import schedule_events

    if not isinstance(spec.trigger, ScheduleTrigger):
        return _rejected("scheduled event reached a function without a schedule", function=spec.name)
    try:
        schedule_event = schedule_events.schedule_event(event, spec.name)
    except ValueError as exc:
        return _rejected(f"scheduled event is malformed: {exc}", function=spec.name)
    run_event(spec, function, schedule_event)
    return {"status": 200, "delivered": 1}
