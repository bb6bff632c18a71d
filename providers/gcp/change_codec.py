"""The `change` kind on GCP: Eventarc's Firestore CloudEvents (DocumentEventData, as JSON) <-> table changes.

A table is a collection; Eventarc's trigger filters the event type (`created`, `updated`, `deleted`,
or `written` for all three) and the collection's documents (a path pattern), and the delivery rule
applies the key prefix (a document id is one path segment: '/' in a key is escaped). The data holds the
document before (`oldValue`) and after (`value`) in Firestore's typed values; the key is the document's
id, unescaped as `providers/gcp/firestore.py` escapes it. Eventarc retries a failure until the event is
a day old without counting, so the delivery rule ends the retries (`COUNTS_ATTEMPTS` is False).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portable import change_trigger
from portable.app import ResourceSpec
from portable.change_trigger import TableChange
from portable.context import physical_name
from portable.data_rules import KEY_FIELD, VERSION_FIELD
from portable.errors import MalformedEvent
from portable.event_times import event_time
from providers.gcp import cloud_events
from providers.gcp.cloud_events import field
from providers.gcp.firestore import document_id, key_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    import flask

    from portable.change_trigger import ChangeFunction, ChangeKind, ChangeTrigger, Listened
    from portable.context import ClientFactory
    from portable.delivery import Bound, Decoded
    from portable.request import Headers
    from portable.storage_types import Document

EVENT_TYPE_PREFIX = "google.cloud.firestore.document.v1."
EVENT_TYPES: dict[Listened, str] = {
    listened: EVENT_TYPE_PREFIX + listened for listened in ("created", "updated", "deleted", "written")
}
COUNTS_ATTEMPTS = False
DATABASE = "(default)"
_STORED_ONLY = (KEY_FIELD, VERSION_FIELD)


def decode(req: flask.Request, headers: Headers, bound: Bound[ChangeTrigger]) -> list[Decoded]:
    """The change of an Eventarc request, or the MalformedEvent that refused it; a change of a collection the
    function is not bound to is refused."""
    try:
        event = cloud_events.parse(dict(headers.items()), req.get_data())
        collection, change = _change(event, bound.spec.trigger.table)
        change_trigger.from_table(bound, collection)
        return [(change.id, change)]
    except MalformedEvent as exc:
        return [("0", exc)]


def routes_to(spec: ChangeFunction, change: TableChange) -> bool:
    """Whether Eventarc sends `change` to `spec`: by the collection and the event type (the prefix is the rule's)."""
    return spec.trigger.table == change.table and change.kind in spec.trigger.kinds


def _change(event: Any, table: str) -> tuple[str, TableChange]:
    event_type = str(event.get("type"))
    if not event_type.startswith(EVENT_TYPE_PREFIX) or event_type[len(EVENT_TYPE_PREFIX) :] not in EVENT_TYPES:
        raise MalformedEvent(f"a CloudEvent of type {event_type!r} reached a table change function")
    data = event.data
    if not isinstance(data, dict):
        raise MalformedEvent(
            "the CloudEvent data is not a JSON object (DocumentEventData); the trigger must deliver JSON"
        )
    old_document, new_document = _document(data.get("oldValue")), _document(data.get("value"))
    if old_document is None and new_document is None:
        raise MalformedEvent("the DocumentEventData holds neither value nor oldValue")
    kind: ChangeKind = "created" if old_document is None else "deleted" if new_document is None else "updated"
    name = field((new_document or old_document or {}).get("name"), "document name (value.name)")
    collection, key = _path(name)
    time_text = event.get("time") or (new_document or old_document or {}).get("updateTime")
    change = TableChange(
        table=table,
        key=key,
        kind=kind,
        old=_fields(old_document),
        new=_fields(new_document),
        id=field(event.get("id"), "id"),
        time=event_time(time_text, "CloudEvent time"),
    )
    return collection, change


def _document(value: object) -> dict[str, Any] | None:
    """A Document of the data, or None for one absent (or empty, as Eventarc writes an absent one)."""
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise MalformedEvent("a DocumentEventData document is not a JSON object")
    return value


def _path(name: str) -> tuple[str, str]:
    """(collection, key) of `projects/P/databases/D/documents/<collection>/<id>`."""
    _, separator, path = name.partition("/documents/")
    parts = path.split("/")
    if not separator or len(parts) != 2 or not all(parts):
        raise MalformedEvent(f"document {name[:200]!r} is not a document of a top-level collection (a table's)")
    try:
        return parts[0], key_of(parts[1])
    except UnicodeDecodeError:
        raise MalformedEvent(f"document id {parts[1][:200]!r} is not an escaped key (UTF-8)") from None


def _fields(document: dict[str, Any] | None) -> Document | None:
    if document is None:
        return None
    fields = document.get("fields") or {}
    if not isinstance(fields, dict):
        raise MalformedEvent("a document's fields are not a JSON object")
    return {name: _value(value, name) for name, value in fields.items() if name not in _STORED_ONLY}


def _value(value: Any, path: str) -> Any:
    """A typed Firestore value as plain data. Values Portable never writes read as their nearest: a timestamp or
    reference as its text, bytes as bytes, a geo point as {latitude, longitude}."""
    if not isinstance(value, dict) or len(value) != 1:
        raise MalformedEvent(f"field {path} is not one typed Firestore value")
    ((kind, inner),) = value.items()
    if kind == "nullValue":
        return None
    if kind in ("stringValue", "timestampValue", "referenceValue") and isinstance(inner, str):
        return inner
    if kind == "booleanValue" and isinstance(inner, bool):
        return inner
    if kind == "integerValue" and isinstance(inner, (str, int)) and not isinstance(inner, bool):
        try:
            return int(inner)
        except ValueError:
            raise MalformedEvent(f"field {path} holds integerValue {inner!r:.40}") from None
    if kind == "doubleValue" and isinstance(inner, (int, float, str)) and not isinstance(inner, bool):
        try:
            return float(inner)
        except ValueError:
            raise MalformedEvent(f"field {path} holds doubleValue {inner!r:.40}") from None
    if kind == "mapValue" and isinstance(inner, dict):
        fields = inner.get("fields") or {}
        if isinstance(fields, dict):
            return {name: _value(item, f"{path}.{name}") for name, item in fields.items()}
    if kind == "arrayValue" and isinstance(inner, dict):
        values = inner.get("values") or []
        if isinstance(values, list):
            return [_value(item, f"{path}[{index}]") for index, item in enumerate(values)]
    if kind == "bytesValue" and isinstance(inner, str):
        import base64
        import binascii

        try:
            return base64.b64decode(inner, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedEvent(f"field {path} holds bytesValue that is not base64") from None
    if kind == "geoPointValue" and isinstance(inner, dict):
        return {"latitude": inner.get("latitude"), "longitude": inner.get("longitude")}
    raise MalformedEvent(f"field {path} holds {kind}: {inner!r:.40}, which is not a Firestore value")


def encode(change: TableChange, spec: ChangeFunction) -> tuple[str, str, dict[str, str], bytes]:
    """The binary-mode CloudEvent Eventarc posts for `change` to a trigger of `spec`'s kind: method, path, headers,
    body (DocumentEventData as JSON, the documents holding the key and version fields as Firestore stores them)."""
    import uuid
    from datetime import UTC

    collection = physical_name(ResourceSpec("table", change.table))
    name = f"projects/local/databases/{DATABASE}/documents/{collection}/{document_id(change.key)}"
    written = change.time.astimezone(UTC).isoformat().replace("+00:00", "Z")
    data: dict[str, Any] = {}
    for slot, value in (("oldValue", change.old), ("value", change.new)):
        if value is not None:
            fields = {**value, KEY_FIELD: change.key, VERSION_FIELD: uuid.uuid4().hex}
            document = {"name": name, "fields": {field: firestore_value(item) for field, item in fields.items()}}
            data[slot] = {**document, "createTime": written, "updateTime": written}
    if change.kind == "updated":
        data["updateMask"] = {"fieldPaths": sorted({*(change.old or {}), *(change.new or {})})}
    attributes = {
        "type": EVENT_TYPES[spec.trigger.listens],
        "source": f"//firestore.googleapis.com/projects/local/databases/{DATABASE}",
        "subject": f"documents/{collection}/{document_id(change.key)}",
        "id": change.id,
        "time": written,
        "database": DATABASE,
        "namespace": DATABASE,
        "document": f"{collection}/{document_id(change.key)}",
        "project": "local",
        "location": "local",
    }
    return ("POST", "/", *cloud_events.binary(attributes, data))


def firestore_value(value: Any) -> dict[str, Any]:
    """A JSON value as Firestore's typed value (the JSON form of google.firestore.v1.Value)."""
    if value is None:
        return {"nullValue": None}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"integerValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, dict):
        return {"mapValue": {"fields": {name: firestore_value(item) for name, item in value.items()}}}
    return {"arrayValue": {"values": [firestore_value(item) for item in value]}}


def sample(
    spec: ChangeFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[tuple[str, str, dict[str, str], bytes], list[str]]:
    """The CloudEvent of a sample change (`portable.change_trigger.sample`)."""
    change, notes = change_trigger.sample(spec, hints, clients)
    return encode(change, spec), notes
