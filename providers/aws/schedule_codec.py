"""The `schedule` kind on AWS: EventBridge Scheduler and EventBridge rule "Scheduled Event" events <-> firings.

Scheduler invokes the function asynchronously: a failed firing fails the invocation, which Lambda
retries by the function's policy.
"""

from __future__ import annotations

from portable import schedule_trigger
from portable.errors import EventFailed, MalformedEvent
from portable.event_times import event_time
from portable.runtime_typing import TYPE_CHECKING
from portable.schedule_trigger import schedule_firing

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from portable.context import ClientFactory
    from portable.delivery import Bound, Decoded, Settled
    from portable.schedule_trigger import ScheduleEvent, ScheduleFunction, ScheduleTrigger


def recognises(event: dict[str, Any]) -> bool:
    return event.get("detail-type") == "Scheduled Event" and event.get("source") in ("aws.events", "aws.scheduler")


def decode(event: dict[str, Any], bound: Bound[ScheduleTrigger], request_id: str | None) -> list[Decoded]:
    """The firing: its `time` is when the schedule was due, the same on every retry of that firing."""
    try:
        due = event.get("time")
        return [("0", schedule_firing(bound.spec.name, event_time(due, "the scheduled event's time"), due))]
    except MalformedEvent as exc:
        return [("0", exc)]


def encode_reply(settled: Settled, event: dict[str, Any]) -> dict[str, Any]:
    """What the handler returns; a failed firing fails the invocation (EventFailed), so Lambda retries it."""
    if settled.refusals:
        return {"status": 400, "error": f"scheduled event is malformed: {settled.refusals[0]}"}
    if settled.failed:
        raise EventFailed(settled.errors[0])
    return {"status": 200, "delivered": settled.delivered}


def succeeded(reply: dict[str, Any]) -> bool:
    """Whether Lambda counts the invocation done: anything but a raised EventFailed, a refused event included."""
    return int(reply.get("status", 500)) < 500


def encode(event: ScheduleEvent, spec: ScheduleFunction) -> dict[str, Any]:
    """The event EventBridge Scheduler sends when the schedule of `spec` fires for its time `event.time`."""
    import uuid
    from datetime import UTC

    from providers.aws.arns import ACCOUNT, REGION, arn

    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": ACCOUNT,
        "time": event.time.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "region": REGION,
        "resources": [arn("scheduler", f"schedule/default/{spec.name}")],
        "detail": "{}",
    }


def sample(
    spec: ScheduleFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[dict[str, Any], list[str]]:
    """The event of a firing due at hints["at"] (`portable.schedule_trigger.sample`)."""
    event, notes = schedule_trigger.sample(spec, hints, clients)
    return encode(event, spec), notes
