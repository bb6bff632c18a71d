"""SNS's envelope in a subscribed SQS queue (providers/aws/sns_messages.py): unwrapped for a topic subscriber, and a
plain SQS body refused there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES
from tests.support.recording import recording
from tests.support.targets import invoke_aws

MODULE = "tests.apps.conformance.mail"


def load(relative: str) -> dict[str, Any]:
    return json.loads((FIXTURES / relative).read_text())  # type: ignore[no-any-return]


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


def test_sns_envelope_in_sqs_is_unwrapped_for_a_topic_subscriber(tmp_path: Path) -> None:
    reply, seen = _invoke_aws("sqs/sns-envelope-body.json", "read_news", tmp_path)
    assert reply == {"batchItemFailures": []}
    _check(seen, SNS_VIA_SQS_EXPECTED["sqs/sns-envelope-body.json"])


def test_a_plain_sqs_body_reaching_a_topic_subscriber_is_refused(tmp_path: Path) -> None:
    reply, seen = _invoke_aws("sqs/batch-two-records-message-attribute.json", "read_news", tmp_path)
    assert len(reply["batchItemFailures"]) == 2 and seen == []
