"""The portable events that object and schedule handlers receive."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from datetime import datetime

ObjectEventKind = Literal["created", "deleted"]


class ObjectEvent(NamedTuple):
    """One object created in or deleted from a bucket.

    `id` is the same each time the cloud redelivers the same change, so a handler can
    use it to do its work once. Fields the cloud does not send are None.
    """

    bucket: str
    key: str
    kind: ObjectEventKind
    id: str
    time: datetime | None
    size: int | None = None
    etag: str | None = None
    content_type: str | None = None


class ScheduleEvent(NamedTuple):
    """One firing of a schedule; `time` is when it was due (UTC), not when it arrived."""

    name: str
    time: datetime
    id: str


def schedule_firing(name: str, due: datetime) -> ScheduleEvent:
    """The event for the firing of `name` that was due at `due`; every cloud derives its id so."""
    from datetime import UTC

    due = due.astimezone(UTC)
    return ScheduleEvent(name=name, time=due, id=f"{name}@{due.strftime('%Y-%m-%dT%H:%M:%SZ')}")
