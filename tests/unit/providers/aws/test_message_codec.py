"""Every published SQS payload in tests/fixtures/aws through the AWS shim (providers/aws/message_codec.py): one call
per record with every field of the portable message, a topic's message in SNS's envelope, and the partial batch reply
naming what failed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.published import published
from tests.support.recording import assert_recorded, recording
from tests.support.targets import b64, invoke_aws

MODULE = "tests.apps.conformance.mail"


SQS_EXPECTED: dict[str, list[dict[str, Any]]] = {
    "sqs/batch-two-records-message-attribute.json": [
        {
            "id": "059f36b4-87a3-44ab-83d2-661975830a7d",
            "body": b64(b"Test message."),
            "text": "Test message.",
            "attributes": {"testAttr": "100"},
            "attempt": 1,
            "publish_time": "2018-12-17T21:37:29.183000+00:00",
            "source": "letters",
        },
        {
            "id": "2e1424d4-f796-459a-8184-9c92662be6da",
            "body": b64(b'{"message": "foo1"}'),
            "json": {"message": "foo1"},
            "attributes": {},
            "attempt": 1,
            "publish_time": "2018-12-17T21:37:30.636000+00:00",
            "source": "letters",
        },
    ],
    "sqs/single-record-all-attribute-types-receive-count-2.json": [
        {
            "id": "MessageID_1",
            "body": b64(b"Message Body"),
            "text": "Message Body",
            "attempt": 2,
            "attributes": {"Attribute1": "AttributeValue1", "Attribute2": "123", "Attribute3": "MTEwMA=="},
            "publish_time": "2018-03-09T18:53:45.029000+00:00",
            "source": "letters",
        },
    ],
}


def _invoke_aws(relative: str, function: str, tmp_path: Path) -> tuple[Any, list[dict[str, Any]]]:
    with recording(tmp_path) as seen:
        reply = invoke_aws(published(f"aws/{relative}"), function, MODULE)
    return reply, seen


@pytest.mark.parametrize("relative", sorted(SQS_EXPECTED))
def test_sqs_batch_is_one_call_per_record_with_every_field(relative: str, tmp_path: Path) -> None:
    reply, seen = _invoke_aws(relative, "read_letter", tmp_path)
    assert reply == {"batchItemFailures": []}
    assert_recorded(seen, SQS_EXPECTED[relative])


def test_a_body_that_is_not_json_raises_only_when_json_is_called(tmp_path: Path) -> None:
    _, seen = _invoke_aws("sqs/batch-two-records-message-attribute.json", "read_letter", tmp_path)
    assert seen[0]["text"] == "Test message."
    assert seen[0]["json"].startswith("InvalidValue: letters: message 059f36b4-87a3-44ab-83d2-661975830a7d is not JSON")


def test_a_failing_record_fails_alone(tmp_path: Path) -> None:
    event = published("aws/sqs/batch-two-records-message-attribute.json")
    event["Records"][0]["body"] = "poison"
    with recording(tmp_path) as seen:
        reply = invoke_aws(event, "read_letter", MODULE)
    assert reply == {"batchItemFailures": [{"itemIdentifier": "059f36b4-87a3-44ab-83d2-661975830a7d"}]}
    assert [record["id"] for record in seen] == ["2e1424d4-f796-459a-8184-9c92662be6da"]


@pytest.mark.parametrize("breakage", ["no body", "no attributes", "bad receive count", "not a record", "no id"])
def test_a_malformed_record_is_refused_and_kept_without_stopping_the_batch(breakage: str, tmp_path: Path) -> None:
    event = published("aws/sqs/batch-two-records-message-attribute.json")
    record = event["Records"][0]
    if breakage == "no body":
        del record["body"]
    elif breakage == "no attributes":
        del record["attributes"]
    elif breakage == "bad receive count":
        record["attributes"]["ApproximateReceiveCount"] = "many"
    elif breakage == "no id":
        del record["messageId"]
    else:
        event["Records"][0] = ["not", "a", "record"]
    with recording(tmp_path) as seen:
        reply = invoke_aws(event, "read_letter", MODULE)
    # An itemIdentifier SQS does not know fails the whole batch: SQS keeps every record, nothing is lost.
    failed = "" if breakage in ("no id", "not a record") else "059f36b4-87a3-44ab-83d2-661975830a7d"
    assert reply == {"batchItemFailures": [{"itemIdentifier": failed}]}
    assert [record["id"] for record in seen] == ["2e1424d4-f796-459a-8184-9c92662be6da"]


def test_a_failed_record_names_where_sqs_holds_it() -> None:
    from providers.aws.message_codec import Receipt, queue_url, receipt_of

    record = published("aws/sqs/single-record-all-attribute-types-receive-count-2.json")["Records"][0]
    receipt = receipt_of(record)
    assert receipt == Receipt(record["eventSourceARN"], record["receiptHandle"], 2)
    account, name = record["eventSourceARN"].split(":")[4:]
    assert queue_url(receipt.queue_arn, "https://sqs.us-east-1.amazonaws.com") == (
        f"https://sqs.us-east-1.amazonaws.com/{account}/{name}"
    )
    for broken in ({"receiptHandle": ""}, {"eventSourceARN": "my-queue"}, {"attributes": {}}, {"attributes": None}):
        assert receipt_of({**record, **broken}) is None, broken
    assert receipt_of("not a record") is None


@pytest.mark.parametrize("event", [{}, {"Records": []}, {"Records": [{"eventSource": "aws:s3"}]}, {"hello": 1}])
def test_events_of_another_shape_are_rejected_without_calling_the_handler(event: Any, tmp_path: Path) -> None:
    with recording(tmp_path) as seen:
        reply = invoke_aws(event, "read_letter", MODULE)
    assert reply["status"] == 400 and seen == []


# SNS's envelope, inside an SQS record ---------------------------------------------------------------------------


SNS_VIA_SQS_EXPECTED: dict[str, list[dict[str, Any]]] = {
    "sqs/sns-envelope-body.json": [
        {
            "id": "d88d4479-6ec0-54fe-b63f-1cf9df4bb16e",
            "json": {"message": "hello world", "username": "lessa"},
            "attributes": {},
            "attempt": 1,
            "publish_time": "2021-01-19T10:07:07.287000+00:00",
            "source": "news",
        },
    ],
}


def test_sns_envelope_in_sqs_is_unwrapped_for_a_topic_subscriber(tmp_path: Path) -> None:
    reply, seen = _invoke_aws("sqs/sns-envelope-body.json", "read_news", tmp_path)
    assert reply == {"batchItemFailures": []}
    assert_recorded(seen, SNS_VIA_SQS_EXPECTED["sqs/sns-envelope-body.json"])


def test_a_plain_sqs_body_reaching_a_topic_subscriber_is_refused(tmp_path: Path) -> None:
    reply, seen = _invoke_aws("sqs/batch-two-records-message-attribute.json", "read_news", tmp_path)
    assert len(reply["batchItemFailures"]) == 2 and seen == []


def test_a_topic_subscriber_s_record_is_named_by_its_sqs_id_and_its_message_by_the_sns_id() -> None:
    """The partial batch reply names SQS's record (the only id SQS knows); the handler sees the published message's
    id, the same for every subscriber."""
    from providers.aws import message_codec
    from providers.aws.runtime import Entry, bind

    event = published("aws/sqs/sns-envelope-body.json")
    entry = bind("read_news", MODULE, provider="local")
    assert isinstance(entry, Entry)
    ((record_id, message),) = message_codec.decode(event, entry.bound, None)
    assert record_id == event["Records"][0]["messageId"] == "79406a00-bf15-46ca-978c-22c3613fcb30"
    assert message.id == json.loads(event["Records"][0]["body"])["MessageId"] == "d88d4479-6ec0-54fe-b63f-1cf9df4bb16e"
