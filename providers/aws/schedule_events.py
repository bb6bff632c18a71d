"""EventBridge Scheduler and EventBridge rule "Scheduled Event" events -> schedule events."""

from __future__ import annotations

from typing import Any

from portable.events import ScheduleEvent, event_time, schedule_firing


def is_scheduled(event: dict[str, Any]) -> bool:
    return event.get("detail-type") == "Scheduled Event" and event.get("source") in ("aws.events", "aws.scheduler")


def schedule_event(event: dict[str, Any], name: str) -> ScheduleEvent:
    """The event's `time` is when the schedule was due, the same on every retry of that firing."""
    return schedule_firing(name, event_time(event.get("time"), "the scheduled event's time"))
