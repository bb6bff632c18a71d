"""The `schedule` kind: a function fired by a cron expression in a time zone, or at a fixed rate.

    @schedule("0 2 * * *", timezone="Europe/Berlin")
    def nightly_report(event: ScheduleEvent) -> None: ...

Delivery: one call per firing, at least once; `event.time` is when the firing was due, the same on
every retry, and so is its id. A failure is tried again by the function's `RetryPolicy`, then
dead-lettered. A deployed function never parses its schedule: the deploy checked and compiled it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from portable.app import App, Function
from portable.decorators import EVENT_TIMEOUT_SECONDS, make_registrar
from portable.delivery import BatchRule, Bound, Settled, deliver_records
from portable.events import built
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime
    from typing import Any

    from typing_extensions import Unpack

    from portable.app import ResourceKind
    from portable.context import ClientFactory
    from portable.decorators import FunctionOptions, Handler
    from portable.delivery import Decoded, Ending
    from portable.retries import RetryPolicy
    from portable.schedules import Schedule
    from portable.tracing import TraceSource


class ScheduleEvent(NamedTuple):
    """One firing of a schedule; `time` is when it was due (UTC), not when it arrived.

    Attributes:
        name: The schedule function's name.
        time: When the firing was due, aware UTC.
        id: `<name>@<time>`, the same on every retry of this firing.
    """

    name: str
    time: datetime
    id: str


class ScheduleTrigger(NamedTuple):
    """A schedule as declared; `where` (file:line) names the declaration in refusals.

    A deployed function never parses it: the deploy checked and compiled it, and the shim
    needs only the function's name and the firing's time. `load_app` checks every one.
    """

    cron: str | None
    every: str | None
    timezone: str
    where: str

    @property
    def source(self) -> str | None:
        return None

    @property
    def source_kind(self) -> ResourceKind | None:
        return None

    @property
    def retries_refusal(self) -> str | None:
        return None

    @property
    def handler_parameter(self) -> str | None:
        return "event: ScheduleEvent"

    @property
    def schedule(self) -> Schedule:
        from portable.schedules import checked_schedule

        return checked_schedule(self.cron, self.every, self.timezone, self.where)


ScheduleFunction = Function[ScheduleTrigger]


def schedule(
    cron: str | None = None,
    *,
    every: str | None = None,
    timezone: str = "UTC",
    **options: Unpack[FunctionOptions],
) -> Callable[[Handler], Handler]:
    """Run the decorated function on a cron schedule in `timezone`, or `every` fixed interval.

    The expression is checked when the App loads (deploy, local runner), not on a cold start.
    """

    def trigger(where: str) -> ScheduleTrigger:
        return ScheduleTrigger(cron, every, timezone, where)

    return make_registrar(trigger, options, timeout_seconds=EVENT_TIMEOUT_SECONDS)


def schedule_firing(name: str, due: datetime, due_text: str | None = None) -> ScheduleEvent:
    """The event for the firing of `name` that was due at `due`; every cloud derives its id so. `due_text`, the
    due time as the event carried it, spares formatting it again when it is already the id's form,
    YYYY-MM-DDTHH:MM:SSZ (checked inline: this is every firing's path)."""
    if due.tzinfo is not UTC:
        due = due.astimezone(UTC)
    if not (
        due_text is not None
        and len(due_text) == 20
        and due_text[19] == "Z"
        and due_text[10] == "T"
        and due_text[4] == due_text[7] == "-"
        and due_text[13] == due_text[16] == ":"
        and due_text[5] != "W"
    ):
        due_text = due.isoformat(timespec="seconds")[:19] + "Z"
    return built(ScheduleEvent, (name, due, f"{name}@{due_text}"))  # every field, as the tuple it is


# The App ---------------------------------------------------------------------


def check_app(app: App) -> None:
    """Every schedule parses (the grammar, the time zone): refused with the declaration's file and line."""
    for spec in app.functions_of(ScheduleTrigger):
        spec.trigger.schedule  # noqa: B018 (parsing it is the check)


def receivers(app: App, event: ScheduleEvent) -> list[ScheduleFunction]:
    """The function a firing is for: the one named after its schedule."""
    return [spec for spec in app.functions_of(ScheduleTrigger) if spec.name == event.name]


# Delivery --------------------------------------------------------------------

RULE = BatchRule(unreadable_fails=False, ordered=False, label="scheduled event")


def deliver(
    bound: Bound[ScheduleTrigger], records: Iterable[Decoded], ending: Ending | None = None, trace: TraceSource = None
) -> Settled:
    """One call per firing; a failure fails it, and the platform fires it again by the function's RetryPolicy."""
    return deliver_records(bound, records, RULE, None, ending, trace)


def policy(spec: ScheduleFunction) -> RetryPolicy:
    return spec.retries


def retries_ended(bound: Bound[ScheduleTrigger], event: ScheduleEvent, attempted: bool) -> str | None:
    """Every platform counts a schedule's attempts itself (Cloud Scheduler's retry config, Lambda's)."""
    return None


def with_attempt(event: ScheduleEvent, attempt: int) -> ScheduleEvent:
    return event


# Records ---------------------------------------------------------------------


def to_record(event: ScheduleEvent) -> dict[str, object]:
    return {"name": event.name, "time": event.time.isoformat(), "id": event.id}


def from_record(record: Mapping[str, Any]) -> ScheduleEvent:
    """The firing `to_record` wrote; its id is derived again from its name and time."""
    from portable.event_times import event_time
    from portable.events import text

    return schedule_firing(text(record.get("name"), "name"), event_time(record.get("time"), "time"))


# Samples ---------------------------------------------------------------------


def sample(
    spec: ScheduleFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[ScheduleEvent, list[str]]:
    """The firing due at hints["at"] (an RFC 3339 time, UTC if it has no offset), by default this minute's."""
    from datetime import UTC, datetime

    from portable.event_times import event_time

    at = hints.get("at")
    due = (
        datetime.now(UTC).replace(second=0, microsecond=0) if at is None else event_time(at, "--at", naive_is_utc=True)
    )
    return schedule_firing(spec.name, due), []
