"""The Lambda handler of every function: `providers.aws.runtime.handler`.

`PORTABLE_FUNCTION` names the function, `PORTABLE_MODULE` its module. The handler
decodes the native event, runs the function through the runtime core, and encodes the
reply, dispatching on the function's trigger. HTTP never raises; an object or schedule
handler's failure raises EventFailed so that Lambda's retry policy applies; a message
function's failed records are named in the reply and held back for the portable backoff.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from portable import log
from portable.app import HttpTrigger, MessageTrigger, ObjectTrigger, ScheduleTrigger, Trigger, load_function
from portable.cors_policy import ENVIRONMENT_VARIABLE as CORS_VARIABLE
from portable.errors import ConfigurationError, EventFailed, HttpError, MalformedEvent, PortableError
from portable.invoke import (
    Bound,
    deliver_object,
    deliver_schedule,
    error_reply,
    new_request_id,
    run_http,
    varying_by_origin,
)
from portable.runtime_typing import TYPE_CHECKING
from providers.aws import http_events
from providers.binding import client_factory, provider_for

if TYPE_CHECKING:
    from typing import Any

    from portable.messages import MessagePolicy

    Event = dict[str, Any]
_loaded: dict[tuple[str | None, str | None, str | None], Bound[Trigger]] = {}


def _function() -> Bound[Trigger]:
    """The function this process runs, loaded once per (function, module, provider)."""
    environ = os.environ
    key = (environ.get("PORTABLE_FUNCTION"), environ.get("PORTABLE_MODULE"), environ.get("PORTABLE_PROVIDER"))
    bound = _loaded.get(key)
    if bound is None:
        name, module, _ = key
        if not name:
            raise ConfigurationError("PORTABLE_FUNCTION is not set: it names the function this Lambda runs")
        spec, function = load_function(name, module or None)
        bound = _loaded[key] = Bound(spec, function, client_factory(provider_for("aws")))
    return bound


def _rejected(reason: str, **fields: Any) -> dict[str, Any]:
    log.error("event rejected: " + reason, **fields)
    return {"status": 400, "error": reason}


def handler(event: Any, context: Any = None) -> Any:
    request_id = getattr(context, "aws_request_id", None)
    if not isinstance(event, dict):
        return _rejected(f"expected a JSON object event, got {type(event).__name__}", request_id=request_id)
    try:
        bound = _function()
    except PortableError as exc:
        log.error("function cannot load", error=str(exc), request_id=request_id)
        if http_events.is_http(event):
            return _http_error(event, 500, "function is misconfigured", request_id)
        raise EventFailed(f"function cannot load: {exc}") from None
    reply = serve(bound, event, request_id)
    trigger = bound.spec.trigger
    if isinstance(trigger, MessageTrigger) and reply.get("batchItemFailures") and provider_for("aws") == "aws":
        _hold_back_failures(trigger.policy, event, reply)
    return reply


def serve(bound: Bound[Trigger], event: Event, request_id: str | None = None) -> Any:
    """What `handler` does once its function is loaded: decode `event`, run `bound`, encode the reply.

    `portable invoke` and the test kit call this with a function bound to local data.
    """
    return _SERVE[type(bound.spec.trigger)](bound, event, request_id)


def _http_error(event: Event, status: int, message: str, request_id: str | None) -> dict[str, Any]:
    fallback_id = http_events.request_id_of(event) or request_id or new_request_id()
    return http_events.encode_reply(error_reply(status, message, fallback_id), http_events.is_v2(event))


def _wrong_event(bound: Bound[Any], event: Event, request_id: str | None) -> dict[str, Any]:
    if http_events.is_http(event):
        log.error("HTTP request reached a function without an HTTP route", function=bound.spec.name)
        return _http_error(event, 404, "no HTTP route here", request_id)
    return _rejected(
        f"unknown event shape: function {bound.spec.name!r} takes {bound.spec.trigger_name} events",
        function=bound.spec.name,
        keys=sorted(event)[:20],
    )


def _serve_http(bound: Bound[HttpTrigger], event: Event, request_id: str | None) -> Any:
    """API Gateway adds the CORS headers from its `corsConfiguration`; under a CORS policy (the deploy hands it over
    in PORTABLE_CORS) the shim says that every reply varies by Origin, those API Gateway adds nothing to included."""
    v2 = http_events.is_v2(event)
    if not v2 and not http_events.is_v1(event):
        return _wrong_event(bound, event, request_id)
    try:
        request = http_events.decode_request(event, v2, request_id)
        if bound.spec.trigger.auth is not None:  # only API Gateway writes requestContext: no caller can forge it
            request.auth = http_events.auth_of(event)
    except HttpError as exc:
        log.warning("bad request", function=bound.spec.name, error=exc.message, request_id=request_id)
        reply = error_reply(exc.status, exc.message, http_events.request_id_of(event) or request_id or new_request_id())
    else:
        reply = run_http(bound, request)
    if CORS_VARIABLE in os.environ:
        varying_by_origin(reply)
    return http_events.encode_reply(reply, v2)


def _serve_object(bound: Bound[ObjectTrigger], event: Event, request_id: str | None) -> Any:
    import providers.aws.s3_events as s3_events  # only object functions load S3 parsing (this form skips the
    # package's from-list handling, which a warm call would otherwise pay each time)

    if s3_events.is_test_event(event):
        log.info("s3:TestEvent acknowledged", function=bound.spec.name)
        return {"status": 200, "ignored": "s3:TestEvent"}
    if not s3_events.is_s3(event):
        return _wrong_event(bound, event, request_id)
    failures: list[str] = []
    delivered = 0
    for index, record in enumerate(event["Records"]):
        try:
            physical, object_event = s3_events.object_event(record, bound.spec.trigger.bucket)
            delivered += deliver_object(bound, physical, object_event)
        except MalformedEvent as exc:
            log.error("S3 record rejected", function=bound.spec.name, record=index, error=str(exc))
        except EventFailed as exc:
            failures.append(str(exc))
    if failures:
        raise EventFailed(f"{len(failures)} of {len(event['Records'])} records failed: " + "; ".join(failures))
    return {"status": 200, "delivered": delivered}


def _serve_schedule(bound: Bound[ScheduleTrigger], event: Event, request_id: str | None) -> Any:
    import providers.aws.schedule_events as schedule_events  # only scheduled functions load this

    if not schedule_events.is_scheduled(event):
        return _wrong_event(bound, event, request_id)
    try:
        schedule_event = schedule_events.schedule_event(event, bound.spec.name)
    except MalformedEvent as exc:
        return _rejected(f"scheduled event is malformed: {exc}", function=bound.spec.name)
    deliver_schedule(bound, schedule_event)
    return {"status": 200, "delivered": 1}


def _serve_messages(bound: Bound[MessageTrigger], event: Event, request_id: str | None) -> Any:
    """Each record is one call; the reply names the records that failed, so SQS redelivers only those.

    A record the shim cannot read fails too: SQS keeps it, and after its attempts it is in the dead-letter queue.
    """
    from portable.invoke import deliver_message
    from providers.aws import sqs_events  # only message functions load SQS parsing

    if not sqs_events.is_sqs(event):
        return _wrong_event(bound, event, request_id)
    failed: list[str] = []
    for index, record in enumerate(event["Records"]):
        message_id = sqs_events.message_id_of(record)
        try:
            deliver_message(bound, sqs_events.decode(record, bound.spec.trigger))
        except MalformedEvent as exc:
            log.error(
                "SQS record rejected", function=bound.spec.name, record=index, message_id=message_id, error=str(exc)
            )
            failed.append(message_id or "")
        except EventFailed:
            failed.append(message_id or "")
    return sqs_events.batch_reply(failed)


def _hold_back_failures(policy: MessagePolicy, event: Event, reply: dict[str, Any]) -> None:
    """SQS brings the batch's failed messages back after the portable backoff for their attempts, as Pub/Sub and
    the local runner do. Only on the cloud's own provider: a shim on local data got records of no real queue."""
    from providers.aws import sqs_events
    from providers.aws.sqs import hold_back  # boto3 loads on this failure path only, never on a cold start

    failed = {item["itemIdentifier"] for item in reply["batchItemFailures"]}
    hold_back([record for record in event["Records"] if sqs_events.message_id_of(record) in failed], policy)


_SERVE: dict[type[Trigger], Callable[[Any, Event, str | None], Any]] = {
    HttpTrigger: _serve_http,
    ObjectTrigger: _serve_object,
    ScheduleTrigger: _serve_schedule,
    MessageTrigger: _serve_messages,
}
