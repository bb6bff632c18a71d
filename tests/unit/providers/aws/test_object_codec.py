"""Every S3 notification in tests/fixtures/aws through the AWS shim (providers/aws/object_codec.py): one call per
record, every field of the portable object event, the trigger's filters and bucket, and both directions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.support.published import published
from tests.support.recording import recording
from tests.support.targets import invoke_aws

KITCHEN = ("kitchen", "tests.apps.conformance.kitchen")
AWS = FIXTURES / "aws"


S3_EXPECTED: dict[str, list[dict[str, Any]]] = {
    "s3/docs-put-example.json": [
        {
            "key": "HappyFace.jpg",
            "kind": "created",
            "size": 1024,
            "etag": "d41d8cd98f00b204e9800998ecf8427e",
            "time": "1970-01-01T00:00:00+00:00",
            "content_type": None,
            "id": "mybucket/HappyFace.jpg@0055AED6DCD90281E5",
        }
    ],
    "s3/put-lambda-docs-capture.json": [
        {
            "key": "b21b84d653bb07b05b1e6b33684dc11b",
            "kind": "created",
            "size": 1305107,
            "etag": "b21b84d653bb07b05b1e6b33684dc11b",
            "time": "2019-09-03T19:37:27.192000+00:00",
            "content_type": None,
            "id": "lambda-artifacts-deafc19498e3f2df/b21b84d653bb07b05b1e6b33684dc11b@0C0F6F405D6ED209E1",
        }
    ],
    "s3/delete.json": [
        {
            "key": "b21b84d653bb07b05b1e6b33684dc11b",
            "kind": "deleted",
            "size": None,
            "etag": None,
            "time": "2019-09-03T19:37:27.192000+00:00",
            "content_type": None,
            "id": "lambda-artifacts-deafc19498e3f2df/b21b84d653bb07b05b1e6b33684dc11b@0C0F6F405D6ED209E1",
        }
    ],
    "s3/put-multiple-records-plus-encoded-key.json": [
        {
            "key": "HappyFace.jpg",
            "kind": "created",
            "size": 1024,
            "id": "sourcebucket/HappyFace.jpg@0A1B2C3D4E5F678901",
        },
        {"key": "New File.jpg", "kind": "created", "size": 1024, "id": "sourcebucket/New+File.jpg@0A1B2C3D4E5F678901"},
    ],
    "s3/put-percent20-encoded-key.json": [
        {
            "key": "Happy Face.jpg",
            "kind": "created",
            "size": 1024,
            "time": "1970-01-01T00:00:00.123000+00:00",
        }
    ],
}


def _deliver_s3(event: dict[str, Any], function: str, tmp_path: Path) -> tuple[Any, list[dict[str, Any]]]:
    physical = event["Records"][0]["s3"]["bucket"]["name"] if "Records" in event else "inbox"
    with recording(tmp_path) as seen:
        reply = invoke_aws(event, function, KITCHEN[1], PORTABLE_BUCKET_INBOX=physical)
    return reply, seen


@pytest.mark.parametrize("relative", sorted(S3_EXPECTED))
def test_s3_notification_is_one_call_per_record(relative: str, tmp_path: Path) -> None:
    event = published("aws", relative)
    function = "record_deleted" if "delete" in relative else "record_created"
    reply, seen = _deliver_s3(event, function, tmp_path)
    assert reply == {"status": 200, "delivered": len(S3_EXPECTED[relative])}
    assert len(seen) == len(S3_EXPECTED[relative])
    for record, expected in zip(seen, S3_EXPECTED[relative], strict=True):
        assert record["bucket"] == "inbox", "the handler sees the logical bucket name"
        for field, value in expected.items():
            assert record[field] == value, field


def test_s3_key_with_utf8_percent_escapes_is_decoded_once(tmp_path: Path) -> None:
    # No published S3 payload has a non-ASCII key (SOURCES.md, gap 1): this one is built from
    # docs-put-example.json the way S3 encodes keys (form encoding of the UTF-8 bytes).
    event = published("aws", "s3/docs-put-example.json")
    event["Records"][0]["s3"]["object"]["key"] = "caf%C3%A9+menu%2B%252F.jpg"
    _, seen = _deliver_s3(event, "record_created", tmp_path)
    assert [record["key"] for record in seen] == ["café menu+%2F.jpg"]


def test_s3_test_event_is_acknowledged_without_calling_the_handler(tmp_path: Path) -> None:
    reply, seen = _deliver_s3(published("aws", "s3/docs-test-event.json"), "record_created", tmp_path)
    assert reply == {"status": 200, "ignored": "s3:TestEvent"}
    assert seen == []


def test_s3_records_outside_the_trigger_are_not_delivered(tmp_path: Path) -> None:
    created = published("aws", "s3/docs-put-example.json")
    reply, seen = _deliver_s3(created, "record_deleted", tmp_path)
    assert reply == {"status": 200, "delivered": 0} and seen == []
    reply, seen = _deliver_s3(created, "on_upload", tmp_path)
    assert reply == {"status": 200, "delivered": 0} and seen == [], "prefix in/ and suffix .txt filter it out"


def test_s3_record_from_another_bucket_is_refused(tmp_path: Path) -> None:
    event = published("aws", "s3/docs-put-example.json")
    with recording(tmp_path) as seen:
        reply = invoke_aws(event, "record_created", KITCHEN[1], PORTABLE_BUCKET_INBOX="some-other-bucket")
    assert reply == {"status": 200, "delivered": 0}
    assert seen == []


def test_failed_record_fails_the_invocation_after_the_others_ran(tmp_path: Path) -> None:
    from portable.errors import EventFailed

    event = published("aws", "s3/put-multiple-records-plus-encoded-key.json")
    event["Records"][0]["s3"]["object"]["key"] = "in/fail.txt"
    event["Records"][1]["s3"]["object"]["key"] = "in/ok.txt"
    with recording(tmp_path) as seen, pytest.raises(EventFailed, match="1 of 2 records failed"):
        invoke_aws(event, "on_upload", KITCHEN[1], PORTABLE_BUCKET_INBOX="sourcebucket")
    assert [record["key"] for record in seen] == ["in/ok.txt"]


def test_s3_notification_encoding_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from portable.object_trigger import ObjectEvent, ObjectTrigger
    from providers.aws import object_codec
    from tests.support.codecs import aws_events, bound

    for kind in ("created", "deleted"):
        sent = ObjectEvent(
            bucket="inbox",
            key="in/Grüße a+b.txt",
            kind=kind,
            id="0055AED6DCD90281E5",
            time=datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
            size=12,
            etag="abc",
        )
        monkeypatch.setenv("PORTABLE_BUCKET_INBOX", "inbox-physical")
        trigger = ObjectTrigger("inbox", kind)
        notification = object_codec.encode(sent, bound(trigger).spec)
        [record] = notification["Records"]
        assert set(record) == set(published("aws", "s3/docs-put-example.json")["Records"][0])
        assert record["s3"]["bucket"]["name"] == "inbox-physical"
        (got,) = aws_events(object_codec, notification, trigger)
        expected_size = (12, "abc") if kind == "created" else (None, None)
        assert got == sent._replace(
            id="inbox-physical/in/Gr%C3%BC%C3%9Fe+a%2Bb.txt@0055AED6DCD90281E5",
            size=expected_size[0],
            etag=expected_size[1],
        )
