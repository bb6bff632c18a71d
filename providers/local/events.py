"""Local events at rest, and the signal that new ones are waiting.

Object and schedule events are stored as JSON (in a bucket's outbox, in the delivery
queue and in dead letters), so they outlive the process that acknowledged them. A
dead letter is a file the user may read and edit before replaying it, so reading one
back checks every field.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from portable.errors import MalformedEvent
from portable.events import ObjectEvent, ObjectEventKind, ScheduleEvent, event_time, schedule_firing
from portable.messages import Message, message_record

LocalEvent = ObjectEvent | ScheduleEvent | Message
_KINDS: dict[str, ObjectEventKind] = {"created": "created", "deleted": "deleted"}


class UnreadableEvent(ValueError):
    """A stored event that is not a local event record."""


def to_record(event: LocalEvent) -> dict[str, Any]:
    """`event` as JSON values: its fields, `type` (object, schedule or message) and the time in RFC 3339."""
    if isinstance(event, Message):
        return {"type": "message", **message_record(event)}
    kind = "schedule" if isinstance(event, ScheduleEvent) else "object"
    return {"type": kind, **event._asdict(), "time": event.time.isoformat() if event.time else None}


def from_record(record: object) -> LocalEvent:
    """The event `to_record` wrote; UnreadableEvent names the field that is wrong."""
    if not isinstance(record, dict):
        raise UnreadableEvent(f"an event is a JSON object, not {type(record).__name__}")
    try:
        if record.get("type") == "schedule":
            return schedule_firing(_text(record, "name"), event_time(record.get("time"), "time"))
        if record.get("type") == "message":
            return _message(record)
        if record.get("type") != "object":
            raise UnreadableEvent(f"type must be 'object', 'schedule' or 'message', not {record.get('type')!r}")
        raw_kind = record.get("kind")
        kind = _KINDS.get(raw_kind) if isinstance(raw_kind, str) else None
        if kind is None:
            raise UnreadableEvent(f"kind must be 'created' or 'deleted', not {raw_kind!r}")
        size = record.get("size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            raise UnreadableEvent(f"size must be a whole number of bytes or null, not {size!r}")
        return ObjectEvent(
            bucket=_text(record, "bucket"),
            key=_text(record, "key"),
            kind=kind,
            id=_text(record, "id"),
            time=None if record.get("time") is None else event_time(record["time"], "time"),
            size=size,
            etag=_optional_text(record, "etag"),
            content_type=_optional_text(record, "content_type"),
        )
    except MalformedEvent as exc:
        raise UnreadableEvent(str(exc)) from None


def _message(record: dict[str, Any]) -> Message:
    import base64

    attributes = record.get("attributes")
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise UnreadableEvent(f"attributes must map names to strings, not {attributes!r}")
    attempt = record.get("attempt")
    if not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 1:
        raise UnreadableEvent(f"attempt must be a whole number from 1, not {attempt!r}")
    try:
        body = base64.b64decode(_text(record, "body"), validate=True) if record.get("body") != "" else b""
    except ValueError:  # binascii.Error, and text that is not ASCII
        raise UnreadableEvent("body must be base64") from None
    return Message(
        id=_text(record, "id"),
        body=body,
        attributes=attributes,
        attempt=attempt,
        publish_time=event_time(record.get("publish_time"), "publish_time"),
        source=_text(record, "source"),
    )


def with_attempt(event: LocalEvent, attempt: int) -> LocalEvent:
    """The event as its delivery number `attempt` carries it: a message counts its deliveries, other events do not."""
    return event._replace(attempt=attempt) if isinstance(event, Message) else event


def to_json(event: LocalEvent) -> str:
    return json.dumps(to_record(event), ensure_ascii=False)


def from_json(text: str) -> LocalEvent:
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise UnreadableEvent(f"not JSON: {exc}") from None
    return from_record(record)


def _text(record: dict[str, Any], field: str) -> str:
    value = record.get(field)
    if isinstance(value, str) and value:
        return value
    raise UnreadableEvent(f"{field} must be a non-empty string, not {value!r}")


def _optional_text(record: dict[str, Any], field: str) -> str | None:
    return None if record.get(field) is None else _text(record, field)


class _Doorbell:
    """Rung after every event stored in this process, so waiting workers start at once."""

    def __init__(self) -> None:
        self._rings = 0
        self._condition = threading.Condition()

    def ring(self) -> None:
        with self._condition:
            self._rings += 1
            self._condition.notify_all()

    def rings(self) -> int:
        """How often it has rung; pass it to `wait` so that a ring in between is not missed."""
        with self._condition:
            return self._rings

    def wait(self, seen: int, timeout: float) -> None:
        """Until it rings after `seen` rings, or for `timeout` seconds."""
        with self._condition:
            self._condition.wait_for(lambda: self._rings != seen, timeout)


doorbell = _Doorbell()
