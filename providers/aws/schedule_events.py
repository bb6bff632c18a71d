"""EventBridge Scheduler and EventBridge rule "Scheduled Event" events -> schedule events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portable.errors import MalformedEvent
from portable.events import ScheduleEvent, schedule_firing


def is_scheduled(event: dict[str, Any]) -> bool:
    return event.get("detail-type") == "Scheduled Event" and event.get("source") in ("aws.events", "aws.scheduler")


def schedule_event(event: dict[str, Any], name: str) -> ScheduleEvent:
    """The event's `time` is when the schedule was due, the same on every retry of that firing."""
    text = event.get("time")
    if not isinstance(text, str):
        raise MalformedEvent("the scheduled event has no 'time'")
    try:
        due = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedEvent(f"the scheduled event's time {text!r} is not an ISO-8601 time") from None
    return schedule_firing(name, due)
