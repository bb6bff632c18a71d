"""SNS notification envelopes <-> portable messages: what SNS writes into a subscribed SQS queue.

Without raw message delivery, SNS puts each published message into the body of an SQS message
as this JSON envelope; its `MessageId` and `Timestamp` are the publish's own, the same for every
subscriber and on every redelivery.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC

from portable.errors import MalformedEvent
from portable.events import event_time
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any


class Notification(NamedTuple):
    """The portable fields of one envelope; `body` is the published text as SNS carries it."""

    id: str
    body: str
    attributes: dict[str, str]
    publish_time: datetime


def decode(text: str) -> Notification:
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
        _attributes(envelope.get("MessageAttributes")),
        event_time(envelope.get("Timestamp"), "the SNS envelope's Timestamp"),
    )


def _attributes(raw: object) -> dict[str, str]:
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


def encode(
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
