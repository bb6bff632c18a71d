"""S3 event notifications -> portable object events, one per record.

Decoding a record is total: a record without what every S3 notification carries is
MalformedEvent, and the other records of the batch still run.
"""

from __future__ import annotations

from portable.errors import MalformedEvent
from portable.events import ObjectEvent, event_time, object_size, optional_text
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from portable.events import ObjectEventKind


def is_s3(event: dict[str, Any]) -> bool:
    """A notification batch: records, at least one of them from S3 (the others are refused one by one)."""
    records = event.get("Records")
    return isinstance(records, list) and any(
        isinstance(record, dict) and record.get("eventSource") == "aws:s3" for record in records
    )


def is_test_event(event: dict[str, Any]) -> bool:
    return event.get("Event") == "s3:TestEvent"


def kind_of(event_name: str) -> ObjectEventKind | None:
    if event_name.startswith("ObjectCreated:"):
        return "created"
    if event_name.startswith(("ObjectRemoved:", "LifecycleExpiration:Delete")):
        return "deleted"
    return None


def _text(parent: Any, name: str, path: str) -> str:
    """`parent[name]`, a non-empty string; `path` names it in the refusal."""
    if not isinstance(parent, dict):
        raise MalformedEvent(f"an S3 record lacks {path}")
    value = parent.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"an S3 record's {path} must be a non-empty string, got {type(value).__name__}")
    return value


def _unquoted(raw_key: str) -> str:
    from urllib.parse import unquote_plus  # most keys need no decoding: keep the cold start lean

    return unquote_plus(raw_key, errors="strict")


def object_event(record: Any, logical_bucket: str) -> tuple[str, ObjectEvent | None]:
    """(physical bucket, event); the event is None for kinds Portable does not deliver."""
    if not isinstance(record, dict) or record.get("eventSource") != "aws:s3":
        raise MalformedEvent("a record of the batch is not an S3 notification record")
    s3 = record.get("s3")
    bucket: Any = s3.get("bucket") if isinstance(s3, dict) else None
    obj: Any = s3.get("object") if isinstance(s3, dict) else None
    physical = _text(bucket, "name", "s3.bucket.name")
    raw_key = _text(obj, "key", "s3.object.key")
    kind = kind_of(_text(record, "eventName", "eventName"))
    if kind is None:
        return physical, None
    try:
        raw_key.encode("utf-8")
        key = _unquoted(raw_key) if "%" in raw_key or "+" in raw_key else raw_key
    except UnicodeError:
        raise MalformedEvent(f"an S3 record's key {raw_key[:80]!r} is not percent-encoded UTF-8") from None
    event_time_text = record.get("eventTime")
    marker = (
        optional_text(obj.get("sequencer"))
        or optional_text(obj.get("versionId"))
        or optional_text(event_time_text)
        or ""
    )
    return physical, ObjectEvent(
        bucket=logical_bucket,
        key=key,
        kind=kind,
        id=f"{physical}/{raw_key}@{marker}",
        time=None if event_time_text is None else event_time(event_time_text, "eventTime"),
        size=object_size(obj.get("size")),
        etag=optional_text(obj.get("eTag")),
        content_type=None,
    )


def encode(event: ObjectEvent, physical_bucket: str, region: str = "us-east-1") -> dict[str, Any]:
    """The S3 notification (one record) that S3 sends for `event` in `physical_bucket`.

    The key is form-encoded as S3 writes it; the event's id becomes the record's sequencer.
    """
    from datetime import UTC, datetime
    from urllib.parse import quote_plus

    when = (event.time or datetime.now(UTC)).astimezone(UTC)
    obj: dict[str, Any] = {"key": quote_plus(event.key, safe="/"), "sequencer": event.id}
    if event.kind == "created":
        obj.update(size=event.size or 0, eTag=event.etag or "")
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "eventName": "ObjectCreated:Put" if event.kind == "created" else "ObjectRemoved:Delete",
                "userIdentity": {"principalId": "AWS:PORTABLE"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {"x-amz-request-id": event.id[:16], "x-amz-id-2": event.id},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "portable",
                    "bucket": {
                        "name": physical_bucket,
                        "ownerIdentity": {"principalId": "PORTABLE"},
                        "arn": f"arn:aws:s3:::{physical_bucket}",
                    },
                    "object": obj,
                },
            }
        ]
    }
