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
from werkzeug.test import Client

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
    assert letter.function == "work" and letter.attempts == MAX_ATTEMPTS
    assert letter.error == f"RuntimeError: poison message fails on attempt {MAX_ATTEMPTS}", "the message, not a type"
    assert isinstance(letter.event, Message) and letter.event.id == poison and letter.event.body == b"poison"
    assert letter.record()["event"]["type"] == "message"
    record.with_suffix(".fixed").touch()
    runner.replay("work", letter.id)
    eventually(lambda: any(a["id"] == poison and a["ok"] for a in attempts(record)))
    assert runner.letters.all() == []


def test_a_dead_message_is_replayed_with_an_edited_body(runner: LocalApp, record: Path) -> None:
    client = Client(runner)
    sent = client.post("/__portable/queues/tasks/messages", json={"body": "poison"})
    assert sent.status_code == 202
    [letter] = eventually(lambda: client.get("/__portable/dead-letters/work").get_json()["dead_letters"])
    assert letter["event"]["id"] == sent.get_json()["message_id"]
    assert letter["event"]["body"] == "cG9pc29u" and letter["body_text"] == "poison", "as it travels; as it reads"
    assert "body_json" not in letter, "not JSON"
    assert client.get(f"/__portable/dead-letters/work/{letter['id']}").get_json() == letter
    replay = f"/__portable/dead-letters/work/{letter['id']}/replay"
    too_big = client.post(replay, json={"body": "x" * 300_000})
    assert too_big.status_code == 413 and "the limit is 262144 bytes" in too_big.get_json()["error"]
    replayed = client.post(replay, json={"body": "fine"})
    assert replayed.status_code == 202 and replayed.get_json()["event_id"] == letter["event"]["id"]
    handled = eventually(lambda: [a for a in attempts(record) if a["ok"]])
    assert [(a["id"], a["text"]) for a in handled] == [(letter["event"]["id"], "fine")], "the same message, edited"
    assert runner.letters.all() == []


def test_a_published_message_says_which_subscribers_have_it_pending(record: Path) -> None:
    quiet = LocalApp("tests.apps.messages", workers=0)  # nothing delivers: the messages stay pending
    client = Client(quiet)
    assert client.post("/__portable/topics/alerts/messages", json={"body": {"level": "high"}}).status_code == 202
    assert client.post("/__portable/queues/alerts/messages", json={"body": "x"}).status_code == 404
    quiet.deliverer.relay()
    described = client.get("/__portable/app").get_json()
    [alerts] = described["topics"]
    assert alerts == {
        "name": "alerts",
        "subscribers": [{"name": "archive", "pending": 1}, {"name": "page", "pending": 1}],
    }
    [(message, _)] = [(event, None) for event in [quiet.queue.take(time.time() + 1)] if event is not None]
    assert isinstance(message.event, Message) and message.event.body == b'{"level":"high"}', "JSON as sent"


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
