"""Every published SQS, SNS-via-SQS and Pub/Sub payload in tests/fixtures goes through its shim; each field
of the portable message the handler sees is checked, and the same handler sees the same values everywhere."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from portable.messages import Message
from tests.conftest import FIXTURES
from tests.support.recording import recording
from tests.support.targets import MAIN, function_env, invoke_aws

MODULE = "tests.apps.conformance.mail"


def load(relative: str) -> dict[str, Any]:
    return json.loads((FIXTURES / relative).read_text())  # type: ignore[no-any-return]


def b64(text: bytes) -> str:
    return base64.b64encode(text).decode()


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


def _invoke_aws(relative: str, function: str, tmp_path: Path) -> tuple[Any, list[dict[str, Any]]]:
    with recording(tmp_path) as seen:
        reply = invoke_aws(load(f"aws/{relative}"), function, MODULE)
    return reply, seen


def _check(seen: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert len(seen) == len(expected)
    for record, fields in zip(seen, expected, strict=True):
        for field, value in fields.items():
            assert record[field] == value, field


@pytest.mark.parametrize("relative", sorted(SQS_EXPECTED))
def test_sqs_batch_is_one_call_per_record_with_every_field(relative: str, tmp_path: Path) -> None:
    reply, seen = _invoke_aws(relative, "read_letter", tmp_path)
    assert reply == {"batchItemFailures": []}
    _check(seen, SQS_EXPECTED[relative])


def test_sns_envelope_in_sqs_is_unwrapped_for_a_topic_subscriber(tmp_path: Path) -> None:
    reply, seen = _invoke_aws("sqs/sns-envelope-body.json", "read_news", tmp_path)
    assert reply == {"batchItemFailures": []}
    _check(seen, SNS_VIA_SQS_EXPECTED["sqs/sns-envelope-body.json"])


def test_a_body_that_is_not_json_raises_only_when_json_is_called(tmp_path: Path) -> None:
    _, seen = _invoke_aws("sqs/batch-two-records-message-attribute.json", "read_letter", tmp_path)
    assert seen[0]["text"] == "Test message."
    assert seen[0]["json"].startswith("InvalidValue: letters: message 059f36b4-87a3-44ab-83d2-661975830a7d is not JSON")


def test_a_failing_record_fails_alone(tmp_path: Path) -> None:
    event = load("aws/sqs/batch-two-records-message-attribute.json")
    event["Records"][0]["body"] = "poison"
    with recording(tmp_path) as seen:
        reply = invoke_aws(event, "read_letter", MODULE)
    assert reply == {"batchItemFailures": [{"itemIdentifier": "059f36b4-87a3-44ab-83d2-661975830a7d"}]}
    assert [record["id"] for record in seen] == ["2e1424d4-f796-459a-8184-9c92662be6da"]


@pytest.mark.parametrize("breakage", ["no body", "no attributes", "bad receive count", "not a record", "no id"])
def test_a_malformed_record_is_refused_and_kept_without_stopping_the_batch(breakage: str, tmp_path: Path) -> None:
    event = load("aws/sqs/batch-two-records-message-attribute.json")
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
    from providers.aws.sqs_events import Receipt, queue_url, receipt_of

    record = load("aws/sqs/single-record-all-attribute-types-receive-count-2.json")["Records"][0]
    receipt = receipt_of(record)
    assert receipt == Receipt(record["eventSourceARN"], record["receiptHandle"], 2)
    account, name = record["eventSourceARN"].split(":")[4:]
    assert queue_url(receipt.queue_arn, "https://sqs.us-east-1.amazonaws.com") == (
        f"https://sqs.us-east-1.amazonaws.com/{account}/{name}"
    )
    for broken in ({"receiptHandle": ""}, {"eventSourceARN": "my-queue"}, {"attributes": {}}, {"attributes": None}):
        assert receipt_of({**record, **broken}) is None, broken
    assert receipt_of("not a record") is None


def test_a_plain_sqs_body_reaching_a_topic_subscriber_is_refused(tmp_path: Path) -> None:
    reply, seen = _invoke_aws("sqs/batch-two-records-message-attribute.json", "read_news", tmp_path)
    assert len(reply["batchItemFailures"]) == 2 and seen == []


@pytest.mark.parametrize("event", [{}, {"Records": []}, {"Records": [{"eventSource": "aws:s3"}]}, {"hello": 1}])
def test_events_of_another_shape_are_rejected_without_calling_the_handler(event: Any, tmp_path: Path) -> None:
    with recording(tmp_path) as seen:
        reply = invoke_aws(event, "read_letter", MODULE)
    assert reply["status"] == 400 and seen == []


# Pub/Sub -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gcp_clients() -> Iterator[dict[str, Any]]:
    import functions_framework

    built = {}
    for name in ("read_letter", "read_news"):
        with function_env(name, MODULE):
            built[name] = functions_framework.create_app(target=name, source=str(MAIN)).test_client()
    yield built


TEXT_3 = {"body": b64(b"test message 3"), "text": "test message 3", "attributes": {"attr1": "attr1-value"}}
PUBSUB_EXPECTED: dict[str, dict[str, Any]] = {
    "gcp/pubsub/messagePublished-structured.json": {
        **TEXT_3,
        "id": "message-id",
        "attempt": 1,
        "publish_time": "2021-02-05T04:06:14.109000+00:00",
    },
    "gcp/pubsub/messagePublished-structured-conformance.json": {
        **TEXT_3,
        "id": "aaaaaa-1111-bbbb-2222-cccccccccccc",
        "attempt": 1,
        "publish_time": "2020-09-29T11:32:00.123000+00:00",
    },
    "gcp/pubsub/data/MessagePublishedData-text.json": {
        **TEXT_3,
        "id": "message-id",
        "publish_time": "2021-02-05T04:06:14.109000+00:00",
    },
    "gcp/pubsub/data/MessagePublishedData-binary.json": {
        "id": "message-id",
        "body": b64(bytes([1, 2, 3, 4])),
        "attributes": {},
        "publish_time": "2021-02-05T04:06:14.109000+00:00",
    },
    "gcp/pubsub/push/raw-push-body.json": {
        "id": "4102184774039362",
        "body": b64(b"Text message"),
        "text": "Text message",
        "attributes": {"attr1": "value1"},
        "attempt": 1,
        "publish_time": "2022-02-15T11:28:32.942000+00:00",
    },
    "gcp/pubsub/push/emulator-push-body.json": {
        "id": "1",
        "text": "Test message from emulator",
        "attributes": {"attr1": "attr-value1"},
        "attempt": 1,
    },
}


def structured(event: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    return {"Content-Type": "application/cloudevents+json"}, json.dumps(event).encode()


def binary(event: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    headers = {f"ce-{k}": str(v) for k, v in event.items() if k not in ("data", "datacontenttype")}
    return {**headers, "Content-Type": "application/json"}, json.dumps(event["data"]).encode()


def requests_for(relative: str) -> list[tuple[dict[str, str], bytes]]:
    """Each way the payload reaches a function: a CloudEvent in both modes, a data payload in a binary-mode
    CloudEvent (with the attributes Eventarc documents) and as a push body, a push body as it is."""
    payload = load(relative)
    if "/push/" in relative:
        return [({"Content-Type": "application/json"}, json.dumps(payload).encode())]
    if "/data/" in relative:
        event = {
            "specversion": "1.0",
            "type": "google.cloud.pubsub.topic.v1.messagePublished",
            "source": "//pubsub.googleapis.com/projects/my-project/topics/letters",
            "id": "event-id",
            "time": "2021-02-05T04:06:14.109Z",
            "datacontenttype": "application/json",
            "data": payload,
        }
        return [binary(event), ({"Content-Type": "application/json"}, json.dumps(payload).encode())]
    return [structured(payload), binary(payload)]


@pytest.mark.parametrize("relative", sorted(PUBSUB_EXPECTED))
def test_pubsub_delivery_becomes_the_portable_message(
    relative: str,
    gcp_clients: dict[str, Any],
    tmp_path: Path,
) -> None:
    for headers, body in requests_for(relative):
        with recording(tmp_path) as seen:
            response = gcp_clients["read_letter"].post("/", headers=headers, data=body)
        assert response.status_code == 204, response.get_data(as_text=True)
        _check(seen, [{**PUBSUB_EXPECTED[relative], "source": "letters"}])


def test_the_delivery_attempt_of_a_push_is_the_message_attempt(gcp_clients: dict[str, Any], tmp_path: Path) -> None:
    payload = {**load("gcp/pubsub/push/raw-push-body.json"), "deliveryAttempt": 4}
    with recording(tmp_path) as seen:
        gcp_clients["read_letter"].post("/", json=payload)
    assert seen[0]["attempt"] == 4


def test_a_push_without_a_message_id_is_refused_as_a_caller_fault(gcp_clients: dict[str, Any], tmp_path: Path) -> None:
    with recording(tmp_path) as seen:
        response = gcp_clients["read_letter"].post("/", json=load("gcp/pubsub/push/minimal-data-only.json"))
    assert response.status_code == 400 and "no messageId" in response.get_json()["error"] and seen == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"message": 1}',
        b'{"message": {"data": "%%%"}}',
        b'{"message": {"messageId": "1", "attributes": {"a": 1}}}',
        b'{"message": {"messageId": "1"}, "deliveryAttempt": "two"}',
        b'{"message": {"messageId": "1", "publishTime": "yesterday"}}',
    ],
)
def test_malformed_pubsub_envelopes_are_400s(body: bytes, gcp_clients: dict[str, Any], tmp_path: Path) -> None:
    with recording(tmp_path) as seen:
        response = gcp_clients["read_letter"].post("/", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["request_id"] and seen == []


def test_a_cloudevent_of_another_type_is_refused(gcp_clients: dict[str, Any]) -> None:
    event = {**load("gcp/pubsub/messagePublished-structured.json"), "type": "google.cloud.storage.object.v1.finalized"}
    headers, body = structured(event)
    assert gcp_clients["read_letter"].post("/", headers=headers, data=body).status_code == 400


def test_a_failing_message_is_a_500_so_that_pubsub_delivers_it_again(gcp_clients: dict[str, Any]) -> None:
    payload = load("gcp/pubsub/push/raw-push-body.json")
    payload["message"]["data"] = b64(b"poison")
    response = gcp_clients["read_letter"].post("/", json=payload)
    assert response.status_code == 500 and "secret" not in response.get_data(as_text=True)


# Both directions ---------------------------------------------------------------------------------------

ROUND_TRIP = [
    Message(
        "id-1", b"plain text", {"kind": "welcome"}, 3, datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), "letters"
    ),
    Message("id-2", bytes(range(256)), {}, 1, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "news"),
]


@pytest.mark.parametrize("message", ROUND_TRIP, ids=["text", "binary"])
def test_every_encoder_round_trips_through_its_shim(
    message: Message, gcp_clients: dict[str, Any], tmp_path: Path
) -> None:
    from portable.app import MessageTrigger
    from providers.aws import sqs_events
    from providers.gcp import pubsub_events

    trigger = MessageTrigger(message.source, "queue" if message.source == "letters" else "topic", 10, 5)
    function = "read_letter" if trigger.kind == "queue" else "read_news"
    expected = {
        "id": message.id,
        "body": b64(message.body),
        "attributes": dict(message.attributes),
        "attempt": message.attempt,
        "publish_time": message.publish_time.isoformat(),
        "source": message.source,
    }
    with recording(tmp_path) as seen:
        invoke_aws(
            sqs_events.encode(
                message, trigger, "arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:sns:us-east-1:123456789012:news"
            ),
            function,
            MODULE,
        )
        headers, body = pubsub_events.encode(message, "projects/p/subscriptions/s")
        gcp_clients[function].post("/", headers=headers, data=body)
    _check(seen, [expected, expected])
