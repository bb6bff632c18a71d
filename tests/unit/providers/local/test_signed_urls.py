"""Local signed URLs (providers/local/signed_urls.py) served by the runner: whatever the host, and for the logical
bucket behind a physical name."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.test import Client

from providers.local.clients import open_bucket
from providers.local.runner import LocalApp
from tests.support.local_runner import conformance_runner
from tests.support.recording import recorded_lines


def test_signed_urls_reach_the_logical_bucket_behind_a_physical_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.local.buckets import LocalBucket
    from providers.local.clients import open_bucket

    monkeypatch.setenv("PORTABLE_BUCKET_INBOX", "inbox-physical")  # before the functions are bound, as deployed
    local = conformance_runner(tmp_path, monkeypatch)
    try:
        target = tmp_path / "recorded.jsonl"
        monkeypatch.setenv("PORTABLE_TEST_RECORD", str(target))
        local.start(schedules=False)
        url = urlsplit(open_bucket("inbox").signed_url("in/signed.txt", "PUT", 60, "text/plain"))
        put = Client(local).put(url.path, query_string=url.query, data=b"signed", content_type="text/plain")
        assert put.status_code == 200
        assert sorted((r["bucket"], r["key"]) for r in recorded_lines(target, 2)) == [("inbox", "in/signed.txt")] * 2
        stray = urlsplit(LocalBucket("stray", "stray").signed_url("a.txt", "GET", 60, None))
        missing = Client(local).get(stray.path, query_string=stray.query)
        assert missing.status_code == 404 and "no bucket of the App" in missing.get_json()["error"]

    finally:
        local.stop()


def test_signed_urls_are_served_whatever_the_host(local: LocalApp) -> None:
    from urllib.parse import urlsplit

    inbox = open_bucket("inbox")
    inbox.put("shared.txt", b"shared", "text/plain", {})
    url = urlsplit(inbox.signed_url("shared.txt", "GET", 60, None))
    reply = Client(local).get(url.path, query_string=url.query, headers={"Host": "portable.test:18080"})
    assert (reply.status_code, reply.data) == (200, b"shared")


@pytest.mark.parametrize("raw", ["%c0%af.bin", "%ff%fe.bin"])
def test_a_signed_path_that_is_not_utf8_gets_400_and_never_reaches_the_key_its_fold_would_name(
    local: LocalApp, raw: str
) -> None:
    from urllib.parse import unquote_to_bytes

    url = open_bucket("inbox").signed_url("\ufffd\ufffd.bin", "PUT", 60, None)  # the key both would fold into
    parts = urlsplit(url)
    # As a server hands the path over (PEP 3333): %-decoded to bytes, as latin-1 text.
    path = unquote_to_bytes(parts.path.rsplit("/", 1)[0] + "/" + raw).decode("latin-1")
    reply = Client(local).put(parts.path, query_string=parts.query, data=b"x", environ_overrides={"PATH_INFO": path})
    assert reply.status_code == 400 and "not UTF-8" in reply.get_json()["error"]
    assert open_bucket("inbox").list_page("", 10, None).items == []


def test_stored_content_is_served_inert_by_signed_urls_and_the_control_endpoints_alike(local: LocalApp) -> None:
    inbox = open_bucket("inbox")
    inbox.put("page.html", b"<script>fetch('/__portable/token?subject=x', {method: 'POST'})</script>", "text/html", {})
    client = Client(local)
    for reply in (
        client.get(inbox.signed_url("page.html", "GET", 60, None)),
        client.get("/__portable/objects/inbox/page.html"),
    ):
        assert reply.status_code == 200 and reply.headers["Content-Type"] == "text/html"
        assert reply.headers["Content-Security-Policy"] == "sandbox"
        assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_a_buckets_signed_urls_answer_pages_of_the_apps_origins_and_no_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.packages import make_package

    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    package = make_package(
        tmp_path,
        web="""
        from portable import bucket, cors, http
        cors(allow_origins=["https://app.example.com"])
        photos = bucket("photos")
        private = bucket("private", cors=["https://admin.example.com"])

        @http("POST /upload", writes=[photos, private])
        def upload(request): ...
        """,
    )
    client = Client(LocalApp(package, workers=0))
    put = open_bucket("photos").signed_url("a.png", "PUT", 60, "image/png")
    asked = {"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}
    preflight = client.options(put, headers={"Origin": "https://app.example.com", **asked})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,HEAD,PUT"
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"
    uploaded = client.put(put, data=b"png", headers={"Origin": "https://app.example.com", "Content-Type": "image/png"})
    assert uploaded.status_code == 200 and uploaded.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert uploaded.headers["Access-Control-Expose-Headers"] == "etag" and uploaded.headers["Vary"] == "Origin"
    refused = client.options(put, headers={"Origin": "https://evil.example", **asked})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers
    own = open_bucket("private").signed_url("a.txt", "GET", 60, None)
    open_bucket("private").put("a.txt", b"a", "text/plain", {})
    read = client.get(own, headers={"Origin": "https://admin.example.com"})
    assert read.headers["Access-Control-Allow-Origin"] == "https://admin.example.com", "the bucket's own cors="
    assert "Access-Control-Allow-Origin" not in client.get(own, headers={"Origin": "https://app.example.com"}).headers
    bad = client.get(own.replace("signature=", "signature=0"), headers={"Origin": "https://admin.example.com"})
    assert bad.status_code == 403 and bad.headers["Access-Control-Allow-Origin"] == "https://admin.example.com"
