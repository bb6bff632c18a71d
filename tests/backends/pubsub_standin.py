"""A Pub/Sub server on loopback speaking the real google.pubsub.v1 gRPC protocol, for the subset the tests use.

Requests and replies are the protobuf messages of google-cloud-pubsub, so the client library talks to it through
PUBSUB_EMULATOR_HOST exactly as it talks to Google's emulator. It keeps topics and subscriptions in memory and
implements CreateTopic, GetTopic, Publish, CreateSubscription, Pull, Acknowledge and ModifyAckDeadline: fan-out to
every subscription of a topic, ack deadlines (a message not acknowledged in time is delivered again, at once after
a deadline of 0), delivery attempts, and dead-lettering after a subscription's max_delivery_attempts. Every other
method answers UNIMPLEMENTED (grpcio does so for methods no handler names).
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import grpc
from google.protobuf import empty_pb2
from google.pubsub_v1.types import pubsub as types

Handler = Callable[[Any, grpc.ServicerContext], Any]

# The service's defaults and limits (cloud.google.com/pubsub/quotas, and the Subscription fields' documentation).
DEFAULT_ACK_DEADLINE, MAX_ACK_DEADLINE = 10, 600
DEFAULT_DELIVERY_ATTEMPTS, DELIVERY_ATTEMPTS = 5, range(5, 101)
MAX_REQUEST_BYTES = 10 * 1024 * 1024
# The stand-in's own bounds: what it holds in memory, and how long an empty Pull waits for a message.
MAX_RETAINED_BYTES = 256 * 1024 * 1024
MAX_RESOURCES = 10_000
MAX_PULL_WAIT = 10.0
# Google's emulator answers an empty Pull about a second before the caller's deadline, not with DEADLINE_EXCEEDED.
PULL_DEADLINE_MARGIN = 1.0

RESOURCE_ID = r"(?!goog)[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}"
TOPIC_NAME = re.compile(rf"projects/[^/]+/topics/{RESOURCE_ID}")
SUBSCRIPTION_NAME = re.compile(rf"projects/(?P<project>[^/]+)/subscriptions/(?P<id>{RESOURCE_ID})")
ACK_ID = re.compile(r".+:\d+")


class Refused(Exception):
    """An RPC's error status, as the service would answer it."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(details)
        self.code, self.details = code, details


@dataclass
class Delivery:
    """One message waiting in, or leased from, one subscription."""

    message: Any  # a PubsubMessage protobuf
    attempts: int = 0
    deadline: float = 0.0

    @property
    def size(self) -> int:
        return int(self.message.ByteSize())


@dataclass
class Subscription:
    config: Any  # the Subscription protobuf, with the service's defaults filled in
    ready: deque[Delivery] = field(default_factory=deque)
    leased: dict[str, Delivery] = field(default_factory=dict)  # by ack id

    @property
    def max_attempts(self) -> int | None:
        policy = self.config.dead_letter_policy
        return int(policy.max_delivery_attempts) if policy.dead_letter_topic else None


class PubSub:
    """The topics, subscriptions and messages; every method holds one lock, so concurrent RPCs are safe."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.topics: dict[str, Any] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.numbers = itertools.count(1)
        self.retained_bytes = 0

    def create_topic(self, topic: Any) -> Any:
        valid_name(topic.name, TOPIC_NAME, "topics")
        with self.changed:
            if topic.name in self.topics:
                raise Refused(grpc.StatusCode.ALREADY_EXISTS, "Topic already exists")
            if len(self.topics) >= MAX_RESOURCES:
                raise Refused(grpc.StatusCode.RESOURCE_EXHAUSTED, "Too many topics")
            self.topics[topic.name] = topic
            return topic

    def get_topic(self, request: Any) -> Any:
        with self.changed:
            return self.topic(request.topic)

    def publish(self, request: Any) -> Any:
        with self.changed:
            self.topic(request.topic)
            if any(not message.data and not message.attributes for message in request.messages):
                raise Refused(grpc.StatusCode.INVALID_ARGUMENT, "Some messages are empty")
            ids = [self.fan_out(request.topic, message) for message in request.messages]
        return types.PublishResponse.pb()(message_ids=ids)

    def create_subscription(self, config: Any) -> Any:
        valid_name(config.name, SUBSCRIPTION_NAME, "subscriptions")
        with self.changed:
            if config.name in self.subscriptions:
                raise Refused(grpc.StatusCode.ALREADY_EXISTS, "Subscription already exists")
            if config.topic not in self.topics:
                raise Refused(grpc.StatusCode.NOT_FOUND, "Subscription topic does not exist")
            if len(self.subscriptions) >= MAX_RESOURCES:
                raise Refused(grpc.StatusCode.RESOURCE_EXHAUSTED, "Too many subscriptions")
            config.ack_deadline_seconds = config.ack_deadline_seconds or DEFAULT_ACK_DEADLINE
            if not DEFAULT_ACK_DEADLINE <= config.ack_deadline_seconds <= MAX_ACK_DEADLINE:
                raise Refused(grpc.StatusCode.INVALID_ARGUMENT, "Invalid ack_deadline_seconds")
            policy = config.dead_letter_policy
            if config.HasField("dead_letter_policy"):
                policy.max_delivery_attempts = policy.max_delivery_attempts or DEFAULT_DELIVERY_ATTEMPTS
                if policy.max_delivery_attempts not in DELIVERY_ATTEMPTS:
                    raise Refused(grpc.StatusCode.INVALID_ARGUMENT, "Invalid max_delivery_attempts")
                self.topic(policy.dead_letter_topic)
            self.subscriptions[config.name] = Subscription(config)
            return config

    def pull(self, request: Any, wait: float) -> Any:
        if request.max_messages <= 0:
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT, "max_messages must be positive")
        until = time.monotonic() + (0 if request.return_immediately else wait)
        with self.changed:
            while True:
                self.expire_leases()
                subscription = self.subscription(request.subscription)
                received = [
                    self.lease(request.subscription, subscription)
                    for _ in range(min(request.max_messages, len(subscription.ready)))
                ]
                now = time.monotonic()
                if received or now >= until:
                    return types.PullResponse.pb()(received_messages=received)
                self.changed.wait(min(until, self.next_expiry()) - now)

    def acknowledge(self, request: Any) -> Any:
        with self.changed:
            subscription = self.leases_of(request.subscription, request.ack_ids)
            for ack_id in request.ack_ids:
                delivery = subscription.leased.pop(ack_id, None)
                if delivery is not None:
                    self.retained_bytes -= delivery.size
        return empty_pb2.Empty()

    def modify_ack_deadline(self, request: Any) -> Any:
        if not 0 <= request.ack_deadline_seconds <= MAX_ACK_DEADLINE:
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT, "Invalid ack_deadline_seconds")
        with self.changed:
            subscription = self.leases_of(request.subscription, request.ack_ids)
            for ack_id in request.ack_ids:
                if ack_id in subscription.leased:
                    subscription.leased[ack_id].deadline = time.monotonic() + request.ack_deadline_seconds
            self.expire_leases()
        return empty_pb2.Empty()

    # Under the lock -------------------------------------------------------------------------------------------

    def topic(self, name: str) -> Any:
        valid_name(name, TOPIC_NAME, "topics")
        if name not in self.topics:
            raise Refused(grpc.StatusCode.NOT_FOUND, "Topic not found")
        return self.topics[name]

    def subscription(self, name: str) -> Subscription:
        valid_name(name, SUBSCRIPTION_NAME, "subscriptions")
        if name not in self.subscriptions:
            raise Refused(grpc.StatusCode.NOT_FOUND, "Subscription does not exist")
        return self.subscriptions[name]

    def leases_of(self, name: str, ack_ids: Any) -> Subscription:
        subscription = self.subscription(name)
        for ack_id in ack_ids:
            if not ACK_ID.fullmatch(ack_id):
                raise Refused(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid ack id (ack_id={ack_id})")
        return subscription

    def fan_out(self, topic: str, published: Any) -> str:
        """Give `published` its id and publish time, and a copy of it to every subscription of `topic`."""
        message = types.PubsubMessage.pb()()
        message.CopyFrom(published)
        message.message_id = str(next(self.numbers))
        message.publish_time.FromDatetime(datetime.now(UTC))
        targets = [s for s in self.subscriptions.values() if s.config.topic == topic]
        if self.retained_bytes + message.ByteSize() * len(targets) > MAX_RETAINED_BYTES:
            raise Refused(grpc.StatusCode.RESOURCE_EXHAUSTED, "The stand-in holds too many unacknowledged bytes")
        for subscription in targets:
            subscription.ready.append(Delivery(message))
            self.retained_bytes += message.ByteSize()
        self.changed.notify_all()
        return str(message.message_id)

    def lease(self, name: str, subscription: Subscription) -> Any:
        delivery = subscription.ready.popleft()
        delivery.attempts += 1
        delivery.deadline = time.monotonic() + subscription.config.ack_deadline_seconds
        ack_id = f"{name}:{next(self.numbers)}"
        subscription.leased[ack_id] = delivery
        counted = delivery.attempts if subscription.max_attempts else 0
        return types.ReceivedMessage.pb()(ack_id=ack_id, message=delivery.message, delivery_attempt=counted)

    def expire_leases(self) -> None:
        """Deliver again what was not acknowledged in time, or dead-letter it once it used its attempts."""
        now = time.monotonic()
        for subscription in self.subscriptions.values():
            for ack_id, delivery in list(subscription.leased.items()):
                if delivery.deadline > now:
                    continue
                del subscription.leased[ack_id]
                if subscription.max_attempts and delivery.attempts >= subscription.max_attempts:
                    self.dead_letter(subscription, delivery)
                else:
                    subscription.ready.appendleft(delivery)
                    self.changed.notify_all()

    def dead_letter(self, subscription: Subscription, delivery: Delivery) -> None:
        """Republish to the dead-letter topic with the attributes Pub/Sub adds (a new message, with a new id)."""
        self.retained_bytes -= delivery.size
        source = SUBSCRIPTION_NAME.fullmatch(subscription.config.name)
        assert source is not None
        forwarded = types.PubsubMessage.pb()(
            data=delivery.message.data,
            attributes={
                **delivery.message.attributes,
                "CloudPubSubDeadLetterSourceDeliveryCount": str(delivery.attempts),
                "CloudPubSubDeadLetterSourceSubscription": source["id"],
                "CloudPubSubDeadLetterSourceSubscriptionProject": source["project"],
                "CloudPubSubDeadLetterSourceTopicPublishTime": delivery.message.publish_time.ToDatetime(UTC)
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"),
            },
        )
        self.fan_out(subscription.config.dead_letter_policy.dead_letter_topic, forwarded)

    def next_expiry(self) -> float:
        deadlines = [d.deadline for s in self.subscriptions.values() for d in s.leased.values()]
        return min(deadlines, default=float("inf"))


def valid_name(name: str, pattern: re.Pattern[str], collection: str) -> None:
    if not pattern.fullmatch(name):
        raise Refused(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid [{collection}] name: (name={name})")


def pull_wait(context: grpc.ServicerContext) -> float:
    remaining = context.time_remaining()
    return MAX_PULL_WAIT if remaining is None else max(0.0, min(MAX_PULL_WAIT, remaining - PULL_DEADLINE_MARGIN))


def rpc(request_type: Any, handle: Handler) -> grpc.RpcMethodHandler:
    """A unary method taking `request_type`'s protobuf; a Refused becomes the RPC's status."""

    def call(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return handle(request, context)
        except Refused as refused:
            context.abort(refused.code, refused.details)

    return grpc.unary_unary_rpc_method_handler(
        call,
        request_deserializer=request_type.pb().FromString,
        response_serializer=lambda reply: reply.SerializeToString(),
    )


def handlers(state: PubSub) -> list[grpc.GenericRpcHandler]:
    return [
        grpc.method_handlers_generic_handler(
            "google.pubsub.v1.Publisher",
            {
                "CreateTopic": rpc(types.Topic, lambda request, _: state.create_topic(request)),
                "GetTopic": rpc(types.GetTopicRequest, lambda request, _: state.get_topic(request)),
                "Publish": rpc(types.PublishRequest, lambda request, _: state.publish(request)),
            },
        ),
        grpc.method_handlers_generic_handler(
            "google.pubsub.v1.Subscriber",
            {
                "CreateSubscription": rpc(types.Subscription, lambda request, _: state.create_subscription(request)),
                "Pull": rpc(types.PullRequest, lambda request, context: state.pull(request, pull_wait(context))),
                "Acknowledge": rpc(types.AcknowledgeRequest, lambda request, _: state.acknowledge(request)),
                "ModifyAckDeadline": rpc(
                    types.ModifyAckDeadlineRequest, lambda request, _: state.modify_ack_deadline(request)
                ),
            },
        ),
    ]


@contextmanager
def serving(workers: int = 16) -> Iterator[str]:
    """Serve a fresh, empty Pub/Sub on a free loopback port; yields its host:port (PUBSUB_EMULATOR_HOST)."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pubsub-standin"),
        handlers=handlers(PubSub()),
        maximum_concurrent_rpcs=4 * workers,
        options=[("grpc.max_receive_message_length", MAX_REQUEST_BYTES + 64 * 1024)],
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(grace=1).wait()
