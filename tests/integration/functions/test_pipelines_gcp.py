"""The upload and report pipelines through main.py's functions-framework targets, against the
Cloud Storage and Firestore emulators, with the CloudEvents and calls Eventarc and Cloud Scheduler send."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from portable.app import ResourceSpec
from tests.backends.fixtures import ROOT, Backend, point_environment, provider_clients
from tests.backends.pipeline_kit import NOT_AN_IMAGE, assert_report, assert_thumbnail, photo, report_due_after

pytestmark = pytest.mark.slow
RESOURCES = {"uploads": "bucket", "thumbnails": "bucket", "reports": "bucket", "greetings": "table", "greeted": "topic"}


@pytest.fixture
def gcp(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    point_environment("gcp", request, monkeypatch)
    for variable in ("PORTABLE_PROVIDER", "PORTABLE_FUNCTION", "PORTABLE_MODULE"):
        monkeypatch.delenv(variable, raising=False)
    backend = Backend("gcp", provider_clients("gcp"), monkeypatch)
    for name, kind in RESOURCES.items():
        backend.provision(ResourceSpec(kind, name))  # type: ignore[arg-type]
    yield backend


def target(name: str, module: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A test client for one function, deployed as Cloud Functions deploys it: main.py, one target."""
    import functions_framework

    monkeypatch.setenv("PORTABLE_FUNCTION", name)
    monkeypatch.setenv("PORTABLE_MODULE", module)
    return functions_framework.create_app(target=name, source=str(ROOT / "main.py")).test_client()


def finalized(bucket: str, key: str, size: int, event_id: str) -> tuple[dict[str, str], bytes]:
    from cloudevents.conversion import to_binary
    from cloudevents.http import CloudEvent

    attributes = {
        "type": "google.cloud.storage.object.v1.finalized",
        "source": f"//storage.googleapis.com/projects/_/buckets/{bucket}",
        "subject": f"objects/{key}",
        "id": event_id,
        "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "bucket": bucket,
    }
    data = {
        "bucket": bucket,
        "name": key,
        "size": str(size),
        "contentType": "image/jpeg",
        "generation": "1",
        "etag": "CKih16GjycICEAE=",
    }
    headers, body = to_binary(CloudEvent(attributes, data))
    return dict(headers), body


def test_a_storage_upload_gets_a_thumbnail(gcp: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    from providers.gcp.sdk import storage_client

    storage = storage_client()
    uploads = storage.bucket(gcp.created["uploads"])
    image = photo(1000, 400, "PNG")
    uploads.blob("scans/wide ü.png").upload_from_string(image, content_type="image/png")
    uploads.blob("fake.jpg").upload_from_string(NOT_AN_IMAGE, content_type="image/jpeg")
    client = target("make_thumbnail", "functions.thumbnail", monkeypatch)
    for number, (key, size) in enumerate([("scans/wide ü.png", len(image)), ("fake.jpg", len(NOT_AN_IMAGE))]):
        headers, body = finalized(uploads.name, key, size, f"event-{number}")
        reply = client.post("/", headers=headers, data=body)
        assert reply.status_code < 300, reply.data  # the non-image is acknowledged, so Eventarc does not retry
    thumbnails = storage.bucket(gcp.created["thumbnails"])
    written = thumbnails.get_blob("scans/wide ü.png")
    assert written.content_type == "image/png"
    assert_thumbnail(written.download_as_bytes(), (200, 80), "PNG")
    assert [blob.name for blob in storage.list_blobs(thumbnails.name)] == ["scans/wide ü.png"]


def test_greetings_are_recorded_and_reported(gcp: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    from providers.gcp.sdk import storage_client

    hello = target("hello", "functions.hello", monkeypatch)
    for name in ("Linus", "Margaret"):
        reply = hello.post("/hello", json={"name": name})
        assert reply.status_code == 200 and reply.json == {"message": f"Hello, {name}!"}
    today = datetime.now(UTC).date()
    due = report_due_after(today)
    report = target("nightly_report", "functions.report", monkeypatch)
    reply = report.post(
        "/",
        headers={
            "X-CloudScheduler": "true",
            "X-CloudScheduler-JobName": "nightly_report",
            "X-CloudScheduler-ScheduleTime": due.isoformat().replace("+00:00", "Z"),
            "User-Agent": "Google-Cloud-Scheduler",
        },
    )
    assert reply.status_code < 300, reply.data
    reports = storage_client().bucket(gcp.created["reports"])
    assert_report(
        reports.blob(f"greetings/{today}.json").download_as_bytes(),
        reports.blob(f"greetings/{today}.csv").download_as_bytes(),
        today,
        ["Linus", "Margaret"],
    )
