"""Queues and topics on AWS: SQS queues with a redrive policy to a dead-letter queue, and SNS topics with an SQS
queue per subscriber (each function's event source mapping is the message kind's: `message_triggers.py`).

Each consumer reads an SQS queue of its own (a queue's, or the one its topic subscription fills), so every
subscriber gets its own retries and dead letters. The mapping reports partial batch failures, so SQS keeps
only the messages that failed; after `max_attempts` receives the redrive policy moves one to the dead-letter
queue, where it can be inspected and moved back (SQS's dead-letter queue redrive).
"""

from __future__ import annotations

import json
from typing import NamedTuple

import pulumi
import pulumi_aws as aws

from portable.app import App
from portable.message_trigger import DEFAULT_ATTEMPTS, RETENTION_SECONDS, MessageFunction, MessageTrigger
from providers.aws.deploy.dead_letters import RETENTION_SECONDS as DEAD_LETTER_RETENTION_SECONDS

# AWS's advice for a queue a Lambda function reads: a visibility timeout of six times the function's timeout.
VISIBILITY_TIMEOUT_FACTOR = 6


class ConsumerQueue(NamedTuple):
    """The SQS queue a message function reads, and where its messages go after their last attempt."""

    queue: aws.sqs.Queue
    dead_letters: aws.sqs.Queue


class Messaging(NamedTuple):
    queues: dict[str, ConsumerQueue]  # by queue name
    topics: dict[str, aws.sns.Topic]  # by topic name
    consumers: dict[str, ConsumerQueue]  # by function name


def create_messaging(app: App, opts: pulumi.ResourceOptions) -> Messaging:
    """Every queue and topic of the App, and the queue each message function reads."""
    queues = {}
    consumers: dict[str, ConsumerQueue] = {}
    for name in app.queues:
        readers = app.functions_of(MessageTrigger, name)
        queues[name] = _consumer_queue(name, readers[0] if readers else None, opts)
        if readers:
            consumers[readers[0].name] = queues[name]
    topics = {}
    for name in app.topics:
        topic = topics[name] = aws.sns.Topic(name, kms_master_key_id="alias/aws/sns", opts=opts)
        for spec in app.functions_of(MessageTrigger, name):
            consumer = consumers[spec.name] = _consumer_queue(f"{name}-{spec.name}", spec, opts)
            _subscribe(name, spec, topic, consumer.queue)
    return Messaging(queues, topics, consumers)


def _consumer_queue(name: str, reader: MessageFunction | None, opts: pulumi.ResourceOptions) -> ConsumerQueue:
    dead_letters = aws.sqs.Queue(
        f"{name}-dead-letters",
        message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
        sqs_managed_sse_enabled=True,
        opts=opts,
    )
    attempts = reader.trigger.max_attempts if reader else DEFAULT_ATTEMPTS
    timeout = reader.timeout_seconds if reader else 30
    queue = aws.sqs.Queue(
        f"{name}-queue",
        message_retention_seconds=RETENTION_SECONDS,
        sqs_managed_sse_enabled=True,
        visibility_timeout_seconds=VISIBILITY_TIMEOUT_FACTOR * timeout,
        redrive_policy=dead_letters.arn.apply(
            lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": attempts})
        ),
        opts=opts,
    )
    aws.sqs.RedriveAllowPolicy(
        f"{name}-dead-letters-redrive",
        queue_url=dead_letters.url,
        redrive_allow_policy=queue.arn.apply(
            lambda arn: json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn]})
        ),
    )
    return ConsumerQueue(queue, dead_letters)


def _subscribe(topic_name: str, spec: MessageFunction, topic: aws.sns.Topic, queue: aws.sqs.Queue) -> None:
    """SNS delivers every message of the topic to the subscriber's queue, which admits that topic only."""
    label = f"{topic_name}-{spec.name}"
    policy = aws.sqs.QueuePolicy(
        f"{label}-from-topic",
        queue_url=queue.url,
        policy=pulumi.Output.all(queue.arn, topic.arn).apply(lambda arns: json.dumps(topic_may_send(*arns))),
    )
    aws.sns.TopicSubscription(
        label, topic=topic.arn, protocol="sqs", endpoint=queue.arn, opts=pulumi.ResourceOptions(depends_on=[policy])
    )


def topic_may_send(queue_arn: str, topic_arn: str) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TopicSends",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
            }
        ],
    }
