"""Cloud Storage CloudEvents (Eventarc, binary or structured mode) <-> portable object events."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from portable.errors import MalformedEvent
from portable.events import ObjectEvent, ObjectEventKind, event_time, object_size, optional_text

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
    """The CloudEvent of a request, binary or structured; MalformedEvent whatever way the request is broken."""
    from cloudevents.exceptions import GenericException
    from cloudevents.http import from_http

    try:
        return from_http(headers, body)
    except (GenericException, ValueError, TypeError, AttributeError, KeyError, RecursionError) as exc:
        # The SDK raises what its JSON and attribute parsing raise (UnicodeDecodeError is a ValueError).
        reason = str(exc)[:200] if not isinstance(exc, RecursionError) else "the body is nested too deeply"
        raise MalformedEvent(f"not a CloudEvent: {type(exc).__name__}: {reason}") from None


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"the CloudEvent's {what} must be a non-empty string, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedEvent(f"the CloudEvent's {what} is not valid Unicode") from None
    return value


def object_event(event: Any, logical_bucket: str) -> tuple[str, ObjectEvent | None]:
    """(physical bucket, event); the event is None for types Portable does not deliver."""
    data = event.data
    if not isinstance(data, dict):
        raise MalformedEvent("the CloudEvent data is not a JSON object (StorageObjectData)")
    source = optional_text(event.get("source")) or ""
    subject = optional_text(event.get("subject")) or ""
    physical = _text(
        event.get("bucket") or data.get("bucket") or source.rpartition("/buckets/")[2],
        "bucket (the bucket extension or data.bucket)",
    )
    key = _text(
        data.get("name") or (subject[len("objects/") :] if subject.startswith("objects/") else None),
        "object name (data.name)",
    )
    kind = _KINDS.get(str(event.get("type")))
    if kind is None:
        return physical, None
    time_text = event.get("time")
    return physical, ObjectEvent(
        bucket=logical_bucket,
        key=key,
        kind=kind,
        id=_text(event.get("id"), "id"),
        time=None if time_text is None else event_time(time_text, "CloudEvent time"),
        size=object_size(data.get("size")),
        etag=optional_text(data.get("etag")),
        content_type=optional_text(data.get("contentType")),
    )
