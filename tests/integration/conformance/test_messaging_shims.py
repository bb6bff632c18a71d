"""End to end through each shim on a real backend, as the clouds drive it.

AWS: the clients send to SQS and publish to SNS on moto's server; each consumer's queue has a redrive policy
to a dead-letter queue (maxReceiveCount = the declared attempts) and the deploy's visibility timeout; a poller
plays Lambda's event source mapping (receive the visible messages, invoke the Lambda handler, delete what did
not fail), on a clock of moto's SQS that it moves on while every message left is invisible, so the backoff the
shim sets on each failed message is waited for and measured without sleeping. GCP: the clients publish to the
Pub/Sub emulator (the stand-in, or Google's with PORTABLE_PUBSUB_EMULATOR=google); each consumer's subscription
has a dead-letter policy; a poller plays the push subscription (pull, POST the push envelope to the GCP shim
under functions-framework, acknowledge a 2xx, nack the rest).
Both count what was sent, delivered, retried, dead-lettered and lost.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from portable.context import using_clients
from portable.messaging import Queue, Topic
from tests.backends.message_wire import lambda_records, push_envelope
from tests.support.messaging_traffic import MAX_ATTEMPTS, Figures, figures, send_traffic
from tests.support.targets import MAIN, function_env, invoke_aws

pytestmark = pytest.mark.slow
MODULE = "tests.apps.messages.handlers"
CONSUMERS = {"work": "tasks", "page": "alerts", "archive": "alerts"}
ROUNDS = 200
VISIBILITY_TIMEOUT = 180  # what the deploy gives a consumer's queue: 6 x the function's timeout of 30 s
IN_FLIGHT = "ApproximateNumberOfMessagesNotVisible"
CLOCK_STEP = 2  # seconds moved on while nothing is visible


def traffic(client_for: Callable[..., Any]) -> dict[tuple[str, str], str]:
    with using_clients(client_for):
        return send_traffic(lambda queue, body: Queue(queue).send(body), lambda topic, body: Topic(topic).publish(body))


def dead_by_body(expected: dict[tuple[str, str], str], function: str, bodies: list[str]) -> set[tuple[str, str]]:
    """The expected deliveries a dead-letter queue holds, found by function and body (bodies that fail are unique)."""
    return {key for key, body in expected.items() if key[0] == function and body in bodies}


def drive(poll: Callable[[], int]) -> None:
    """Poll until a few rounds in a row find nothing to deliver."""
    idle = 0
    for _ in range(ROUNDS):
        idle = 0 if poll() else idle + 1
        if idle >= 3:
            return
    raise AssertionError("messages were still arriving after the last round")


# AWS -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def aws(moto_sdk: Any) -> Any:
    return moto_sdk


class SqsClock:
    """The time moto's SQS sees: the real time plus `skipped` seconds, moved on by `skip`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from moto.sqs import models

        self.skipped = 0.0
        monkeypatch.setattr(models, "unix_time", lambda: time.time() + self.skipped)
        monkeypatch.setattr(models, "unix_time_millis", lambda: (time.time() + self.skipped) * 1000)

    def now(self) -> float:
        return time.time() + self.skipped

    def skip(self, seconds: float) -> None:
        self.skipped += seconds


def consumer_queue(sqs: Any, name: str) -> tuple[str, str, str]:
    """A queue (url, arn) whose messages move to a dead-letter queue (url) after MAX_ATTEMPTS receives."""
    suffix = uuid.uuid4().hex[:8]
    dead = sqs.create_queue(QueueName=f"{name}-dead-{suffix}")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": str(MAX_ATTEMPTS)})
    url = sqs.create_queue(
        QueueName=f"{name}-{suffix}",
        Attributes={"VisibilityTimeout": str(VISIBILITY_TIMEOUT), "RedrivePolicy": redrive},
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn, dead


def test_through_the_aws_shim_on_sqs_and_sns(aws: Any, record: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from portable.message_trigger import MessagePolicy
    from providers.aws import message_codec
    from providers.aws.clients import client_for

    sqs, sns = aws("sqs"), aws("sns")
    clock = SqsClock(monkeypatch)
    queues = {function: consumer_queue(sqs, function) for function in CONSUMERS}
    topic_arn = sns.create_topic(Name=f"alerts-{uuid.uuid4().hex[:8]}")["TopicArn"]
    for function in ("page", "archive"):
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queues[function][1])
    monkeypatch.setenv("PORTABLE_QUEUE_TASKS", queues["work"][0])
    monkeypatch.setenv("PORTABLE_TOPIC_ALERTS", topic_arn)
    expected = traffic(client_for)
    failed_at: dict[str, tuple[float, int]] = {}  # SQS message id -> when and on which attempt it last failed
    waits: list[tuple[int, float]] = []  # (the attempt that failed, seconds until the message came back)

    def poll() -> int:
        handled = 0
        for function, (url, arn, _) in queues.items():
            records = lambda_records(sqs, url, arn, wait_seconds=0)
            if not records:
                continue
            for r in records:
                if r["messageId"] in failed_at:
                    when, attempt = failed_at.pop(r["messageId"])
                    waits.append((attempt, clock.now() - when))
            reply = invoke_aws({"Records": records}, function, MODULE, PORTABLE_PROVIDER="aws")
            failed = {item["itemIdentifier"] for item in reply["batchItemFailures"]}
            failed_at.update(
                {
                    r["messageId"]: (clock.now(), int(r["attributes"]["ApproximateReceiveCount"]))
                    for r in records
                    if r["messageId"] in failed
                }
            )
            done = [
                {"Id": str(n), "ReceiptHandle": r["receiptHandle"]}
                for n, r in enumerate(records)
                if r["messageId"] not in failed
            ]
            if done:
                sqs.delete_message_batch(QueueUrl=url, Entries=done)
            handled += len(records)
        if handled:
            return handled
        waiting = sum(
            int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[IN_FLIGHT])["Attributes"][IN_FLIGHT])
            for url, _, _ in queues.values()
        )
        clock.skip(CLOCK_STEP)  # nothing visible: Lambda would poll again later
        return waiting

    drive(poll)
    dead: set[tuple[str, str]] = set()
    for function, (_, _, dead_url) in queues.items():
        bodies = [r["body"] for r in lambda_records(sqs, dead_url, "dead")]
        if CONSUMERS[function] == "alerts":
            bodies = [message_codec.notification(body).body for body in bodies]
        dead |= dead_by_body(expected, function, bodies)
    report(figures(expected, record, dead), "AWS shim (SQS, SNS on moto)")
    policy = MessagePolicy(MAX_ATTEMPTS)
    assert sorted({attempt for attempt, _ in waits}) == [1, 2, 3, 4], "flaky and poison messages came back"
    for attempt, waited in waits:
        backoff = policy.wait_after_failure(attempt)
        assert backoff <= waited < backoff + CLOCK_STEP + 1, (attempt, waited, "not the portable backoff")
    assert [policy.wait_after_failure(n) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 80, 0]


def test_a_change_of_visibility_that_fails_is_logged_and_the_record_still_fails(
    aws: Any,
    record: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, arn, _ = consumer_queue(aws("sqs"), "work")
    aws("sqs").send_message(QueueUrl=url, MessageBody="poison")
    records = lambda_records(aws("sqs"), url, arn, wait_seconds=0)
    (gone,) = records
    gone["eventSourceARN"] = arn + "-deleted"  # a queue SQS does not know
    reply = invoke_aws({"Records": records}, "work", MODULE, PORTABLE_PROVIDER="aws")
    assert reply == {"batchItemFailures": [{"itemIdentifier": gone["messageId"]}]}
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    (line,) = [entry for entry in logged if "not held back" in entry.get("message", "")]
    assert line["queue"] == arn + "-deleted" and line["severity"] == "ERROR"


# GCP -----------------------------------------------------------------------------------------------------------


def test_through_the_gcp_shim_on_pubsub(
    pubsub_emulator_host: str,
    record: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import functions_framework
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    from providers.gcp import sdk
    from providers.gcp.clients import client_for

    project = "portable-test"
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator_host)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", project)
    sdk.publisher_client.cache_clear()
    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    suffix = uuid.uuid4().hex[:8]
    topics = {source: f"projects/{project}/topics/{source}-{suffix}" for source in ("tasks", "alerts")}
    subscriptions, kept = {}, {}
    for topic in topics.values():
        publisher.create_topic(name=topic)
    for function, source in CONSUMERS.items():
        dead_topic = f"projects/{project}/topics/{function}-dead-{suffix}"
        publisher.create_topic(name=dead_topic)
        kept[function] = f"projects/{project}/subscriptions/{function}-dead-{suffix}"
        subscriber.create_subscription(name=kept[function], topic=dead_topic)
        subscriptions[function] = f"projects/{project}/subscriptions/{function}-{suffix}"
        subscriber.create_subscription(
            request={
                "name": subscriptions[function],
                "topic": topics[source],
                "dead_letter_policy": {"dead_letter_topic": dead_topic, "max_delivery_attempts": MAX_ATTEMPTS},
            }
        )
    monkeypatch.setenv("PORTABLE_QUEUE_TASKS", topics["tasks"].rpartition("/")[2])
    monkeypatch.setenv("PORTABLE_TOPIC_ALERTS", topics["alerts"].rpartition("/")[2])
    expected = traffic(client_for)
    apps = {}
    for function in CONSUMERS:
        with function_env(function, MODULE):
            apps[function] = functions_framework.create_app(target=function, source=str(MAIN)).test_client()

    def poll() -> int:
        handled = 0
        for function, subscription in subscriptions.items():
            received = subscriber.pull(subscription=subscription, max_messages=10, timeout=1).received_messages
            acks, nacks = [], []
            for item in received:
                status = apps[function].post("/", json=push_envelope(item, subscription)).status_code
                (acks if 200 <= status < 300 else nacks).append(item.ack_id)
            if acks:
                subscriber.acknowledge(subscription=subscription, ack_ids=acks)
            if nacks:
                subscriber.modify_ack_deadline(subscription=subscription, ack_ids=nacks, ack_deadline_seconds=0)
            handled += len(received)
        if not handled:
            time.sleep(0.2)
        return handled

    drive(poll)
    dead: set[tuple[str, str]] = set()
    for function, subscription in kept.items():
        received = subscriber.pull(subscription=subscription, max_messages=10, timeout=5).received_messages
        dead |= dead_by_body(expected, function, [item.message.data.decode() for item in received])
    sdk.publisher_client.cache_clear()
    server = "Google's emulator" if os.environ.get("PORTABLE_PUBSUB_EMULATOR") == "google" else "the stand-in"
    report(figures(expected, record, dead), f"GCP shim (Pub/Sub on {server})")


def report(result: Figures, target: str) -> None:
    print("\n" + result.line(target))
    assert result.lost == 0 and result.sent == 40
    assert result.delivered == result.sent - 1 and result.dead_lettered == 1
    assert result.retried == 2 * 2 + 2 * 2 + (MAX_ATTEMPTS - 1)
