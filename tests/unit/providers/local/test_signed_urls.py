"""Local signed URLs (providers/local/signed_urls.py) served by the runner: whatever the host, and for the logical
bucket behind a physical name."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.test import Client

from providers.local.clients import open_bucket
from providers.local.runner import LocalApp


def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalApp:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))  # no test inherits another's queued events
    return LocalApp(package="tests.apps.conformance")


@pytest.fixture()
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalApp]:
    made = runner(tmp_path, monkeypatch)
    yield made
    made.stop()


def wait_for(seen_file: Path, count: int, timeout: float = 10) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if seen_file.exists():
            lines = seen_file.read_text().splitlines()
            if len(lines) >= count:
                return [json.loads(line) for line in lines]
        time.sleep(0.02)
    raise AssertionError(f"fewer than {count} records after {timeout} s")


def test_signed_urls_reach_the_logical_bucket_behind_a_physical_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.local.buckets import LocalBucket
    from providers.local.clients import open_bucket

    monkeypatch.setenv("PORTABLE_BUCKET_INBOX", "inbox-physical")  # before the functions are bound, as deployed
    local = runner(tmp_path, monkeypatch)
    try:
        target = tmp_path / "recorded.jsonl"
        monkeypatch.setenv("PORTABLE_TEST_RECORD", str(target))
        local.start(schedules=False)
        url = urlsplit(open_bucket("inbox").signed_url("in/signed.txt", "PUT", 60, "text/plain"))
        put = Client(local).put(url.path, query_string=url.query, data=b"signed", content_type="text/plain")
        assert put.status_code == 200
        assert sorted((r["bucket"], r["key"]) for r in wait_for(target, 2)) == [("inbox", "in/signed.txt")] * 2
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
