"""The `message` kind on AWS: Lambda's SQS event source mapping events <-> portable messages, its partial batch
reply, and the SNS envelope a topic subscriber's queue holds.

A batch holds up to `batch_size` records; each is one message and one call. The reply names the
records that failed (`ReportBatchItemFailures`), so SQS delivers only those again, after the portable
backoff (`after_reply` holds them back). Without raw message delivery, SNS puts each published message
into the body of the subscriber's SQS message as a JSON envelope, whose `MessageId` and `Timestamp` are
the publish's own: the same for every subscriber and on every redelivery.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from portable import message_trigger
from portable.errors import MalformedEvent
from portable.event_times import event_time
from portable.events import built
from portable.message_trigger import Message, MessagePolicy, MessageTrigger
from portable.messaging import ENCODING_ATTRIBUTE, as_sqs_text
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any

    from portable.context import ClientFactory
    from portable.delivery import Bound, Decoded, Settled
    from portable.message_trigger import MessageFunction

BASE64 = "base64"


def recognises(event: dict[str, Any]) -> bool:
    """A batch from an event source mapping: records, at least one of them from SQS."""
    records = event.get("Records")
    if isinstance(records, list):
        for record in records:  # a loop, not any(...): this runs on every event
            if isinstance(record, dict) and record.get("eventSource") == "aws:sqs":
                return True
    return False


def decode(event: dict[str, Any], bound: Bound[MessageTrigger], request_id: str | None) -> list[Decoded]:
    """Each record's message, named by its messageId, or the MalformedEvent that refused it (which fails the record:
    SQS keeps it, and after its attempts it is in the dead-letter queue)."""
    trigger = bound.spec.trigger
    decoded: list[Decoded] = []
    for record in event["Records"]:
        try:
            decoded.append(_message(record, trigger))
        except MalformedEvent as exc:
            decoded.append((message_id_of(record) or "", exc))
    return decoded


def encode_reply(settled: Settled, event: dict[str, Any]) -> dict[str, Any]:
    """The partial batch reply: SQS deletes every record but the failed ones, which it delivers again."""
    failed = settled.failed
    return {"batchItemFailures": [{"itemIdentifier": record_id} for record_id in failed] if failed else []}


def after_reply(settled: Settled, event: dict[str, Any], bound: Bound[MessageTrigger]) -> None:
    """SQS brings the failed messages back after the portable backoff for their attempts, as Pub/Sub and the local
    runner do (only on AWS's own data: a shim on local data got records of no real queue). The shim calls it only
    for a delivery where messages failed."""
    failed = set(settled.failed)
    hold_back([record for record in event["Records"] if message_id_of(record) in failed], bound.spec.trigger.policy)


def succeeded(reply: dict[str, Any]) -> bool:
    return not reply.get("batchItemFailures")


def message_id_of(record: Any) -> str | None:
    """The record's messageId, which the partial batch reply names; None if it has none."""
    value = record.get("messageId") if isinstance(record, dict) else None
    return value if isinstance(value, str) and value else None


def _message(record: Any, trigger: MessageTrigger) -> tuple[str, Message]:
    """One record as (its SQS messageId, the portable message: for a topic's subscriber, the published message with
    the id SNS gave it); MalformedEvent names what the record lacks.

    Every message's path: the fields SQS always sends as it sends them (digits, no attributes, a text body) are read
    inline, and anything else goes through the checks that read it or refuse it by name."""
    if not isinstance(record, dict) or record.get("eventSource") != "aws:sqs":
        raise MalformedEvent("a record of the batch is not an SQS record")
    message_id = record.get("messageId")
    body = record.get("body")
    system = record.get("attributes")
    if not isinstance(message_id, str) or not message_id or not isinstance(body, str) or not isinstance(system, dict):
        raise MalformedEvent("an SQS record lacks messageId, body or attributes")
    attempt, sent_ms = _counts(system)
    sent = datetime.fromtimestamp(sent_ms / 1000, UTC)
    raw_attributes = record.get("messageAttributes")
    attributes = (
        {}
        if raw_attributes is None or (not raw_attributes and isinstance(raw_attributes, dict))
        else (_attributes(raw_attributes))
    )
    record_id = message_id  # what the partial batch reply names: SQS's id, a topic's message has its own
    if trigger.kind == "topic":
        envelope = notification(body)
        message_id, body, sent = envelope.id, envelope.body, envelope.publish_time
        attributes = envelope.attributes
    encoding = attributes.pop(ENCODING_ATTRIBUTE, None) if attributes else None
    body_bytes = body.encode("utf-8", "surrogatepass") if encoding is None else _body(body, encoding)
    # Built as the tuple it is (id, body, attributes, attempt, publish_time, source): every field is set here.
    return record_id, built(Message, (message_id, body_bytes, attributes, attempt, sent, trigger.source))


def _counts(system: dict[str, Any]) -> tuple[int, int]:
    """(ApproximateReceiveCount, SentTimestamp), each a positive whole number in a string: both read at once, the
    digits SQS sends checked inline."""
    count, sent = system.get("ApproximateReceiveCount"), system.get("SentTimestamp")
    if (
        isinstance(count, str)
        and isinstance(sent, str)
        and count.isdigit()
        and sent.isdigit()
        and count.isascii()
        and sent.isascii()
        and len(count) <= _MAX_DIGITS
        and len(sent) <= _MAX_DIGITS
    ):
        attempt, sent_ms = int(count), int(sent)
        if attempt >= 1 and sent_ms >= 1:
            return attempt, sent_ms
    return _whole(count, "attributes.ApproximateReceiveCount"), _whole(sent, "attributes.SentTimestamp")


_MAX_DIGITS = 20


def _whole(value: object, field: str) -> int:
    if isinstance(value, str) and value.isdigit() and value.isascii() and len(value) <= _MAX_DIGITS:
        number = int(value)
        if number >= 1:
            return number
    got = f"{value[:40]!r}" if isinstance(value, str) else f"a {type(value).__name__}"
    raise MalformedEvent(f"an SQS record's {field} must be a positive number in a string, got {got}")


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
    import base64  # a body Portable sent base64-encoded (not text): the rare case, kept off the cold start

    try:
        return base64.b64decode(text, validate=True)
    except ValueError:  # binascii.Error, and text that is not ASCII
        raise MalformedEvent(f"the message is marked {ENCODING_ATTRIBUTE}=base64 but its body is not base64") from None


def wire_body(body: bytes, attributes: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """(text, attributes) as SQS and SNS carry a body: as is if it is SQS text, else base64 and marked so."""
    text = as_sqs_text(body)
    if text is not None:
        return text, dict(attributes)
    import base64

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


def encode(message: Message, spec: MessageFunction) -> dict[str, Any]:
    """The event Lambda's event source mapping sends for `message` (one record) on the queue `spec` reads.

    For a topic's subscriber, that is its own queue, and the record's body the SNS envelope of the message
    published to the topic.
    """
    import hashlib
    import uuid

    from providers.aws.arns import arn

    trigger = spec.trigger
    queue_arn = arn("sqs", f"{trigger.source}-{spec.name}" if trigger.kind == "topic" else trigger.source)
    topic_arn = arn("sns", trigger.source)
    body, attributes = wire_body(message.body, message.attributes)
    sent = str(int(message.publish_time.timestamp() * 1000))
    record_id, record_attributes = message.id, message_attributes(attributes)
    if trigger.kind == "topic":
        body = _envelope(message.id, body, attributes, message.publish_time, topic_arn)
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


# SNS's envelope ----------------------------------------------------------------


class Notification(NamedTuple):
    """The portable fields of one envelope; `body` is the published text as SNS carries it."""

    id: str
    body: str
    attributes: dict[str, str]
    publish_time: datetime


def notification(text: str) -> Notification:
    """The notification in an SQS body; MalformedEvent if the body is not an SNS envelope."""
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedEvent("the SQS body of a topic subscription is not JSON (an SNS envelope)") from None
    if not isinstance(envelope, dict) or envelope.get("Type") != "Notification":
        raise MalformedEvent("the SQS body of a topic subscription is not an SNS Notification envelope")
    message_id, message = envelope.get("MessageId"), envelope.get("Message")
    if not isinstance(message_id, str) or not message_id or not isinstance(message, str):
        raise MalformedEvent("an SNS envelope lacks MessageId or Message")
    return Notification(
        message_id,
        message,
        _envelope_attributes(envelope.get("MessageAttributes")),
        event_time(envelope.get("Timestamp"), "the SNS envelope's Timestamp"),
    )


def _envelope_attributes(raw: object) -> dict[str, str]:
    """`{name: {"Type": ..., "Value": ...}}` as name -> Value (Binary values stay base64 text)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise MalformedEvent("an SNS envelope's MessageAttributes is not an object")
    attributes = {}
    for name, attribute in raw.items():
        value = attribute.get("Value") if isinstance(attribute, dict) else None
        if not isinstance(value, str):
            raise MalformedEvent(f"SNS message attribute {name!r} has no string Value")
        attributes[name] = value
    return attributes


def _envelope(
    message_id: str,
    body: str,
    attributes: Mapping[str, str],
    publish_time: datetime,
    topic_arn: str,
) -> str:
    """The envelope SNS writes into a subscribed queue for a message published to `topic_arn`."""
    envelope: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic_arn,
        "Message": body,
        "Timestamp": publish_time.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "SignatureVersion": "1",
        "Signature": "",
        "SigningCertURL": "",
        "UnsubscribeURL": "",
    }
    if attributes:
        envelope["MessageAttributes"] = {name: {"Type": "String", "Value": value} for name, value in attributes.items()}
    return json.dumps(envelope, indent=2, ensure_ascii=False).replace('": ', '" : ')


def sample(
    spec: MessageFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[dict[str, Any], list[str]]:
    """The batch of one sample message (`portable.message_trigger.sample`): an SQS record, or for a topic's
    subscriber the SNS envelope in one."""
    message, notes = message_trigger.sample(spec, hints, clients)
    return encode(message, spec), notes


def hold_back(records: Iterable[Any], policy: MessagePolicy) -> None:
    """Make each failed record visible again after the portable backoff for its attempt (SQS's
    ChangeMessageVisibilityBatch), as Pub/Sub's retry policy and the local runner wait.

    A record without a receipt, or a change SQS refuses, is logged: the record still fails, and the queue's
    visibility timeout brings it back instead (nothing is lost).
    """
    from portable import log
    from portable.errors import PortableError
    from providers.aws.aws_errors import translated
    from providers.aws.sdk import client  # boto3 loads on this failure path only, never on a cold start

    by_queue: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        receipt = receipt_of(record)
        if receipt is None:
            continue  # the shim has logged the malformed record; only its queue's visibility timeout applies
        entries = by_queue.setdefault(receipt.queue_arn, [])
        entries.append(
            {
                "Id": str(len(entries)),
                "ReceiptHandle": receipt.receipt_handle,
                "VisibilityTimeout": policy.wait_after_failure(receipt.receive_count),
            }
        )
    for arn, entries in by_queue.items():
        try:
            with translated(arn, "holding failed messages back", f"no queue {arn!r}"):
                sqs = client("sqs")
                reply = sqs.change_message_visibility_batch(
                    QueueUrl=queue_url(arn, sqs.meta.endpoint_url), Entries=entries
                )
        except PortableError as exc:
            log.error(
                "failed messages not held back: the queue's visibility timeout applies",
                queue=arn,
                messages=len(entries),
                error=str(exc),
            )
            continue
        for failure in reply.get("Failed", []):
            log.error(
                "a failed message not held back: the queue's visibility timeout applies",
                queue=arn,
                code=failure.get("Code"),
                error=failure.get("Message"),
            )
