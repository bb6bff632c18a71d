"""What the clouds make of a message waiting in a backend, before it reaches a function: Lambda's SQS record
(from a message received from SQS), Pub/Sub's push envelope (from a message pulled from a subscription)."""

from __future__ import annotations

import base64
from typing import Any


def lambda_records(sqs: Any, url: str, arn: str, wait_seconds: int = 1) -> list[dict[str, Any]]:
    """The records Lambda's event source mapping makes of up to 10 messages received from the queue."""
    received = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        WaitTimeSeconds=wait_seconds,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    ).get("Messages", [])
    return [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m["Attributes"],
            "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": arn,
            "awsRegion": "us-east-1",
            "messageAttributes": {
                name: {
                    "stringValue": value["StringValue"],
                    "dataType": value["DataType"],
                    "stringListValues": [],
                    "binaryListValues": [],
                }
                for name, value in m.get("MessageAttributes", {}).items()
            },
        }
        for m in received
    ]


def push_envelope(received: Any, subscription: str) -> dict[str, Any]:
    """The body a push subscription POSTs for one pulled message (with its delivery attempt)."""
    pubsub = received.message
    return {
        "subscription": subscription,
        "deliveryAttempt": received.delivery_attempt or 1,
        "message": {
            "data": base64.b64encode(pubsub.data).decode(),
            "attributes": dict(pubsub.attributes),
            "messageId": pubsub.message_id,
            "publishTime": pubsub.publish_time.isoformat().replace("+00:00", "Z"),
        },
    }
