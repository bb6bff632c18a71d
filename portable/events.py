"""The portable events that object and schedule handlers receive."""

from __future__ import annotations

from portable.errors import MalformedEvent
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from datetime import datetime
    from typing import Literal

    ObjectEventKind = Literal["created", "deleted"]
else:
    ObjectEventKind = str


class ObjectEvent(NamedTuple):
    """One object created in or deleted from a bucket.

    `id` is the same each time the cloud redelivers the same change, so a handler can
    use it to do its work once. Fields the cloud does not send are None.

    Attributes:
        bucket: The bucket's logical name, as declared.
        key: The object's key, decoded exactly once.
        kind: `created` or `deleted`.
        id: The same on every redelivery of this change.
        time: When the change happened, aware UTC.
        size: The object's size in bytes; None for deletions on AWS.
        etag: The object's etag; None for deletions on AWS.
        content_type: The object's content type; None on AWS, whose notifications do not carry it.
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
    """One firing of a schedule; `time` is when it was due (UTC), not when it arrived.

    Attributes:
        name: The schedule function's name.
        time: When the firing was due, aware UTC.
        id: `<name>@<time>`, the same on every retry of this firing.
    """

    name: str
    time: datetime
    id: str


# The years an event's time may fall in: no cloud sends a time before 1970, and within these a handler can add or
# subtract a day or a year without leaving what a datetime holds.
EVENT_YEARS = (1970, 9998)


def event_time(text: object, field: str, *, naive_is_utc: bool = False) -> datetime:
    """An RFC 3339 time from an event, as an aware UTC datetime; MalformedEvent if it is not one.

    Times outside EVENT_YEARS are refused too (year 1 or 9999 would overflow a handler's `time - timedelta(days=1)`).
    """
    from datetime import UTC, datetime  # HTTP functions never load datetime

    if not isinstance(text, str) or len(text) > 64:
        got = f"{text!r:.80}" if isinstance(text, str) else f"a {type(text).__name__}"
        raise MalformedEvent(f"{field} must be an RFC 3339 time such as 2026-11-28T02:00:00Z, got {got}")
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None and not naive_is_utc:
            raise MalformedEvent(f"{field} {text!r} has no UTC offset")
        if parsed.tzinfo is not UTC:  # a "Z" time parses to UTC: nothing to convert
            parsed = parsed.replace(tzinfo=parsed.tzinfo or UTC).astimezone(UTC)
    except (ValueError, OverflowError):
        raise MalformedEvent(f"{field} {text!r} is not an RFC 3339 time") from None
    if not EVENT_YEARS[0] <= parsed.year <= EVENT_YEARS[1]:
        raise MalformedEvent(
            f"{field} {text!r} is not a time an event can have (years {EVENT_YEARS[0]} to {EVENT_YEARS[1]})"
        )
    return parsed


def object_size(value: object) -> int | None:
    """An object's size as events carry it (a number, or digits in a string); None if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if (
        isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20
    ):  # not '²', which int() refuses
        return int(value)
    return None


def optional_text(value: object) -> str | None:
    """A non-empty string field of an event, else None."""
    return value if isinstance(value, str) and value else None


def schedule_firing(name: str, due: datetime) -> ScheduleEvent:
    """The event for the firing of `name` that was due at `due`; every cloud derives its id so."""
    from datetime import UTC

    if due.tzinfo is not UTC:
        due = due.astimezone(UTC)
    return ScheduleEvent(name=name, time=due, id=f"{name}@{due.isoformat(timespec='seconds')[:19]}Z")


def event_record(event: ObjectEvent | ScheduleEvent) -> dict[str, object]:
    """Every field of `event` as JSON values (the time in RFC 3339): what a dead letter carries."""
    record: dict[str, object] = event._asdict()
    record["time"] = event.time.isoformat() if event.time is not None else None
    return record
