"""The `message` kind locally: messages at rest (the message outbox, the delivery queue, dead letters), where they
come from (the outbox that send() and publish() write), and how the console and the banner show them.

The runner delivers them through the GCP shim, as a Pub/Sub push subscription does
(`providers/gcp/message_codec.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from portable import message_trigger
from portable.app import App
from portable.message_trigger import Message, MessageTrigger

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from portable.context import ClientFactory
    from portable.message_trigger import MessageFunction
    from providers.local.outboxes import Outbox

KIND = "message"
LABEL = "messages"  # what the runner's banner calls its triggers


def encode(message: Message) -> dict[str, Any]:
    return {"type": KIND, **message_trigger.to_record(message)}


def decode(record: Mapping[str, Any]) -> Message:
    return message_trigger.from_record(record)


def subject(message: Message) -> str:
    return f"{message.id} from {message.source}"


def outboxes(app: App, root: Path) -> list[Outbox]:
    """The message outbox: every queue's and topic's sends, each due after its delay."""
    from providers.local.messages import MessageOutbox

    return [MessageOutbox(root).outbox()]


def describe(app: App) -> list[str]:
    """Each queue and topic with the functions that receive its messages."""
    return [
        f"{name} ({kind}) -> {', '.join(spec.name for spec in app.functions_of(MessageTrigger, name)) or 'none'}"
        for kind, names in (("queue", app.queues), ("topic", app.topics))
        for name in names
    ]


def sample(
    spec: MessageFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[dict[str, Any], list[str]]:
    message, notes = message_trigger.sample(spec, hints, clients)
    return encode(message), notes


def dashboard(app: App, pending: Mapping[str, int], now: datetime) -> dict[str, Any]:
    """The dashboard's part of this kind: each queue and topic with its receivers and their pending events."""

    def receivers(name: str) -> list[dict[str, Any]]:
        return [
            {"name": spec.name, "pending": pending.get(spec.name, 0)} for spec in app.functions_of(MessageTrigger, name)
        ]

    return {
        "queues": [
            {"name": name, "consumers": receivers(name), "delays": name in app.delayed_queues} for name in app.queues
        ],
        "topics": [{"name": name, "subscribers": receivers(name)} for name in app.topics],
    }


def views(message: Message) -> dict[str, Any]:
    """A dead letter's message as a person reads it: `body_text` when its body is UTF-8, `body_json` too when that
    text is JSON (the record keeps it base64, as it travels)."""
    import json

    try:
        text = message.body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    try:
        return {"body_text": text, "body_json": json.loads(text)}
    except ValueError:
        return {"body_text": text}


def edited(message: Message, body: bytes) -> Message:
    """`message` with `body` in place of its own (a dead letter replayed after a fix), checked as a send checks it."""
    from portable.messaging import check_message

    data, _ = check_message(message.source, body, message.attributes)
    return message._replace(body=data)
