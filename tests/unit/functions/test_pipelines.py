"""The upload and report pipelines of functions/ through the test kit, on local data: once through the AWS
shim, once through the GCP shim and once through the local runner, each event delivered before the write
that caused it returns."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from portable.testing import Kit
from tests.backends.pipeline_kit import NOT_AN_IMAGE, assert_report, assert_thumbnail, photo, report_due_after


def test_an_upload_gets_a_thumbnail_and_a_non_image_is_skipped(portable_app: Kit) -> None:
    uploads, thumbnails = portable_app.bucket("uploads"), portable_app.bucket("thumbnails")
    assert [delivery.ok for delivery in uploads.put("not-a-photo.jpg", NOT_AN_IMAGE)] == [True]
    uploads.put("holiday/beach.jpg", photo(640, 480))
    assert_thumbnail(thumbnails.get("holiday/beach.jpg"), (200, 150))
    assert thumbnails.keys() == ["holiday/beach.jpg"]


def test_greetings_are_recorded_and_reported_nightly(portable_app: Kit) -> None:
    for name in ("Alice", "Bob", "Alice"):
        reply = portable_app.http("POST", "/hello", json={"name": name})
        assert reply.status == 200 and reply.json() == {"message": f"Hello, {name}!"}
    assert portable_app.http("POST", "/hello", body=b"{not json").status == 400
    recorded = portable_app.table("greetings").items()
    assert sorted(greeting["name"] for greeting in recorded.values()) == ["Alice", "Alice", "Bob"]
    today = datetime.now(UTC).date()
    portable_app.fire("nightly_report", at=report_due_after(today))
    reports = portable_app.bucket("reports")
    assert_report(
        reports.get(f"greetings/{today}.json"), reports.get(f"greetings/{today}.csv"), today, ["Alice", "Bob", "Alice"]
    )


@pytest.mark.parametrize("portable_target", ["local"])
def test_the_local_server_serves_signed_urls(portable_app: Kit) -> None:
    from portable import bucket

    reports = bucket("reports")
    reports.put("shared/a b.txt", b"shared text")
    url = urlsplit(reports.signed_url("shared/a b.txt", expires_in=60))
    reply = portable_app.http("GET", f"{url.path}?{url.query}")
    assert (reply.status, reply.body) == (200, b"shared text")
    tampered = url.query[:-1] + ("1" if url.query.endswith("0") else "0")
    refused = portable_app.http("GET", f"{url.path}?{tampered}")
    assert refused.status == 403 and "does not match" in refused.json()["error"]
