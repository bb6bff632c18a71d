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
    return f"message {message.id} from {message.source}"


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
