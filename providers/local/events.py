"""Local events at rest, and the signal that new ones are waiting.

Events are stored as JSON (in the outboxes, in the delivery queue and in dead letters), so they outlive
the process that acknowledged them: each as its kind's record (`<kind>_codec.encode`), tagged with the
kind's name in `type`. A dead letter is a file the user may read and edit before replaying it, so reading
one back checks every field (`<kind>_codec.decode`).
"""

from __future__ import annotations

import importlib
import json
import threading
from typing import Any

from portable.errors import MalformedEvent
from portable.triggers import KINDS, codec_name

LocalEvent = Any  # an event of one of the registry's kinds: ObjectEvent, ScheduleEvent, Message, TableChange...


class UnreadableEvent(ValueError):
    """A stored event that is not a local event record."""


def kind_of_event(event: LocalEvent) -> str:
    """The kind of an event, named by its module: `portable.object_trigger.ObjectEvent` is `object`."""
    return type(event).__module__.rpartition(".")[2].removesuffix("_trigger")


def codec(kind: str) -> Any:
    """The local codec of `kind`."""
    return importlib.import_module(codec_name("local", kind))


def to_record(event: LocalEvent) -> dict[str, Any]:
    """`event` as JSON values: its kind's record, and `type` (the kind)."""
    record: dict[str, Any] = codec(kind_of_event(event)).encode(event)
    return record


def from_record(record: object) -> LocalEvent:
    """The event `to_record` wrote; UnreadableEvent names the field that is wrong."""
    if not isinstance(record, dict):
        raise UnreadableEvent(f"an event is a JSON object, not {type(record).__name__}")
    kind = record.get("type")
    if kind not in KINDS or kind == "http":
        known = ", ".join(repr(name) for name in KINDS if name != "http")
        raise UnreadableEvent(f"type must be one of {known}, not {kind!r}")
    try:
        return codec(kind).decode(record)
    except MalformedEvent as exc:
        raise UnreadableEvent(str(exc)) from None


def with_attempt(event: LocalEvent, attempt: int) -> LocalEvent:
    """The event as its delivery number `attempt` carries it (a message counts its deliveries, others do not)."""
    from portable.triggers import trigger_module

    return trigger_module(kind_of_event(event)).with_attempt(event, attempt)


def to_json(event: LocalEvent) -> str:
    return json.dumps(to_record(event), ensure_ascii=False)


def from_json(text: str) -> LocalEvent:
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise UnreadableEvent(f"not JSON: {exc}") from None
    return from_record(record)


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
