"""EventBridge Scheduler and EventBridge rule "Scheduled Event" events -> schedule events."""

from __future__ import annotations

from portable.events import ScheduleEvent, event_time, schedule_firing
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any


def is_scheduled(event: dict[str, Any]) -> bool:
    return event.get("detail-type") == "Scheduled Event" and event.get("source") in ("aws.events", "aws.scheduler")


def schedule_event(event: dict[str, Any], name: str) -> ScheduleEvent:
    """The event's `time` is when the schedule was due, the same on every retry of that firing."""
    return schedule_firing(name, event_time(event.get("time"), "the scheduled event's time"))


def encode(name: str, due: datetime, region: str = "us-east-1", account: str = "123456789012") -> dict[str, Any]:
    """The event EventBridge Scheduler sends when schedule `name` fires for its time `due`."""
    import uuid
    from datetime import UTC

    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": account,
        "time": due.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "region": region,
        "resources": [f"arn:aws:scheduler:{region}:{account}:schedule/default/{name}"],
        "detail": "{}",
    }
