"""A queue on SQS and a topic on SNS through boto3: send and publish."""

from __future__ import annotations

import functools

from providers.aws.aws_errors import translated
from providers.aws.message_codec import message_attributes, wire_body
from providers.aws.sdk import client


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
