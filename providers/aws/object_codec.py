"""The `object` kind on AWS: S3 event notifications <-> portable object events, one per record.

Decoding a record is total: a record without what every S3 notification carries is
MalformedEvent, and the other records of the batch still run. Lambda invokes the function
asynchronously; a failed record fails the invocation, which Lambda retries by the function's policy.
"""

from __future__ import annotations

from portable import object_trigger
from portable.errors import EventFailed, MalformedEvent
from portable.event_times import event_time
from portable.events import built, object_size, optional_text, text
from portable.object_trigger import ObjectEvent
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from portable.context import ClientFactory
    from portable.delivery import Bound, Decoded, Settled
    from portable.object_trigger import ObjectEventKind, ObjectFunction, ObjectTrigger

TEST_EVENT = "s3:TestEvent"


def recognises(event: dict[str, Any]) -> bool:
    """A notification batch (records, at least one of them from S3: the others are refused one by one), or the
    test event S3 sends when notifications are configured."""
    records = event.get("Records")
    if isinstance(records, list):
        for record in records:  # noqa: SIM110 (a loop, not any(...) over a generator: this runs on every event)
            if isinstance(record, dict) and record.get("eventSource") == "aws:s3":
                return True
        return False
    return event.get("Event") == TEST_EVENT


def decode(event: dict[str, Any], bound: Bound[ObjectTrigger], request_id: str | None) -> list[Decoded]:
    """Each record's event (None for kinds Portable does not deliver), or the MalformedEvent that refused it; an
    event from a bucket the function is not bound to is refused too."""
    decoded: list[Decoded] = []
    for index, record in enumerate(event.get("Records") or ()):
        try:
            physical, object_event = _event(record, bound.spec.trigger.bucket)
            if object_event is not None:
                object_trigger.from_bucket(bound, physical)
            decoded.append((str(index), object_event))
        except MalformedEvent as exc:
            decoded.append((str(index), exc))
    return decoded


def encode_reply(settled: Settled, event: dict[str, Any]) -> dict[str, Any]:
    """What the handler returns; a failed record fails the invocation (EventFailed), so Lambda retries it."""
    if event.get("Event") == TEST_EVENT:
        return {"status": 200, "ignored": TEST_EVENT}
    if settled.failed:
        total = len(event.get("Records") or ())
        raise EventFailed(f"{len(settled.failed)} of {total} records failed: " + "; ".join(settled.errors))
    return {"status": 200, "delivered": settled.delivered}


def succeeded(reply: dict[str, Any]) -> bool:
    """Whether Lambda counts the invocation done: anything but a raised EventFailed, a refused event included."""
    return int(reply.get("status", 500)) < 500


def kind_of(event_name: str) -> ObjectEventKind | None:
    if event_name.startswith("ObjectCreated:"):
        return "created"
    if event_name.startswith(("ObjectRemoved:", "LifecycleExpiration:Delete")):
        return "deleted"
    return None


def _malformed(reason: str) -> MalformedEvent:
    return MalformedEvent(f"an S3 record's {reason}")


def _text(parent: Any, name: str, path: str) -> str:
    """`parent[name]`, a non-empty string; `path` names it in the refusal."""
    return text(parent.get(name) if isinstance(parent, dict) else None, path, _malformed)


def _unquoted(raw_key: str) -> str:
    from urllib.parse import unquote_plus  # most keys need no decoding: keep the cold start lean

    return unquote_plus(raw_key, errors="strict")


def _event(record: Any, logical_bucket: str) -> tuple[str, ObjectEvent | None]:
    """(physical bucket, event); the event is None for kinds Portable does not deliver.

    Every object event's path: the fields S3 always sends as it sends them (objects, ASCII text) are read inline, and
    anything else goes through `_text`, which refuses it by name or reads it as the Unicode text it is."""
    if not isinstance(record, dict) or record.get("eventSource") != "aws:s3":
        raise MalformedEvent("a record of the batch is not an S3 notification record")
    s3 = record.get("s3")
    bucket: Any = s3.get("bucket") if isinstance(s3, dict) else None
    obj: Any = s3.get("object") if isinstance(s3, dict) else None
    physical = bucket.get("name") if type(bucket) is dict else None
    if not (type(physical) is str and physical.isascii() and physical):
        physical = _text(bucket, "name", "s3.bucket.name")
    raw_key = obj.get("key") if type(obj) is dict else None
    if not (type(raw_key) is str and raw_key.isascii() and raw_key):
        raw_key = _text(obj, "key", "s3.object.key")
    event_name = record.get("eventName")
    if not (type(event_name) is str and event_name.isascii() and event_name):
        event_name = _text(record, "eventName", "eventName")
    kind = kind_of(event_name)
    if kind is None:
        return physical, None
    if "%" in raw_key or "+" in raw_key:  # the key is text, checked above
        try:
            key = _unquoted(raw_key)
        except UnicodeError:
            raise MalformedEvent(f"an S3 record's key {raw_key[:80]!r} is not percent-encoded UTF-8") from None
    else:
        key = raw_key
    event_time_text = record.get("eventTime")
    marker = obj.get("sequencer")
    if not (type(marker) is str and marker):
        marker = optional_text(obj.get("versionId")) or optional_text(event_time_text) or ""
    size = obj.get("size")
    etag = obj.get("eTag")
    # Built as the tuple it is (bucket, key, kind, id, time, size, etag, content_type): every field is set here.
    return physical, built(
        ObjectEvent,
        (
            logical_bucket,
            key,
            kind,
            f"{physical}/{raw_key}@{marker}",
            None if event_time_text is None else event_time(event_time_text, "eventTime"),
            size if type(size) is int and size >= 0 else object_size(size),
            etag if type(etag) is str and etag else None,
            None,  # content_type: S3 notifications carry none
        ),
    )


def encode(event: ObjectEvent, spec: ObjectFunction) -> dict[str, Any]:
    """The S3 notification (one record) that S3 sends for `event` in its bucket (by its physical name).

    The key is form-encoded as S3 writes it; the event's id becomes the record's sequencer.
    """
    from datetime import UTC, datetime
    from urllib.parse import quote_plus

    from portable.app import ResourceSpec
    from portable.context import physical_name
    from providers.aws.arns import REGION

    physical_bucket = physical_name(ResourceSpec("bucket", event.bucket))

    when = (event.time or datetime.now(UTC)).astimezone(UTC)
    obj: dict[str, Any] = {"key": quote_plus(event.key, safe="/"), "sequencer": event.id}
    if event.kind == "created":
        obj.update(size=event.size or 0, eTag=event.etag or "")
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
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


def sample(
    spec: ObjectFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[dict[str, Any], list[str]]:
    """The notification of a sample event (`portable.object_trigger.sample`)."""
    event, notes = object_trigger.sample(spec, hints, clients)
    return encode(event, spec), notes
