"""The `object` kind on GCP: Cloud Storage CloudEvents from Eventarc (binary or structured) <-> object events.

Eventarc filters by bucket and event type only, so the trigger's prefix and suffix are applied by the
delivery rule; it retries a failure until the event is a day old without counting, so the rule ends
the retries (`COUNTS_ATTEMPTS` is False).
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

from portable import object_trigger
from portable.app import ResourceSpec
from portable.context import physical_name
from portable.errors import MalformedEvent
from portable.event_times import event_time
from portable.events import object_size, optional_text
from portable.object_trigger import ObjectEvent, ObjectEventKind
from providers.gcp import cloud_events
from providers.gcp.cloud_events import field

if TYPE_CHECKING:
    from collections.abc import Mapping

    import flask

    from portable.context import ClientFactory
    from portable.delivery import Bound, Decoded
    from portable.object_trigger import ObjectFunction, ObjectTrigger
    from portable.request import Headers

EVENT_TYPES: dict[ObjectEventKind, str] = {
    "created": "google.cloud.storage.object.v1.finalized",
    "deleted": "google.cloud.storage.object.v1.deleted",
}
_KINDS: dict[str, ObjectEventKind] = {event_type: kind for kind, event_type in EVENT_TYPES.items()}
COUNTS_ATTEMPTS = False


def decode(req: flask.Request, headers: Headers, bound: Bound[ObjectTrigger]) -> list[Decoded]:
    """The event of an Eventarc request (None for types Portable does not deliver), or why it was refused."""
    try:
        event = cloud_events.parse(dict(headers.items()), req.get_data())
        physical, object_event = _event(event, bound.spec.trigger.bucket)
        if object_event is not None:
            object_trigger.from_bucket(bound, physical)
        return [("0", object_event)]
    except MalformedEvent as exc:
        return [("0", exc)]


def routes_to(spec: ObjectFunction, event: ObjectEvent) -> bool:
    """Whether Eventarc sends `event` to `spec`: by bucket and event type only."""
    return spec.trigger.bucket == event.bucket and spec.trigger.kind == event.kind


def encode(event: ObjectEvent, spec: ObjectFunction) -> tuple[str, str, dict[str, str], bytes]:
    """The binary-mode CloudEvent that Eventarc posts for `event` in its bucket: method, path, headers, body."""
    physical_bucket = physical_name(ResourceSpec("bucket", event.bucket))
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
    return ("POST", "/", *cloud_events.binary(attributes, data))


def _event(event: Any, logical_bucket: str) -> tuple[str, ObjectEvent | None]:
    """(physical bucket, event); the event is None for types Portable does not deliver."""
    data = event.data
    if not isinstance(data, dict):
        raise MalformedEvent("the CloudEvent data is not a JSON object (StorageObjectData)")
    source = optional_text(event.get("source")) or ""
    subject = optional_text(event.get("subject")) or ""
    physical = field(
        event.get("bucket") or data.get("bucket") or source.rpartition("/buckets/")[2] or None,
        "bucket (the bucket extension or data.bucket)",
    )
    key = field(
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
        id=field(event.get("id"), "id"),
        time=None if time_text is None else event_time(time_text, "CloudEvent time"),
        size=object_size(data.get("size")),
        etag=optional_text(data.get("etag")),
        content_type=optional_text(data.get("contentType")),
    )


def sample(
    spec: ObjectFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[tuple[str, str, dict[str, str], bytes], list[str]]:
    """The CloudEvent of a sample event (`portable.object_trigger.sample`)."""
    event, notes = object_trigger.sample(spec, hints, clients)
    return encode(event, spec), notes
