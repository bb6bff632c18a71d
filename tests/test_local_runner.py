"""The local runner: routes, object events, schedules on time and on demand, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.test import Client

from portable.events import ObjectEvent
from providers.local.runner import LocalApp
from tests.conformance.recording import recording
from tests.conftest import ROOT


@pytest.fixture()
def local() -> Iterator[LocalApp]:
    runner = LocalApp(package="tests.conformance.app")
    yield runner
    runner.stop()


def wait_for(seen_file: Path, count: int, timeout: float = 10) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if seen_file.exists():
            lines = seen_file.read_text().splitlines()
            if len(lines) >= count:
                return [json.loads(line) for line in lines]
        time.sleep(0.02)
    raise AssertionError(f"fewer than {count} records after {timeout} s")


def test_the_runner_leaves_the_process_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTABLE_FUNCTION", "hello")  # as if the shell still held a deployed function's settings
    monkeypatch.delenv("PORTABLE_PROVIDER", raising=False)
    monkeypatch.delenv("PORTABLE_PACKAGE", raising=False)
    before = {name: value for name, value in os.environ.items() if name.startswith("PORTABLE_")}
    runner = LocalApp(package="tests.conformance.app")
    assert {name: value for name, value in os.environ.items() if name.startswith("PORTABLE_")} == before
    assert sorted(runner.targets) == sorted(runner.app.functions), "every function, not PORTABLE_FUNCTION's"
    assert Client(runner).get("/text").data == b"plain text"


def test_route_picks_the_exact_method_before_any(local: LocalApp) -> None:
    spec, allowed = local.route("GET", "/anything/here")
    assert spec is not None and spec.name == "kitchen" and allowed == []


def test_object_event_is_delivered_to_every_matching_function(local: LocalApp, tmp_path: Path) -> None:
    event = ObjectEvent(bucket="inbox", key="in/a b.txt", kind="created", id="local-1",
                        time=datetime.now(UTC).replace(microsecond=0), size=3, etag="e1", content_type="text/plain")
    with recording(tmp_path) as seen:
        results = local.deliver_object_event(event)
    assert sorted(results) == [("on_upload", 204), ("record_created", 204)]
    assert len(seen) == 2
    for record in seen:
        assert record == {"kind": "created", "bucket": "inbox", "key": "in/a b.txt", "id": "local-1",
                          "time": event.time.isoformat(), "size": 3, "etag": "e1", "content_type": "text/plain"}


def test_filtered_and_failing_deliveries(local: LocalApp, tmp_path: Path) -> None:
    other = ObjectEvent(bucket="inbox", key="out/x.bin", kind="created", id="2", time=None)
    failing = ObjectEvent(bucket="inbox", key="in/fail.txt", kind="created", id="3", time=None)
    deleted = ObjectEvent(bucket="inbox", key="in/x.txt", kind="deleted", id="4", time=None)
    with recording(tmp_path):
        assert local.deliver_object_event(other) == [("record_created", 204)]
        assert sorted(local.deliver_object_event(failing)) == [("on_upload", 500), ("record_created", 204)]
        assert local.deliver_object_event(deleted) == [("record_deleted", 204)]


def test_published_events_reach_handlers_in_the_background(
    local: LocalApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.local import events

    target = tmp_path / "recorded.jsonl"
    monkeypatch.setenv("PORTABLE_TEST_RECORD", str(target))
    local.start(schedules=False)
    events.publish(ObjectEvent(bucket="inbox", key="bg.txt", kind="created", id="bg", time=None))
    assert wait_for(target, 1)[0]["key"] == "bg.txt"


def test_schedule_fires_at_its_time(local: LocalApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from providers.local import scheduler

    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    monkeypatch.setattr(scheduler, "next_fire_time",
                        lambda schedule, after: due if after < due else due + timedelta(days=1))
    monkeypatch.setattr(scheduler, "latest_fire_time", lambda schedule, at_or_before: due)
    target = tmp_path / "recorded.jsonl"
    monkeypatch.setenv("PORTABLE_TEST_RECORD", str(target))
    local.start(schedules=True)
    records = wait_for(target, 1)
    assert records[0] == {"kind": "schedule", "name": "every_five", "time": due.isoformat(),
                          "id": f"every_five@{due.strftime('%Y-%m-%dT%H:%M:%SZ')}"}
    assert datetime.now(UTC) >= due, "not before it was due"
    time.sleep(0.3)
    assert len(target.read_text().splitlines()) == 1, "fired once, then waits for the next due time"


def test_fire_on_demand_over_http(local: LocalApp, tmp_path: Path) -> None:
    client = Client(local)
    with recording(tmp_path) as seen:
        response = client.post("/__portable/schedules/every_five")
        missing = client.post("/__portable/schedules/kitchen")
    assert response.status_code == 200 and response.get_json() == {"fired": "every_five", "status": 204}
    assert missing.status_code == 404 and "schedules: every_five" in missing.get_json()["error"]
    assert [record["name"] for record in seen] == ["every_five"]


@pytest.mark.slow
def test_cli_fires_a_schedule_and_refuses_unknown_ones(tmp_path: Path) -> None:
    env = {**os.environ, "PORTABLE_LOCAL_DIR": str(tmp_path)}
    unknown = subprocess.run([sys.executable, "-m", "providers.local", "--fire", "nope"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2
    assert "no schedule named 'nope'; schedules:" in unknown.stderr


def test_objects_put_from_outside_fire_the_bucket_events(
    local: LocalApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(local)
    target = tmp_path / "recorded.jsonl"
    monkeypatch.setenv("PORTABLE_TEST_RECORD", str(target))
    local.start(schedules=False)
    put = client.put("/__portable/objects/inbox/in/hello%20world.txt", data=b"hi",
                     headers={"Content-Type": "text/plain"})
    records = wait_for(target, 2)
    got = client.get("/__portable/objects/inbox/in/hello%20world.txt")
    deleted = client.delete("/__portable/objects/inbox/in/hello%20world.txt")
    after = wait_for(target, 3)
    assert put.status_code == 201 and put.get_json()["size"] == 2
    assert sorted((r["key"], r["kind"]) for r in records[:2]) == [("in/hello world.txt", "created")] * 2
    assert records[0]["content_type"] == "text/plain"
    assert got.status_code == 200 and got.data == b"hi"
    assert deleted.status_code == 204
    assert (after[2]["key"], after[2]["kind"]) == ("in/hello world.txt", "deleted")
    missing = client.get("/__portable/objects/inbox/in/hello%20world.txt")
    assert missing.status_code == 404


def test_control_paths_refuse_what_they_do_not_know(local: LocalApp) -> None:
    client = Client(local)
    unknown_bucket = client.put("/__portable/objects/nope/a.txt", data=b"x")
    assert unknown_bucket.status_code == 404 and "the App declares: inbox" in unknown_bucket.get_json()["error"]
    unknown_path = client.get("/__portable/whatever")
    assert unknown_path.status_code == 404 and "POST /__portable/schedules/<name>" in unknown_path.get_json()["error"]
    wrong_method = client.post("/__portable/objects/inbox/a.txt", data=b"x")
    assert wrong_method.status_code == 405


def test_signed_urls_reach_the_logical_bucket_behind_a_physical_name(
    local: LocalApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.local.buckets import LocalBucket
    from providers.local.clients import open_bucket

    monkeypatch.setenv("PORTABLE_BUCKET_INBOX", "inbox-physical")
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
