"""The topic client (providers/gcp/pubsub.py) against the Pub/Sub emulator (tests/backends/servers.py: the stand-in,
or Google's with PORTABLE_PUBSUB_EMULATOR=google).

What a client publishes is pulled from each subscription as Pub/Sub's push envelope and decoded by the shim's format
module: the handler would see exactly the body, attributes and id that were published.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from portable.context import using_clients
from portable.errors import InvalidValue, NotFound
from portable.message_trigger import Message, MessageTrigger
from portable.messaging import Queue, Topic
from tests.backends.message_wire import push_envelope
from tests.support.codecs import gcp_events

pytestmark = pytest.mark.slow

BODIES = [b"plain text", "h\u00e9llo \U0001f600".encode(), bytes(range(256)), b'{"name": "Ada"}', b""]
ATTRIBUTES = {"kind": "welcome", "trace.id": "abc-123"}


@pytest.fixture
def gcp(pubsub_emulator_host: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    from providers.gcp import sdk
    from providers.gcp.clients import client_for

    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator_host)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "portable-test")
    sdk.publisher_client.cache_clear()
    with using_clients(client_for), pubsub_v1.SubscriberClient() as subscriber:
        yield subscriber
    sdk.publisher_client.cache_clear()


def pulled_envelope(subscriber: Any, subscription: str) -> dict[str, Any]:
    """The next message of a subscription, acknowledged, in the envelope a push subscription POSTs."""
    (item,) = subscriber.pull(subscription=subscription, max_messages=1, timeout=10).received_messages
    subscriber.acknowledge(subscription=subscription, ack_ids=[item.ack_id])
    return push_envelope(item, subscription)


@pytest.mark.parametrize("body", BODIES, ids=["text", "unicode", "binary", "json", "empty"])
def test_pubsub_publish_reaches_every_subscription_as_published(
    body: bytes,
    gcp: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from google.cloud import pubsub_v1

    from providers.gcp import message_codec

    topic = f"projects/portable-test/topics/orders-{uuid.uuid4().hex[:8]}"
    pubsub_v1.PublisherClient().create_topic(name=topic)
    subscriptions = [f"projects/portable-test/subscriptions/{name}-{uuid.uuid4().hex[:8]}" for name in ("a", "b")]
    for subscription in subscriptions:
        gcp.create_subscription(name=subscription, topic=topic)
    monkeypatch.setenv("PORTABLE_TOPIC_ORDERS", topic.rpartition("/")[2])
    message_id = Topic("orders").publish(body, attributes=ATTRIBUTES)
    for subscription in subscriptions:
        body_json = json.dumps(pulled_envelope(gcp, subscription)).encode()
        trigger = MessageTrigger("orders", "topic", 10, 5)
        message: Message
        (message,) = gcp_events(message_codec, {"Content-Type": "application/json"}, body_json, trigger)
        assert (message.id, message.body, dict(message.attributes), message.attempt) == (
            message_id,
            body,
            ATTRIBUTES,
            1,
        )


def test_pubsub_refuses_a_delay_it_cannot_honour_and_a_missing_topic(gcp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTABLE_QUEUE_JOBS", "no-such-topic")
    with pytest.raises(InvalidValue, match="delay_seconds is not available on GCP"):
        Queue("jobs", delays=True).send(b"later", delay_seconds=5)
    with pytest.raises(NotFound, match="no topic 'no-such-topic'"):
        Queue("jobs").send(b"now")
    assert os.environ["PUBSUB_EMULATOR_HOST"]
