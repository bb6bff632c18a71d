"""Queues and topics on the local runner: a durable outbox, fan-out to every subscriber, the message's attempts
with a backoff, dead letters that can be read and replayed, delays, and a poison message that blocks nothing.
The policy is injected with short delays (the attempts are the declared ones)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from portable.context import using_clients
from portable.loading import load_app
from portable.message_trigger import Message
from portable.messaging import Queue, Topic
from providers.binding import client_factory
from providers.local.deliverer import default_policy
from providers.local.runner import LocalApp
from providers.local.sqlite_files import local_dir
from tests.support.messaging_traffic import MAX_ATTEMPTS, attempts, figures, send_traffic


class FastBackoff(NamedTuple):
    attempts: int

    def delay_before(self, attempt: int) -> float:
        return 0.0 if attempt <= 1 else 0.05

    def expired(self, event_time: datetime, now: datetime) -> bool:
        return False


@pytest.fixture
def runner(record: Path) -> Iterator[LocalApp]:
    app = LocalApp("tests.apps.messages", policy_for=lambda spec: FastBackoff(default_policy(spec).attempts), workers=2)
    app.start(schedules=False)
    yield app
    app.stop()


def eventually(check: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return result


def send(queue: str, body: str, **options: Any) -> str:
    """Send as the App's functions do, through a handle declared as the App declares it."""
    with using_clients(client_factory("local")):
        return Queue(queue, delays=queue in load_app("tests.apps.messages").delayed_queues).send(body, **options)


def publish(topic: str, body: str) -> str:
    with using_clients(client_factory("local")):
        return Topic(topic).publish(body)


def dead_letters(runner: LocalApp) -> set[tuple[str, str]]:
    return {(letter.function, letter.event.id) for letter in runner.letters.all()}


def test_every_message_is_delivered_or_dead_lettered_and_none_is_lost(runner: LocalApp, record: Path) -> None:
    expected = send_traffic(send, publish)
    settled = lambda: figures(expected, record, dead_letters(runner))  # noqa: E731
    result = eventually(lambda: (f := settled()).delivered + f.dead_lettered == f.sent and f)
    print("\n" + result.line("local runner"))
    assert result.lost == 0 and result.sent == 20 + 2 * 10
    assert result.delivered == result.sent - 1 and result.dead_lettered == 1
    # flaky: 2 failed attempts each (2 queue messages, 2 subscribers of one topic message); poison: 4 retried + 1 last
    assert result.retried == 2 * 2 + 2 * 2 + (MAX_ATTEMPTS - 1)


def test_a_message_keeps_its_id_and_counts_its_attempts(runner: LocalApp, record: Path) -> None:
    message_id = send("tasks", "flaky")
    eventually(lambda: any(a["ok"] for a in attempts(record)))
    seen = attempts(record)
    assert [(a["id"], a["attempt"], a["ok"]) for a in seen] == [
        (message_id, 1, False),
        (message_id, 2, False),
        (message_id, 3, True),
    ]


def test_a_topic_message_reaches_every_subscriber_once(runner: LocalApp, record: Path) -> None:
    message_id = publish("alerts", "hello")
    eventually(lambda: len(attempts(record)) == 2)
    time.sleep(0.3)
    assert sorted((a["function"], a["id"]) for a in attempts(record)) == [("archive", message_id), ("page", message_id)]


def test_a_poison_message_is_dead_lettered_readable_and_replayable(runner: LocalApp, record: Path) -> None:
    poison = send("tasks", "poison")
    fine = send("tasks", "fine")
    (letter,) = eventually(lambda: runner.letters.all())
    assert any(a["id"] == fine and a["ok"] for a in attempts(record)), "the poison message blocked nothing"
    assert letter.function == "work" and letter.attempts == MAX_ATTEMPTS and "HTTP 500" in letter.error
    assert isinstance(letter.event, Message) and letter.event.id == poison and letter.event.body == b"poison"
    assert letter.record()["event"]["type"] == "message"
    record.with_suffix(".fixed").touch()
    runner.replay("work", letter.id)
    eventually(lambda: any(a["id"] == poison and a["ok"] for a in attempts(record)))
    assert runner.letters.all() == []


def test_a_delayed_message_waits_for_its_delay(runner: LocalApp, record: Path) -> None:
    started = time.monotonic()
    send("tasks", "later", delay_seconds=1)
    eventually(lambda: attempts(record))
    assert time.monotonic() - started >= 1


def test_a_sent_message_outlives_the_runner(record: Path) -> None:
    message_id = send("tasks", "kept")  # no runner is up: the message waits in the state directory
    assert (local_dir() / "messages.sqlite3").exists()
    app = LocalApp("tests.apps.messages", workers=1)
    app.start(schedules=False)
    try:
        eventually(lambda: attempts(record))
    finally:
        app.stop()
    assert [(a["id"], a["ok"]) for a in attempts(record)] == [(message_id, True)]
