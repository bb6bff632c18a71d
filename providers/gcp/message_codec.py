"""The `message` kind on GCP: Pub/Sub deliveries <-> portable messages.

A message function on GCP is reached by a Pub/Sub push subscription (the body `{"message": ...,
"subscription": ..., "deliveryAttempt": n}`); an Eventarc Pub/Sub trigger's CloudEvent (type
`google.cloud.pubsub.topic.v1.messagePublished`, binary or structured, whose data is the same
envelope) is read too. Either way the answer is the acknowledgement: 2xx acks, anything else nacks,
and the subscription counts the deliveries and dead-letters (`COUNTS_ATTEMPTS`).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from portable import message_trigger
from portable.errors import MalformedEvent
from portable.event_times import event_time
from portable.message_trigger import Message
from portable.request import Headers
from providers.gcp import cloud_events

if TYPE_CHECKING:
    from collections.abc import Mapping

    import flask

    from portable.context import ClientFactory
    from portable.delivery import Bound, Decoded
    from portable.message_trigger import MessageFunction, MessageTrigger

EVENT_TYPE = "google.cloud.pubsub.topic.v1.messagePublished"
COUNTS_ATTEMPTS = True


def decode(req: flask.Request, headers: Headers, bound: Bound[MessageTrigger]) -> list[Decoded]:
    """The message of a push request or an Eventarc CloudEvent, or the MalformedEvent saying what is wrong."""
    source = bound.spec.trigger.source
    try:
        if cloud_events.is_cloudevent(headers):
            event = cloud_events.parse(dict(headers.items()), req.get_data())
            if event.get("type") != EVENT_TYPE:
                raise MalformedEvent(
                    f"a CloudEvent of type {event.get('type')!r} reached a message function; it takes {EVENT_TYPE}"
                )
            message = _message(event.data, source, fallback_id=event.get("id"), fallback_time=event.get("time"))
        else:
            try:
                envelope = json.loads(req.get_data())
            except (ValueError, RecursionError):
                raise MalformedEvent("the request body is not a Pub/Sub push envelope (JSON)") from None
            message = _message(envelope, source)
    except MalformedEvent as exc:
        return [("0", exc)]
    return [(message.id, message)]


def routes_to(spec: MessageFunction, message: Message) -> bool:
    """Each subscription of the message's topic pushes it."""
    return spec.trigger.source == message.source


def _message(envelope: Any, source: str, fallback_id: object = None, fallback_time: object = None) -> Message:
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


def encode(message: Message, spec: MessageFunction) -> tuple[str, str, dict[str, str], bytes]:
    """The push request (headers, body) Pub/Sub sends for `message` on the subscription of `spec` (named after the
    function), with its delivery attempt."""
    subscription = f"projects/local/subscriptions/{spec.name}"
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
    return "POST", "/", {"Content-Type": "application/json", "User-Agent": "APIs-Google"}, json.dumps(body).encode()


def sample(
    spec: MessageFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[tuple[str, str, dict[str, str], bytes], list[str]]:
    """The push of a sample message (`portable.message_trigger.sample`)."""
    message, notes = message_trigger.sample(spec, hints, clients)
    return encode(message, spec), notes
