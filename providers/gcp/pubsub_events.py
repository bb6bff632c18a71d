"""Pub/Sub deliveries <-> portable messages.

A message function on GCP is reached by a Pub/Sub push subscription (the body `{"message": ...,
"subscription": ..., "deliveryAttempt": n}`); an Eventarc Pub/Sub trigger's CloudEvent (type
`google.cloud.pubsub.topic.v1.messagePublished`, binary or structured, whose data is the same
envelope) is read too. Either way the answer is the acknowledgement: 2xx acks, anything else nacks.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from portable.errors import MalformedEvent
from portable.events import event_time
from portable.messages import Message
from portable.request import Headers

EVENT_TYPE = "google.cloud.pubsub.topic.v1.messagePublished"


def decode(headers: Headers, body: bytes, source: str) -> Message:
    """The message of a push request or an Eventarc CloudEvent; MalformedEvent says what is wrong with it."""
    if "ce-type" in headers or (headers.get("content-type") or "").startswith("application/cloudevents"):
        from providers.gcp.storage_events import parse_cloudevent

        event = parse_cloudevent(dict(headers.items()), body)
        if event.get("type") != EVENT_TYPE:
            raise MalformedEvent(
                f"a CloudEvent of type {event.get('type')!r} reached a message function; it takes {EVENT_TYPE}"
            )
        return message(event.data, source, fallback_id=event.get("id"), fallback_time=event.get("time"))
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        raise MalformedEvent("the request body is not a Pub/Sub push envelope (JSON)") from None
    return message(envelope, source)


def message(envelope: Any, source: str, fallback_id: object = None, fallback_time: object = None) -> Message:
    """The portable message in a push envelope (or a CloudEvent's MessagePublishedData)."""
    if not isinstance(envelope, dict) or not isinstance(envelope.get("message"), dict):
        raise MalformedEvent("a Pub/Sub push envelope is a JSON object with a `message` object")
    pubsub: dict[str, Any] = envelope["message"]
    message_id = pubsub.get("messageId") or pubsub.get("message_id") or fallback_id
    if not isinstance(message_id, str) or not message_id or not _unicode(message_id):
        raise MalformedEvent(
            "the Pub/Sub message has no messageId (a non-empty string); Portable needs it as the message's id"
        )
    published = pubsub.get("publishTime") or pubsub.get("publish_time") or fallback_time
    attempt = envelope.get("deliveryAttempt", 1)
    if not isinstance(attempt, int) or isinstance(attempt, bool) or attempt < 1:
        raise MalformedEvent(f"deliveryAttempt must be a positive whole number, got a {type(attempt).__name__}")
    return Message(
        id=message_id,
        body=_data(pubsub.get("data")),
        attributes=_attributes(pubsub.get("attributes")),
        attempt=attempt,
        source=source,
        # The Pub/Sub emulator omits publishTime: the time of receipt stands in for it.
        publish_time=datetime.now(UTC) if published is None else event_time(published, "message.publishTime"),
    )


def _data(value: object) -> bytes:
    if value is None:
        return b""
    if not isinstance(value, str):
        raise MalformedEvent("message.data must be base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error, and text that is not ASCII
        raise MalformedEvent("message.data is not base64") from None


def _attributes(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and _unicode(k) and _unicode(v) for k, v in value.items()
    ):
        raise MalformedEvent("message.attributes must map strings to strings")
    return dict(value)


def _unicode(text: str) -> bool:
    """Whether `text` is valid Unicode (JSON may carry lone surrogates, which no cloud sends)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def encode(message: Message, subscription: str) -> tuple[dict[str, str], bytes]:
    """The push request (headers, body) Pub/Sub sends for `message` on `subscription`, with its delivery attempt."""
    published = message.publish_time.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    pubsub: dict[str, Any] = {
        "data": base64.b64encode(message.body).decode("ascii"),
        "messageId": message.id,
        "message_id": message.id,
        "publishTime": published,
        "publish_time": published,
    }
    if message.attributes:
        pubsub["attributes"] = dict(message.attributes)
    body = {"message": pubsub, "subscription": subscription, "deliveryAttempt": message.attempt}
    return {"Content-Type": "application/json", "User-Agent": "APIs-Google"}, json.dumps(body).encode()
