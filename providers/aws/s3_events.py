"""S3 event notifications -> portable object events, one per record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from portable.errors import MalformedEvent
from portable.events import ObjectEvent, ObjectEventKind


def is_s3(event: dict[str, Any]) -> bool:
    records = event.get("Records")
    return isinstance(records, list) and bool(records) and all(
        isinstance(r, dict) and r.get("eventSource") == "aws:s3" for r in records
    )


def is_test_event(event: dict[str, Any]) -> bool:
    return event.get("Event") == "s3:TestEvent"


def kind_of(event_name: str) -> ObjectEventKind | None:
    if event_name.startswith("ObjectCreated:"):
        return "created"
    if event_name.startswith("ObjectRemoved:") or event_name.startswith("LifecycleExpiration:Delete"):
        return "deleted"
    return None


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def object_event(record: dict[str, Any], logical_bucket: str) -> tuple[str, ObjectEvent | None]:
    """(physical bucket, event); the event is None for kinds Portable does not deliver."""
    try:
        s3 = record["s3"]
        physical = s3["bucket"]["name"]
        raw_key = s3["object"]["key"]
        event_name = record["eventName"]
    except (KeyError, TypeError):
        raise MalformedEvent("an S3 record lacks s3.bucket.name, s3.object.key or eventName") from None
    kind = kind_of(event_name)
    if kind is None:
        return physical, None
    obj = s3["object"]
    key = unquote_plus(raw_key)
    marker = obj.get("sequencer") or obj.get("versionId") or record.get("eventTime", "")
    event_time = record.get("eventTime")
    try:
        when = parse_time(event_time) if isinstance(event_time, str) else None
    except ValueError:
        raise MalformedEvent(f"eventTime {event_time!r} is not an ISO-8601 time") from None
    size = obj.get("size")
    return physical, ObjectEvent(
        bucket=logical_bucket,
        key=key,
        kind=kind,
        id=f"{physical}/{raw_key}@{marker}",
        time=when,
        size=int(size) if isinstance(size, (int, str)) and str(size).isdigit() else None,
        etag=obj.get("eTag") or None,
        content_type=None,
    )
