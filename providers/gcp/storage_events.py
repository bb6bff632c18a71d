"""Cloud Storage CloudEvents (Eventarc, binary or structured mode) <-> portable object events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from portable.errors import MalformedEvent
from portable.events import ObjectEvent, ObjectEventKind

EVENT_TYPES: dict[ObjectEventKind, str] = {
    "created": "google.cloud.storage.object.v1.finalized",
    "deleted": "google.cloud.storage.object.v1.deleted",
}
_KINDS: dict[str, ObjectEventKind] = {event_type: kind for kind, event_type in EVENT_TYPES.items()}


def decode(headers: dict[str, str], body: bytes, logical_bucket: str) -> tuple[str, ObjectEvent | None]:
    """(physical bucket, event) of an Eventarc request; the event is None for types Portable does not deliver."""
    return object_event(parse_cloudevent(headers, body), logical_bucket)


def encode(event: ObjectEvent, physical_bucket: str) -> tuple[dict[str, str], bytes]:
    """The binary-mode CloudEvent (headers, body) that Eventarc sends for `event` in `physical_bucket`."""
    from cloudevents.conversion import to_binary
    from cloudevents.http import CloudEvent

    data: dict[str, Any] = {"bucket": physical_bucket, "name": event.key}
    if event.size is not None:
        data["size"] = str(event.size)
    if event.etag:
        data["etag"] = event.etag
    if event.content_type:
        data["contentType"] = event.content_type
    attributes = {
        "type": EVENT_TYPES[event.kind],
        "source": f"//storage.googleapis.com/projects/_/buckets/{physical_bucket}",
        "subject": f"objects/{event.key}",
        "id": event.id,
        "bucket": physical_bucket,
    }
    if event.time is not None:  # without one, the CloudEvent gets the time of encoding
        attributes["time"] = event.time.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return to_binary(CloudEvent(attributes, data))


def parse_cloudevent(headers: dict[str, str], body: bytes) -> Any:
    from cloudevents.exceptions import GenericException
    from cloudevents.http import from_http

    try:
        return from_http(headers, body)
    except GenericException as exc:
        raise MalformedEvent(f"not a CloudEvent: {exc}") from None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).astimezone(UTC)
    except ValueError:
        raise MalformedEvent(f"CloudEvent time {value!r} is not RFC 3339") from None


def object_event(event: Any, logical_bucket: str) -> tuple[str, ObjectEvent | None]:
    """(physical bucket, event); the event is None for types Portable does not deliver."""
    data = event.data
    if not isinstance(data, dict):
        raise MalformedEvent("the CloudEvent data is not a JSON object (StorageObjectData)")
    source = str(event.get("source") or "")
    physical = event.get("bucket") or data.get("bucket") or source.rpartition("/buckets/")[2]
    subject = str(event.get("subject") or "")
    key = data.get("name") or (subject[len("objects/"):] if subject.startswith("objects/") else None)
    if not physical or not key:
        raise MalformedEvent("the CloudEvent names no bucket or object (data.bucket, data.name)")
    kind = _KINDS.get(str(event.get("type")))
    if kind is None:
        return str(physical), None
    return str(physical), ObjectEvent(
        bucket=logical_bucket,
        key=str(key),
        kind=kind,
        id=str(event.get("id")),
        time=_time(event.get("time")),
        size=_int(data.get("size")),
        etag=data.get("etag") or None,
        content_type=data.get("contentType") or None,
    )
