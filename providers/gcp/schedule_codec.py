"""The `schedule` kind on GCP: Cloud Scheduler's HTTP calls <-> firings.

Cloud Scheduler counts its attempts and retries by the job's retry config (`COUNTS_ATTEMPTS`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from portable import log, schedule_trigger
from portable.errors import MalformedEvent
from portable.event_times import event_time
from portable.schedule_trigger import ScheduleEvent, schedule_firing
from providers.gcp.cloud_events import is_cloudevent

if TYPE_CHECKING:
    from collections.abc import Mapping

    import flask

    from portable.context import ClientFactory
    from portable.delivery import Bound, Decoded
    from portable.request import Headers
    from portable.schedule_trigger import ScheduleFunction, ScheduleTrigger

SCHEDULE_TIME_HEADER = "X-CloudScheduler-ScheduleTime"
COUNTS_ATTEMPTS = True


def decode(req: flask.Request, headers: Headers, bound: Bound[ScheduleTrigger]) -> list[Decoded]:
    """The firing that was due at X-CloudScheduler-ScheduleTime (the same on every retry).

    Cloud Scheduler sends that header only for unix-cron schedules; a call without it (a manual run) is a
    firing due now. A CloudEvent is refused: Eventarc has no business here.
    """
    name = bound.spec.name
    if is_cloudevent(headers):
        return [
            (
                "0",
                MalformedEvent(
                    f"a CloudEvent ({headers.get('ce-type') or 'structured'}) reached schedule function "
                    f"{name!r}, which Cloud Scheduler calls over plain HTTP"
                ),
            )
        ]
    text = headers.get(SCHEDULE_TIME_HEADER)
    if text is None:
        log.warning(f"no {SCHEDULE_TIME_HEADER} header: treating the call as a firing due now", function=name)
        return [("0", schedule_firing(name, datetime.now(UTC).replace(microsecond=0)))]
    try:
        return [("0", schedule_firing(name, event_time(text, SCHEDULE_TIME_HEADER), text))]
    except MalformedEvent as exc:
        return [("0", exc)]


def routes_to(spec: ScheduleFunction, event: ScheduleEvent) -> bool:
    """A job calls its one function."""
    return spec.name == event.name


def encode(event: ScheduleEvent, spec: ScheduleFunction) -> tuple[str, str, dict[str, str], bytes]:
    """Cloud Scheduler's call to the job of `spec` for its firing due at `event.time` (whole seconds, UTC)."""
    headers = {
        "X-CloudScheduler": "true",
        "X-CloudScheduler-JobName": spec.name,
        SCHEDULE_TIME_HEADER: event.time.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "User-Agent": "Google-Cloud-Scheduler",
    }
    return "POST", "/", headers, b""


def sample(
    spec: ScheduleFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[tuple[str, str, dict[str, str], bytes], list[str]]:
    """The call of a firing due at hints["at"] (`portable.schedule_trigger.sample`)."""
    event, notes = schedule_trigger.sample(spec, hints, clients)
    return encode(event, spec), notes
