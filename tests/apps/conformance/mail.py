"""A queue consumer and a topic subscriber that record every field of the message they get."""

from __future__ import annotations

import base64
from typing import Any

from portable import InvalidValue, Message, queue, topic
from tests.apps.conformance.kitchen import _record

letters = queue("letters")
news = topic("news")


def message_view(message: Message) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": message.id,
        "body": base64.b64encode(message.body).decode(),
        "attributes": dict(message.attributes),
        "attempt": message.attempt,
        "publish_time": message.publish_time.isoformat(),
        "source": message.source,
    }
    for name in ("text", "json"):
        try:
            view[name] = message.text if name == "text" else message.json()
        except InvalidValue as exc:
            view[name] = f"InvalidValue: {exc}"
    return view


@letters.on_message(batch_size=10, max_attempts=5)
def read_letter(message: Message) -> None:
    if message.body == b"poison":
        raise RuntimeError("this letter always fails")
    _record("message", message_view(message))


@news.on_message
def read_news(message: Message) -> None:
    _record("message", message_view(message))
