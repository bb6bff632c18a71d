"""The upload and report pipelines end to end on the local provider, through the local runner."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from portable.app import ResourceSpec
from portable.context import using_clients
from providers.local.clients import client_for
from providers.local.runner import LocalApp
from tests.backends.pipeline_kit import NOT_AN_IMAGE, assert_report, assert_thumbnail, photo, report_due_after

pytestmark = pytest.mark.slow


@pytest.fixture
def local_app(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalApp]:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path))
    app = LocalApp()
    app.start(schedules=False)
    try:
        with using_clients(client_for):
            yield app
    finally:
        app.stop()


def bucket_client(name: str) -> Any:
    return client_for(ResourceSpec("bucket", name))


def wait_for(read: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return read()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_an_upload_gets_a_thumbnail_and_a_non_image_is_skipped(local_app: LocalApp) -> None:
    uploads, thumbnails = bucket_client("uploads"), bucket_client("thumbnails")
    uploads.put("not-a-photo.jpg", NOT_AN_IMAGE, "image/jpeg", {})  # delivered before the photo
    uploads.put("holiday/beach.jpg", photo(640, 480), "image/jpeg", {})
    assert_thumbnail(wait_for(lambda: thumbnails.get("holiday/beach.jpg")), (200, 150))
    assert [info.key for info in thumbnails.list_page("", 10, None).items] == ["holiday/beach.jpg"]


def test_greetings_are_recorded_and_reported_nightly(local_app: LocalApp) -> None:
    from werkzeug.test import Client

    client = Client(local_app)
    for name in ("Alice", "Bob", "Alice"):
        reply = client.post("/hello", json={"name": name})
        assert reply.status_code == 200 and reply.json == {"message": f"Hello, {name}!"}
    assert client.post("/hello", data=b"{not json").status_code == 400
    today = datetime.now(UTC).date()
    assert local_app.fire_schedule("nightly_report", report_due_after(today)).state == "delivered"
    reports = bucket_client("reports")
    assert_report(reports.get(f"greetings/{today}.json"), reports.get(f"greetings/{today}.csv"), today,
                  ["Alice", "Bob", "Alice"])


def test_the_local_server_serves_signed_urls(local_app: LocalApp) -> None:
    from urllib.parse import urlsplit

    from werkzeug.test import Client

    from portable import bucket

    reports = bucket("reports")
    reports.put("shared/a b.txt", b"shared text")
    url = urlsplit(reports.signed_url("shared/a b.txt", expires_in=60))
    reply = Client(local_app).get(url.path, query_string=url.query)
    assert (reply.status_code, reply.data) == (200, b"shared text")
    tampered = url.query[:-1] + ("1" if url.query.endswith("0") else "0")
    refused = Client(local_app).get(url.path, query_string=tampered)
    assert refused.status_code == 403 and "does not match" in refused.get_json()["error"]
