"""What the Pub/Sub tests rely on, asked of the server `pubsub_emulator_host` starts: the stand-in, or Google's
emulator with PORTABLE_PUBSUB_EMULATOR=google. The same assertions holding on both is what makes the stand-in
faithful on what it covers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest

pytestmark = pytest.mark.slow

PROJECT = "portable-test"
SOURCE_ATTRIBUTES = {
    "CloudPubSubDeadLetterSourceDeliveryCount",
    "CloudPubSubDeadLetterSourceSubscription",
    "CloudPubSubDeadLetterSourceSubscriptionProject",
    "CloudPubSubDeadLetterSourceTopicPublishTime",
}


@dataclass
class Clients:
    host: str
    publisher: Any
    subscriber: Any

    def topic(self) -> str:
        name = f"projects/{PROJECT}/topics/t-{uuid.uuid4().hex[:10]}"
        self.publisher.create_topic(name=name)
        return name

    def subscription(self, topic: str, **settings: Any) -> str:
        name = f"projects/{PROJECT}/subscriptions/s-{uuid.uuid4().hex[:10]}"
        self.subscriber.create_subscription(request={"name": name, "topic": topic, **settings})
        return name

    def publish(self, topic: str, data: bytes, **attributes: str) -> str:
        message_id: str = self.publisher.publish(topic, data, **attributes).result(timeout=30)
        return message_id

    def pull(self, subscription: str, timeout: float = 10) -> list[Any]:
        received: list[Any] = self.subscriber.pull(
            subscription=subscription, max_messages=10, timeout=timeout
        ).received_messages
        return received

    def nack(self, subscription: str, received: list[Any]) -> None:
        self.subscriber.modify_ack_deadline(
            subscription=subscription, ack_ids=[item.ack_id for item in received], ack_deadline_seconds=0
        )


@pytest.fixture
def pubsub(pubsub_emulator_host: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clients]:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator_host)
    with pubsub_v1.SubscriberClient() as subscriber:
        yield Clients(pubsub_emulator_host, pubsub_v1.PublisherClient(), subscriber)


def test_a_missing_topic_is_not_found_and_an_empty_message_is_refused(pubsub: Clients) -> None:
    from google.api_core.exceptions import InvalidArgument, NotFound

    missing = f"projects/{PROJECT}/topics/missing-{uuid.uuid4().hex[:10]}"
    with pytest.raises(NotFound):
        pubsub.publish(missing, b"lost")
    with pytest.raises(NotFound):
        pubsub.publisher.get_topic(topic=missing)
    with pytest.raises(NotFound):
        pubsub.subscription(missing)
    with pytest.raises(InvalidArgument):
        pubsub.publish(pubsub.topic(), b"")


def test_every_subscription_of_a_topic_gets_each_message(pubsub: Clients) -> None:
    topic = pubsub.topic()
    subscriptions = [pubsub.subscription(topic) for _ in range(3)]
    message_id = pubsub.publish(topic, b"to all", kind="fan-out")
    for subscription in subscriptions:
        (item,) = pubsub.pull(subscription)
        assert (item.message.message_id, item.message.data, dict(item.message.attributes)) == (
            message_id,
            b"to all",
            {"kind": "fan-out"},
        )
        assert item.delivery_attempt == 0, "counted only under a dead-letter policy"
        assert item.message.publish_time.timestamp() > 0
        pubsub.subscriber.acknowledge(subscription=subscription, ack_ids=[item.ack_id])
        assert pubsub.pull(subscription, timeout=2) == [], "acknowledged: not delivered again"


def test_a_nack_delivers_again_at_once_counting_attempts(pubsub: Clients) -> None:
    topic, dead = pubsub.topic(), pubsub.topic()
    subscription = pubsub.subscription(
        topic, dead_letter_policy={"dead_letter_topic": dead, "max_delivery_attempts": 10}
    )
    message_id = pubsub.publish(topic, b"again")
    ack_ids = set()
    for attempt in (1, 2, 3):
        (item,) = pubsub.pull(subscription)
        assert (item.message.message_id, item.delivery_attempt) == (message_id, attempt)
        ack_ids.add(item.ack_id)
        pubsub.nack(subscription, [item])
    assert len(ack_ids) == 3, "each delivery has its own ack id"


def test_a_message_not_acknowledged_in_time_is_delivered_again(pubsub: Clients) -> None:
    topic = pubsub.topic()
    subscription = pubsub.subscription(topic)
    message_id = pubsub.publish(topic, b"slow")
    (first,) = pubsub.pull(subscription)
    assert pubsub.pull(subscription, timeout=2) == [], "leased: no one else gets it within its deadline"
    pubsub.subscriber.modify_ack_deadline(subscription=subscription, ack_ids=[first.ack_id], ack_deadline_seconds=1)
    time.sleep(1.5)
    (second,) = pubsub.pull(subscription)
    assert second.message.message_id == message_id and second.ack_id != first.ack_id


def test_after_max_delivery_attempts_the_message_moves_to_the_dead_letter_topic(pubsub: Clients) -> None:
    topic, dead = pubsub.topic(), pubsub.topic()
    kept = pubsub.subscription(dead)
    subscription = pubsub.subscription(
        topic, dead_letter_policy={"dead_letter_topic": dead, "max_delivery_attempts": 5}
    )
    message_id = pubsub.publish(topic, b"poison", kind="bad")
    for attempt in range(1, 6):
        (item,) = pubsub.pull(subscription)
        assert item.delivery_attempt == attempt
        pubsub.nack(subscription, [item])
    # Forwarding is asynchronous on Pub/Sub; Google's emulator does it when the subscription is next pulled.
    assert pubsub.pull(subscription, timeout=2) == [], "dead-lettered: no longer delivered"
    (forwarded,) = pubsub.pull(kept)
    assert forwarded.message.data == b"poison" and forwarded.message.message_id != message_id
    attributes = dict(forwarded.message.attributes)
    assert attributes.pop("kind") == "bad" and set(attributes) == SOURCE_ATTRIBUTES
    assert attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
    assert attributes["CloudPubSubDeadLetterSourceSubscription"] == subscription.rpartition("/")[2]
    assert attributes["CloudPubSubDeadLetterSourceSubscriptionProject"] == PROJECT


def test_a_method_it_does_not_serve_is_unimplemented(pubsub: Clients) -> None:
    with grpc.insecure_channel(pubsub.host) as channel:
        call = channel.unary_unary("/google.pubsub.v1.Publisher/NoSuchMethod")
        with pytest.raises(grpc.RpcError) as failure:
            call(b"", timeout=10)
    assert failure.value.code() == grpc.StatusCode.UNIMPLEMENTED
