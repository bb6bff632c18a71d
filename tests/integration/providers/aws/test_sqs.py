"""The queue and topic clients (providers/aws/sqs.py) against moto's server for SQS and SNS.

What a client sends is received from the backend as Lambda's event source mapping would hand it to the function (an
SQS record) and decoded by the shim's codec: the handler would see exactly the body, attributes and id that
were sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from portable.context import using_clients
from portable.errors import NotFound
from portable.message_trigger import MessageTrigger
from portable.messaging import Queue, Topic
from tests.backends.message_wire import lambda_records
from tests.support.codecs import aws_events

pytestmark = pytest.mark.slow

BODIES = [b"plain text", "h\u00e9llo \U0001f600".encode(), bytes(range(256)), b'{"name": "Ada"}', b""]
ATTRIBUTES = {"kind": "welcome", "trace.id": "abc-123"}


@pytest.fixture
def aws(moto_sdk: Any) -> Iterator[Any]:
    from providers.aws.clients import client_for

    with using_clients(client_for):
        yield moto_sdk


def new_queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=f"{name}-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


@pytest.mark.parametrize("body", BODIES, ids=["text", "unicode", "binary", "json", "empty"])
def test_sqs_send_arrives_as_sent(body: bytes, aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from providers.aws import message_codec

    url, arn = new_queue(aws("sqs"), "jobs")
    monkeypatch.setenv("PORTABLE_QUEUE_JOBS", url)
    message_id = Queue("jobs").send(body, attributes=ATTRIBUTES)
    (record,) = lambda_records(aws("sqs"), url, arn)
    (message,) = aws_events(message_codec, {"Records": [record]}, MessageTrigger("jobs", "queue", 10, 5))
    assert (message.id, message.body, dict(message.attributes), message.attempt, message.source) == (
        message_id,
        body,
        ATTRIBUTES,
        1,
        "jobs",
    )


def test_sqs_delay_holds_the_message_back(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    url, arn = new_queue(aws("sqs"), "jobs")
    monkeypatch.setenv("PORTABLE_QUEUE_JOBS", url)
    Queue("jobs", delays=True).send(b"later", delay_seconds=60)
    assert lambda_records(aws("sqs"), url, arn) == []


def test_sqs_queue_found_by_name_and_missing_queue_is_not_found(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = new_queue(aws("sqs"), "jobs")
    monkeypatch.setenv("PORTABLE_QUEUE_JOBS", url.rpartition("/")[2])
    assert Queue("jobs").send(b"by name")
    monkeypatch.setenv("PORTABLE_QUEUE_JOBS", "missing-queue")
    with pytest.raises(NotFound, match="no queue 'missing-queue'"):
        Queue("jobs").send(b"lost?")


@pytest.mark.parametrize("body", BODIES, ids=["text", "unicode", "binary", "json", "empty"])
def test_sns_publish_reaches_each_subscriber_queue_as_published(
    body: bytes,
    aws: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from providers.aws import message_codec

    topic_arn = aws("sns").create_topic(Name=f"orders-{uuid.uuid4().hex[:8]}")["TopicArn"]
    queues = [new_queue(aws("sqs"), name) for name in ("bill", "email")]
    for _, arn in queues:
        aws("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    monkeypatch.setenv("PORTABLE_TOPIC_ORDERS", topic_arn)
    message_id = Topic("orders").publish(body, attributes=ATTRIBUTES)
    for url, arn in queues:
        (record,) = lambda_records(aws("sqs"), url, arn)
        (message,) = aws_events(message_codec, {"Records": [record]}, MessageTrigger("orders", "topic", 10, 5))
        assert (message.id, message.body, dict(message.attributes), message.source) == (
            message_id,
            body,
            ATTRIBUTES,
            "orders",
        ), "every subscriber gets the same message, with the same id"
