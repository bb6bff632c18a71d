"""Lambda's SQS event source mapping events <-> portable messages, and its partial batch reply.

A batch holds up to `batch_size` records; each is one message and one call. The reply names the
records that failed (`ReportBatchItemFailures`), so SQS delivers only those again. A topic
subscriber's queue holds SNS envelopes (`sns_messages`), unwrapped here.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from portable.app import MessageTrigger
from portable.errors import MalformedEvent
from portable.messages import ENCODING_ATTRIBUTE, Message, as_sqs_text
from portable.runtime_typing import TYPE_CHECKING, NamedTuple
from providers.aws import sns_messages

if TYPE_CHECKING:
    from typing import Any

BASE64 = "base64"


def is_sqs(event: dict[str, Any]) -> bool:
    """A batch from an event source mapping: records, at least one of them from SQS."""
    records = event.get("Records")
    return isinstance(records, list) and any(
        isinstance(record, dict) and record.get("eventSource") == "aws:sqs" for record in records
    )


def message_id_of(record: Any) -> str | None:
    """The record's messageId, which the partial batch reply names; None if it has none."""
    value = record.get("messageId") if isinstance(record, dict) else None
    return value if isinstance(value, str) and value else None


def decode(record: Any, trigger: MessageTrigger) -> Message:
    """One record as the portable message; MalformedEvent names what the record lacks."""
    if not isinstance(record, dict) or record.get("eventSource") != "aws:sqs":
        raise MalformedEvent("a record of the batch is not an SQS record")
    message_id = message_id_of(record)
    body = record.get("body")
    system = record.get("attributes")
    if message_id is None or not isinstance(body, str) or not isinstance(system, dict):
        raise MalformedEvent("an SQS record lacks messageId, body or attributes")
    attempt = _whole(system.get("ApproximateReceiveCount"), "attributes.ApproximateReceiveCount")
    sent = datetime.fromtimestamp(_whole(system.get("SentTimestamp"), "attributes.SentTimestamp") / 1000, UTC)
    attributes = _attributes(record.get("messageAttributes"))
    if trigger.kind == "topic":
        notification = sns_messages.decode(body)
        message_id, body, sent = notification.id, notification.body, notification.publish_time
        attributes = notification.attributes
    return Message(
        id=message_id,
        body=_body(body, attributes.pop(ENCODING_ATTRIBUTE, None)),
        attributes=attributes,
        attempt=attempt,
        publish_time=sent,
        source=trigger.source,
    )


def _whole(value: object, field: str) -> int:
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 20 or int(value) < 1:
        got = f"{value[:40]!r}" if isinstance(value, str) else f"a {type(value).__name__}"
        raise MalformedEvent(f"an SQS record's {field} must be a positive number in a string, got {got}")
    return int(value)


def _attributes(raw: object) -> dict[str, str]:
    """`messageAttributes` as name -> value: String and Number values as sent, Binary ones as their base64 text."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise MalformedEvent("an SQS record's messageAttributes is not an object")
    attributes = {}
    for name, attribute in raw.items():
        if not isinstance(attribute, dict):
            raise MalformedEvent(f"SQS message attribute {name!r} is not an object")
        data_type = attribute.get("dataType")
        binary = isinstance(data_type, str) and data_type.startswith("Binary")
        value = attribute.get("binaryValue" if binary else "stringValue")
        if not isinstance(value, str):
            raise MalformedEvent(f"SQS message attribute {name!r} has no {'binaryValue' if binary else 'stringValue'}")
        attributes[name] = value
    return attributes


def _body(text: str, encoding: str | None) -> bytes:
    if encoding is None:
        return text.encode("utf-8", "surrogatepass")
    if encoding != BASE64:
        raise MalformedEvent(f"the message's {ENCODING_ATTRIBUTE} attribute is {encoding!r}; Portable writes 'base64'")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:  # binascii.Error, and text that is not ASCII
        raise MalformedEvent(f"the message is marked {ENCODING_ATTRIBUTE}=base64 but its body is not base64") from None


def wire_body(body: bytes, attributes: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """(text, attributes) as SQS and SNS carry a body: as is if it is SQS text, else base64 and marked so."""
    text = as_sqs_text(body)
    if text is not None:
        return text, dict(attributes)
    return base64.b64encode(body).decode("ascii"), {**attributes, ENCODING_ATTRIBUTE: BASE64}


def message_attributes(attributes: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Attributes in the shape SQS's SendMessage and SNS's Publish take (String values)."""
    return {name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()}


class Receipt(NamedTuple):
    """Where a received record waits in SQS, and how often it was received: what holding it back needs."""

    queue_arn: str
    receipt_handle: str
    receive_count: int


def receipt_of(record: Any) -> Receipt | None:
    """The record's eventSourceARN, receiptHandle and ApproximateReceiveCount; None if it lacks one."""
    if not isinstance(record, dict) or not isinstance(record.get("attributes"), dict):
        return None
    arn, handle = record.get("eventSourceARN"), record.get("receiptHandle")
    if not isinstance(arn, str) or arn.count(":") != 5 or not isinstance(handle, str) or not handle:
        return None
    try:
        count = _whole(record["attributes"].get("ApproximateReceiveCount"), "attributes.ApproximateReceiveCount")
    except MalformedEvent:
        return None
    return Receipt(arn, handle, count)


def queue_url(queue_arn: str, endpoint_url: str) -> str:
    """The URL of the queue `arn:aws:sqs:<region>:<account>:<name>` at SQS's endpoint for its region."""
    _, _, _, _, account, name = queue_arn.split(":")
    return f"{endpoint_url.rstrip('/')}/{account}/{name}"


def batch_reply(failed: Iterable[str]) -> dict[str, Any]:
    """The partial batch reply: SQS deletes every record but these, which it delivers again."""
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def encode(message: Message, trigger: MessageTrigger, queue_arn: str, topic_arn: str = "") -> dict[str, Any]:
    """The event Lambda's event source mapping sends for `message` (one record) on the queue `queue_arn`.

    For a topic subscriber, the record's body is the SNS envelope of a message published to `topic_arn`.
    """
    import hashlib
    import uuid

    body, attributes = wire_body(message.body, message.attributes)
    sent = str(int(message.publish_time.timestamp() * 1000))
    record_id, record_attributes = message.id, message_attributes(attributes)
    if trigger.kind == "topic":
        body = sns_messages.encode(message.id, body, attributes, message.publish_time, topic_arn)
        record_id, record_attributes = str(uuid.uuid4()), {}
    region = queue_arn.split(":")[3] if queue_arn.count(":") >= 5 else "us-east-1"
    return {
        "Records": [
            {
                "messageId": record_id,
                "receiptHandle": uuid.uuid4().hex,
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": str(message.attempt),
                    "SentTimestamp": sent,
                    "SenderId": "AIDAPORTABLE",
                    "ApproximateFirstReceiveTimestamp": sent,
                },
                "messageAttributes": {
                    name: {
                        "stringValue": value["StringValue"],
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": "String",
                    }
                    for name, value in record_attributes.items()
                },
                "md5OfBody": hashlib.md5(body.encode("utf-8", "surrogatepass")).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        ]
    }
