"""The `schedule` kind locally: firings at rest (the delivery queue, dead letters) and on the console and banner.

The runner's scheduler (`providers/local/scheduler.py`) fires them and delivers them through the GCP shim,
as Cloud Scheduler calls it (`providers/gcp/schedule_codec.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from portable import schedule_trigger
from portable.app import App
from portable.schedule_trigger import ScheduleEvent, ScheduleTrigger

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from portable.context import ClientFactory
    from portable.schedule_trigger import ScheduleFunction
    from providers.local.outboxes import Outbox

KIND = "schedule"
LABEL = "schedules"  # what the runner's banner calls its triggers


def encode(event: ScheduleEvent) -> dict[str, Any]:
    return {"type": KIND, **schedule_trigger.to_record(event)}


def decode(record: Mapping[str, Any]) -> ScheduleEvent:
    return schedule_trigger.from_record(record)


def subject(event: ScheduleEvent) -> str:
    return f"due {event.time:%Y-%m-%dT%H:%M:%SZ}"


def outboxes(app: App, root: Path) -> list[Outbox]:
    """Firings come from the scheduler, not from an outbox."""
    return []


def describe(app: App) -> list[str]:
    return [f"{spec.name} ({spec.trigger.schedule.describe()})" for spec in app.functions_of(ScheduleTrigger)]


def sample(
    spec: ScheduleFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[dict[str, Any], list[str]]:
    event, notes = schedule_trigger.sample(spec, hints, clients)
    return encode(event), notes


NEXT_FIRINGS = 5  # how many of a schedule's next times the dashboard shows


def dashboard(app: App, pending: Mapping[str, int], now: datetime) -> dict[str, Any]:
    """The dashboard's part of this kind: each schedule with its next firings, in its time zone."""
    from zoneinfo import ZoneInfo

    from providers.local.scheduler import fire_times

    schedules = []
    for spec in app.functions_of(ScheduleTrigger):
        schedule = spec.trigger.schedule
        zone = ZoneInfo(schedule.timezone)
        schedules.append(
            {
                "name": spec.name,
                "schedule": schedule.describe(),
                "timezone": schedule.timezone,
                "next": [when.astimezone(zone).isoformat() for when in fire_times(schedule, now, NEXT_FIRINGS)],
            }
        )
    return {"schedules": schedules}
