"""A queue on SQS and a topic on SNS through boto3: send and publish; and the backoff of a failed message."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from portable import log
from portable.errors import PortableError
from portable.messages import MessagePolicy
from providers.aws.aws_errors import translated
from providers.aws.sdk import client
from providers.aws.sqs_events import message_attributes, queue_url, receipt_of, wire_body


class SqsQueue:
    """`physical` is the queue's URL (what the deploy sets), or its name, looked up once."""

    def __init__(self, logical: str, physical: str) -> None:
        self.logical = logical
        self.physical = physical

    @functools.cached_property
    def url(self) -> str:
        if self.physical.startswith(("https://", "http://")):
            return self.physical
        with translated(self.logical, "finding the queue", f"no queue {self.physical!r}"):
            url: str = client("sqs").get_queue_url(QueueName=self.physical)["QueueUrl"]
        return url

    def send(self, body: bytes, attributes: dict[str, str], delay_seconds: int) -> str:
        text, wire_attributes = wire_body(body, attributes)
        with translated(self.logical, "send", f"no queue {self.physical!r}"):
            reply = client("sqs").send_message(
                QueueUrl=self.url,
                MessageBody=text,
                DelaySeconds=delay_seconds,
                MessageAttributes=message_attributes(wire_attributes),
            )
        message_id: str = reply["MessageId"]
        return message_id


class SnsTopic:
    """`physical` is the topic's ARN."""

    def __init__(self, logical: str, physical: str) -> None:
        self.logical = logical
        self.physical = physical

    def send(self, body: bytes, attributes: dict[str, str], delay_seconds: int) -> str:
        text, wire_attributes = wire_body(body, attributes)
        with translated(self.logical, "publish", f"no topic {self.physical!r}"):
            reply = client("sns").publish(
                TopicArn=self.physical, Message=text, MessageAttributes=message_attributes(wire_attributes)
            )
        message_id: str = reply["MessageId"]
        return message_id


def hold_back(records: Iterable[Any], policy: MessagePolicy) -> None:
    """Make each failed record visible again after the portable backoff for its attempt (SQS's
    ChangeMessageVisibilityBatch), as Pub/Sub's retry policy and the local runner wait.

    A record without a receipt, or a change SQS refuses, is logged: the record still fails, and the queue's
    visibility timeout brings it back instead (nothing is lost).
    """
    by_queue: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        receipt = receipt_of(record)
        if receipt is None:
            continue  # the shim has logged the malformed record; only its queue's visibility timeout applies
        entries = by_queue.setdefault(receipt.queue_arn, [])
        entries.append(
            {
                "Id": str(len(entries)),
                "ReceiptHandle": receipt.receipt_handle,
                "VisibilityTimeout": policy.wait_after_failure(receipt.receive_count),
            }
        )
    for arn, entries in by_queue.items():
        try:
            with translated(arn, "holding failed messages back", f"no queue {arn!r}"):
                sqs = client("sqs")
                reply = sqs.change_message_visibility_batch(
                    QueueUrl=queue_url(arn, sqs.meta.endpoint_url), Entries=entries
                )
        except PortableError as exc:
            log.error(
                "failed messages not held back: the queue's visibility timeout applies",
                queue=arn,
                messages=len(entries),
                error=str(exc),
            )
            continue
        for failure in reply.get("Failed", []):
            log.error(
                "a failed message not held back: the queue's visibility timeout applies",
                queue=arn,
                code=failure.get("Code"),
                error=failure.get("Message"),
            )
