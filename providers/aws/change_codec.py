"""The `change` kind on AWS: DynamoDB Streams records (view type NEW_AND_OLD_IMAGES) <-> table changes.

Lambda's event source mapping reads the table's stream and sends batches of records, already filtered
by the trigger's kind and key prefix (its filter criteria). A record is one change: `INSERT` created,
`MODIFY` updated, `REMOVE` deleted; its images are the item before and after, in DynamoDB's typed
attribute values, read here without boto3 (a cold start loads no SDK). The reply names the first record
that failed (`ReportBatchItemFailures`): Lambda delivers it and every later record of the shard again,
in order, and after the mapping's retries sends the batch's place in the stream to the on-failure queue.
"""

from __future__ import annotations

from datetime import UTC, datetime

from portable import change_trigger
from portable.change_trigger import TableChange
from portable.errors import MalformedEvent
from portable.events import built, text
from portable.runtime_typing import TYPE_CHECKING
from providers.aws.dynamodb_keys import KEY_ATTRIBUTE, STORED_ONLY

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from portable.change_trigger import ChangeFunction, ChangeKind, ChangeTrigger
    from portable.context import ClientFactory
    from portable.delivery import Bound, Decoded, Settled
    from portable.storage_types import Document

EVENT_NAMES: dict[str, ChangeKind] = {"INSERT": "created", "MODIFY": "updated", "REMOVE": "deleted"}
_NAMES = {kind: name for name, kind in EVENT_NAMES.items()}
VIEW_TYPE = "NEW_AND_OLD_IMAGES"


def recognises(event: dict[str, Any]) -> bool:
    """A batch from a stream's event source mapping: records, at least one of them from DynamoDB."""
    records = event.get("Records")
    if isinstance(records, list):
        for record in records:  # a loop, not any(...): this runs on every event
            if isinstance(record, dict) and record.get("eventSource") == "aws:dynamodb":
                return True
    return False


def decode(event: dict[str, Any], bound: Bound[ChangeTrigger], request_id: str | None) -> list[Decoded]:
    """Each record's change, named by its sequence number, or the MalformedEvent that refused it (which fails the
    record: Lambda retries it, then reports it to the on-failure queue)."""
    table = bound.spec.trigger.table
    decoded: list[Decoded] = []
    for record in event["Records"]:
        record_id = sequence_number_of(record) or ""
        try:
            decoded.append((record_id, _change(record, table)))
        except MalformedEvent as exc:
            decoded.append((record_id, exc))
    return decoded


def encode_reply(settled: Settled, event: dict[str, Any]) -> dict[str, Any]:
    """The partial batch reply: the first failed record, from which Lambda reads the shard again."""
    failed = settled.failed
    return {"batchItemFailures": [{"itemIdentifier": failed[0]}] if failed else []}


def succeeded(reply: dict[str, Any]) -> bool:
    return not reply.get("batchItemFailures")


def sequence_number_of(record: Any) -> str | None:
    dynamodb = record.get("dynamodb") if isinstance(record, dict) else None
    value = dynamodb.get("SequenceNumber") if isinstance(dynamodb, dict) else None
    return value if isinstance(value, str) and value else None


def _malformed(reason: str) -> MalformedEvent:
    return MalformedEvent(f"a DynamoDB stream record's {reason}")


def _change(record: Any, table: str) -> TableChange:
    if not isinstance(record, dict) or record.get("eventSource") != "aws:dynamodb":
        raise MalformedEvent("a record of the batch is not a DynamoDB stream record")
    kind = EVENT_NAMES.get(text(record.get("eventName"), "eventName", _malformed))
    if kind is None:
        raise _malformed(f"eventName is {record.get('eventName')!r}, not INSERT, MODIFY or REMOVE")
    dynamodb = record.get("dynamodb")
    if not isinstance(dynamodb, dict):
        raise _malformed("dynamodb is missing")
    keys = dynamodb.get("Keys")
    key_value = keys.get(KEY_ATTRIBUTE) if isinstance(keys, dict) else None
    if not isinstance(key_value, dict):
        raise _malformed(f"Keys lack {KEY_ATTRIBUTE}: it is not a record of a Portable table")
    old = _image(dynamodb, "OldImage") if kind != "created" else None
    new = _image(dynamodb, "NewImage") if kind != "deleted" else None
    key = text(_value(key_value, f"Keys.{KEY_ATTRIBUTE}"), f"Keys.{KEY_ATTRIBUTE}", _malformed)
    change_id = text(record.get("eventID"), "eventID", _malformed)
    time = _time(dynamodb.get("ApproximateCreationDateTime"))
    return built(TableChange, (table, key, kind, old, new, change_id, time))  # every field, as the tuple it is


def _image(dynamodb: dict[str, Any], name: str) -> Document:
    image = dynamodb.get(name)
    if not isinstance(image, dict):
        raise _malformed(f"dynamodb.{name} is missing: the table's stream must have StreamViewType {VIEW_TYPE}")
    return {field: _value(value, f"{name}.{field}") for field, value in image.items() if field not in STORED_ONLY}


def _time(value: object) -> datetime:
    """ApproximateCreationDateTime, seconds since 1970; a record without one (the Lambda guide's test event) takes
    the time of receipt, as a Pub/Sub message without its publish time does."""
    if value is None:
        return datetime.now(UTC).replace(microsecond=0)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _malformed("dynamodb.ApproximateCreationDateTime must be a number of seconds since 1970")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise _malformed(f"dynamodb.ApproximateCreationDateTime {value!r} is not a time") from None


def _value(attribute: Any, path: str) -> Any:
    """A typed attribute value as plain data: S and N as text and numbers, BOOL, NULL, M and L; a set as a list, a
    binary as bytes (values Portable never writes). Each value has one type; unused types may be null."""
    if not isinstance(attribute, dict):
        raise _malformed(f"{path} is not a typed attribute value")
    for kind, value in attribute.items():
        if value is None or (kind == "NULL" and value is not True):
            continue
        if kind == "S" and isinstance(value, str):
            return value
        if kind == "N" and isinstance(value, str):
            return _number(value, path)
        if kind == "BOOL" and isinstance(value, bool):
            return value
        if kind == "NULL":
            return None
        if kind == "M" and isinstance(value, dict):
            return {name: _value(item, f"{path}.{name}") for name, item in value.items()}
        if kind == "L" and isinstance(value, list):
            return [_value(item, f"{path}[{index}]") for index, item in enumerate(value)]
        if kind in ("SS", "NS", "BS") and isinstance(value, list):
            return [
                _number(item, path) if kind == "NS" else _bytes(item) if kind == "BS" else str(item) for item in value
            ]
        if kind == "B" and isinstance(value, str):
            return _bytes(value)
        raise _malformed(f"{path} holds {kind}: {value!r:.40}, which is not a DynamoDB attribute value")
    raise _malformed(f"{path} holds no value")


def _number(value: str, path: str) -> int | float:
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        raise _malformed(f"{path} is {value!r:.40}, not a number") from None


def _bytes(value: str) -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _malformed(f"binary value {value!r:.40} is not base64") from None


def encode(change: TableChange, spec: ChangeFunction) -> dict[str, Any]:
    """The event the event source mapping sends for `change` (one record) from the stream of its table."""
    import secrets

    from portable.app import ResourceSpec
    from portable.context import physical_name
    from portable.data_rules import VERSION_FIELD
    from providers.aws.arns import REGION, arn
    from providers.aws.dynamodb_keys import key_attributes

    keys = key_attributes(change.key)
    dynamodb: dict[str, Any] = {
        "ApproximateCreationDateTime": int(change.time.timestamp()),
        "Keys": keys,
        "SequenceNumber": str(int(change.time.timestamp() * 1_000_000)) + str(secrets.randbelow(10**6)).zfill(6),
        "SizeBytes": 0,
        "StreamViewType": VIEW_TYPE,
    }
    for name, value in (("OldImage", change.old), ("NewImage", change.new)):
        if value is not None:
            image = {field: attribute_value(item) for field, item in value.items()}
            dynamodb[name] = {**image, **keys, VERSION_FIELD: {"S": secrets.token_hex(16)}}
    dynamodb["SizeBytes"] = sum(len(str(dynamodb.get(name, ""))) for name in ("Keys", "OldImage", "NewImage"))
    physical = physical_name(ResourceSpec("table", change.table))
    return {
        "Records": [
            {
                "eventID": change.id,
                "eventName": _NAMES[change.kind],
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": REGION,
                "dynamodb": dynamodb,
                "eventSourceARN": arn("dynamodb", f"table/{physical}/stream/2026-01-01T00:00:00.000"),
            }
        ]
    }


def attribute_value(value: Any) -> dict[str, Any]:
    """A JSON value as DynamoDB's typed attribute value (what boto3's serializer writes for it)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": repr(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, dict):
        return {"M": {name: attribute_value(item) for name, item in value.items()}}
    return {"L": [attribute_value(item) for item in value]}


def sample(
    spec: ChangeFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[dict[str, Any], list[str]]:
    """The batch of one sample change (`portable.change_trigger.sample`)."""
    change, notes = change_trigger.sample(spec, hints, clients)
    return encode(change, spec), notes
