"""The upload and report pipelines through the Lambda handler, against S3 and DynamoDB on moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

import pytest

from portable.app import ResourceSpec
from tests.backends.fixtures import Backend, point_environment, provider_clients
from tests.backends.pipeline_kit import NOT_AN_IMAGE, assert_report, assert_thumbnail, photo, report_due_after
from tests.conftest import aws_handler

pytestmark = pytest.mark.slow
RESOURCES = {"uploads": "bucket", "thumbnails": "bucket", "reports": "bucket", "greetings": "table", "greeted": "topic"}


@pytest.fixture
def aws(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    point_environment("aws", request, monkeypatch)
    backend = Backend("aws", provider_clients("aws"), monkeypatch)
    for name, kind in RESOURCES.items():
        backend.provision(ResourceSpec(kind, name))  # type: ignore[arg-type]
    yield backend


def invoke(monkeypatch: pytest.MonkeyPatch, function: str, module: str, event: dict[str, Any]) -> Any:
    """Call the Lambda handler as a fresh Lambda of `function` would be called."""
    monkeypatch.setenv("PORTABLE_FUNCTION", function)
    monkeypatch.setenv("PORTABLE_MODULE", module)
    return aws_handler(event)


def s3_put_record(bucket: str, key: str, size: int) -> dict[str, Any]:
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "eventName": "ObjectCreated:Put",
        "s3": {
            "s3SchemaVersion": "1.0",
            "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": quote_plus(key), "size": size, "eTag": "0", "sequencer": "0062E99A88DC407460"},
        },
    }


def test_an_s3_upload_gets_a_thumbnail(aws: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    from providers.aws.sdk import client

    s3 = client("s3")
    image = photo(300, 600)
    uploads, thumbnails = aws.created["uploads"], aws.created["thumbnails"]
    s3.put_object(Bucket=uploads, Key="my photos/tall.jpg", Body=image)
    s3.put_object(Bucket=uploads, Key="fake.jpg", Body=NOT_AN_IMAGE)
    event = {
        "Records": [
            s3_put_record(uploads, "my photos/tall.jpg", len(image)),
            s3_put_record(uploads, "fake.jpg", len(NOT_AN_IMAGE)),
        ]
    }
    reply = invoke(monkeypatch, "make_thumbnail", "functions.thumbnail", event)
    assert reply == {"status": 200, "delivered": 2}  # the non-image is skipped, not failed and retried
    thumbnail = s3.get_object(Bucket=thumbnails, Key="my photos/tall.jpg")
    assert thumbnail["ContentType"] == "image/jpeg"
    assert_thumbnail(thumbnail["Body"].read(), (100, 200))
    assert s3.list_objects_v2(Bucket=thumbnails)["KeyCount"] == 1


def test_greetings_are_recorded_and_reported(aws: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    from providers.aws.sdk import client

    for name in ("Ada", "Grace"):
        reply = invoke(
            monkeypatch,
            "hello",
            "functions.hello",
            {
                "version": "2.0",
                "routeKey": "POST /hello",
                "rawPath": "/hello",
                "rawQueryString": "",
                "headers": {"content-type": "application/json"},
                "body": json.dumps({"name": name}),
                "isBase64Encoded": False,
                "requestContext": {
                    "http": {"method": "POST", "path": "/hello", "sourceIp": "127.0.0.1"},
                    "requestId": f"req-{name}",
                    "stage": "$default",
                },
            },
        )
        assert reply["statusCode"] == 200 and json.loads(reply["body"]) == {"message": f"Hello, {name}!"}
    today = datetime.now(UTC).date()
    due = report_due_after(today)
    invoke(
        monkeypatch,
        "nightly_report",
        "functions.report",
        {
            "version": "0",
            "id": "e0c4f3b2",
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "account": "123456789012",
            "time": due.isoformat().replace("+00:00", "Z"),
            "region": "us-east-1",
            "resources": ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly_report"],
            "detail": "{}",
        },
    )
    s3 = client("s3")
    reports = aws.created["reports"]
    assert_report(
        s3.get_object(Bucket=reports, Key=f"greetings/{today}.json")["Body"].read(),
        s3.get_object(Bucket=reports, Key=f"greetings/{today}.csv")["Body"].read(),
        today,
        ["Ada", "Grace"],
    )
