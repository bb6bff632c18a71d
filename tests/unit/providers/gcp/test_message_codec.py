"""Every published Pub/Sub payload in tests/fixtures/gcp through the GCP shim (providers/gcp/message_codec.py): push
and Eventarc's messagePublished, every field of the portable message, and the caller's faults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.published import published
from tests.support.recording import assert_recorded, recording
from tests.support.targets import b64, gcp_test_clients

MODULE = "tests.apps.conformance.mail"


@pytest.fixture(scope="module")
def gcp_clients() -> dict[str, Any]:
    return gcp_test_clients(("read_letter", "read_news"), MODULE)


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
    payload = published(relative)
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
        assert_recorded(seen, [{**PUBSUB_EXPECTED[relative], "source": "letters"}])


def test_the_delivery_attempt_of_a_push_is_the_message_attempt(gcp_clients: dict[str, Any], tmp_path: Path) -> None:
    payload = {**published("gcp/pubsub/push/raw-push-body.json"), "deliveryAttempt": 4}
    with recording(tmp_path) as seen:
        gcp_clients["read_letter"].post("/", json=payload)
    assert seen[0]["attempt"] == 4


def test_a_push_without_a_message_id_is_refused_as_a_caller_fault(gcp_clients: dict[str, Any], tmp_path: Path) -> None:
    with recording(tmp_path) as seen:
        response = gcp_clients["read_letter"].post("/", json=published("gcp/pubsub/push/minimal-data-only.json"))
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
    event = {
        **published("gcp/pubsub/messagePublished-structured.json"),
        "type": "google.cloud.storage.object.v1.finalized",
    }
    headers, body = structured(event)
    assert gcp_clients["read_letter"].post("/", headers=headers, data=body).status_code == 400


def test_a_failing_message_is_a_500_so_that_pubsub_delivers_it_again(gcp_clients: dict[str, Any]) -> None:
    payload = published("gcp/pubsub/push/raw-push-body.json")
    payload["message"]["data"] = b64(b"poison")
    response = gcp_clients["read_letter"].post("/", json=payload)
    assert response.status_code == 500 and "secret" not in response.get_data(as_text=True)
