"""Cloud Scheduler HTTP calls <-> portable schedule events."""

from __future__ import annotations

from datetime import UTC, datetime

from portable import log
from portable.errors import MalformedEvent
from portable.events import ScheduleEvent, event_time, schedule_firing
from portable.request import Headers

SCHEDULE_TIME_HEADER = "X-CloudScheduler-ScheduleTime"


def encode(name: str, due: datetime) -> dict[str, str]:
    """The headers of Cloud Scheduler's call to job `name` for its firing due at `due` (whole seconds, UTC)."""
    return {
        "X-CloudScheduler": "true",
        "X-CloudScheduler-JobName": name,
        SCHEDULE_TIME_HEADER: due.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "User-Agent": "Google-Cloud-Scheduler",
    }


def decode(headers: Headers, name: str) -> ScheduleEvent:
    """The firing that was due at X-CloudScheduler-ScheduleTime (same on every retry).

    Cloud Scheduler sends that header only for unix-cron schedules; a call without it
    (a manual run) is a firing due now. A CloudEvent is refused: Eventarc has no business here.
    """
    if "ce-type" in headers or (headers.get("content-type") or "").startswith("application/cloudevents"):
        raise MalformedEvent(
            f"a CloudEvent ({headers.get('ce-type') or 'structured'}) reached schedule function "
            f"{name!r}, which Cloud Scheduler calls over plain HTTP"
        )
    text = headers.get(SCHEDULE_TIME_HEADER)
    if text is None:
        log.warning(f"no {SCHEDULE_TIME_HEADER} header: treating the call as a firing due now", function=name)
        return schedule_firing(name, datetime.now(UTC).replace(microsecond=0))
    return schedule_firing(name, event_time(text, SCHEDULE_TIME_HEADER))
