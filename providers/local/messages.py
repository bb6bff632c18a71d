"""Local queues and topics: a sent or published message waits in an outbox in the state directory.

The outbox (`messages.sqlite3`) is written before send() returns, so an acknowledged message
outlives a crash, as SQS and Pub/Sub keep it. The runner's relay moves each message to the
delivery queue, one row per consumer (a queue's one, or every subscriber of a topic), due once
its delay has passed; from there it is delivered as every local event is, with the function's
attempts, backoff and dead letters. Under the test kit (`observing_messages`) a message is
handed over at once instead.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from portable.context import setting
from portable.errors import BackendError
from portable.message_trigger import Message
from providers.local import events, outboxes
from providers.local.sqlite_files import Database, connect, immediate

RESOURCE = "message outbox"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, message TEXT NOT NULL, due REAL NOT NULL);
"""
MessageObserver = Callable[[Message], None]
_observer: ContextVar[MessageObserver | None] = ContextVar("portable_local_message_observer", default=None)


def observing_messages(observer: MessageObserver) -> AbstractContextManager[None]:
    """Inside the block, each message sent or published through a local client goes to `observer` before the
    call returns (the test kit delivers messages so, synchronously, without delay or retry)."""
    return setting(_observer, observer)


class LocalMessages:
    """The local client behind a queue or topic handle."""

    def __init__(self, logical: str, root: Path) -> None:
        self.logical = logical
        self.root = root

    def send(self, body: bytes, attributes: dict[str, str], delay_seconds: int) -> str:
        message = Message(
            id=uuid.uuid4().hex,
            body=body,
            attributes=dict(attributes),
            attempt=1,
            publish_time=datetime.now(UTC),
            source=self.logical,
        )
        observer = _observer.get()
        if observer is not None:
            observer(message)
        else:
            MessageOutbox(self.root).put(message, time.time() + delay_seconds)
        return message.id


class MessageOutbox:
    """The messages under `root` not yet handed to the delivery queue."""

    def __init__(self, root: Path) -> None:
        self.path = root / "messages.sqlite3"

    def put(self, message: Message, due: float) -> None:
        try:
            with immediate(self._db()) as db:
                db.execute("INSERT INTO outbox (message, due) VALUES (?, ?)", (events.to_json(message), due))
        except sqlite3.Error as exc:
            raise BackendError(message.source, f"storing the message failed: {exc}") from exc
        events.doorbell.ring()

    def outbox(self) -> outboxes.Outbox:
        """The messages waiting for the relay, each due after its delay."""
        return outboxes.Outbox(self.path, _SCHEMA, RESOURCE, "message, due")

    def _db(self) -> Database:
        return connect(self.path, _SCHEMA, RESOURCE)
