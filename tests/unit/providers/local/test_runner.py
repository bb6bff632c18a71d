"""The local runner: routes, object events, schedules on time and on demand, the CLI.

Delivery itself (the queue, retries, dead letters, crashes) is tested in test_local_delivery.py,
the control endpoints' rules in test_local_control.py.
"""

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
from tests.conftest import ROOT
from tests.support.recording import recording


@pytest.fixture()
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalApp]:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))  # no test inherits another's queued events
    runner = LocalApp(package="tests.apps.conformance")
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
    runner = LocalApp(package="tests.apps.conformance")
    assert {name: value for name, value in os.environ.items() if name.startswith("PORTABLE_")} == before
    assert sorted(runner.targets) == sorted(runner.app.functions), "every function, not PORTABLE_FUNCTION's"
    assert Client(runner).get("/text").data == b"plain text"


def test_route_picks_the_exact_method_before_any(local: LocalApp) -> None:
    spec, allowed = local.route("GET", "/anything/here")
    assert spec is not None and spec.name == "kitchen" and allowed == []


def test_an_object_event_reaches_its_function_as_eventarc_sends_it(local: LocalApp, tmp_path: Path) -> None:
    event = ObjectEvent(
        bucket="inbox",
        key="in/a b.txt",
        kind="created",
        id="local-1",
        time=datetime.now(UTC).replace(microsecond=0),
        size=3,
        etag="e1",
        content_type="text/plain",
    )
    with recording(tmp_path) as seen:
        assert [local.deliver(name, event)[0] for name in ("on_upload", "record_created")] == [204, 204]
    assert (
        seen
        == [
            {
                "kind": "created",
                "bucket": "inbox",
                "key": "in/a b.txt",
                "id": "local-1",
                "time": event.time.isoformat(),
                "size": 3,
                "etag": "e1",
                "content_type": "text/plain",
            }
        ]
        * 2
    )


def test_a_write_is_queued_for_every_function_it_triggers_and_no_other(local: LocalApp) -> None:
    from providers.local.clients import open_bucket

    inbox = open_bucket("inbox")
    inbox.put("in/a.txt", b"a", "text/plain", {})  # on_upload and record_created
    inbox.put("out/b.bin", b"b", "application/octet-stream", {})  # record_created only
    inbox.delete("in/a.txt")  # record_deleted
    assert local.deliverer.relay()
    queued = []
    while (delivery := local.queue.take(time.time())) is not None:
        queued.append((delivery.function, getattr(delivery.event, "key", None)))
    assert sorted(queued) == [
        ("on_upload", "in/a.txt"),
        ("record_created", "in/a.txt"),
        ("record_created", "out/b.bin"),
        ("record_deleted", "in/a.txt"),
    ]
    assert inbox.outbox(10) == (0, []) and not local.deliverer.relay(), "the outbox is moved once"


def test_a_failing_handler_answers_500_and_a_filtered_event_204(local: LocalApp, tmp_path: Path) -> None:
    failing = ObjectEvent(bucket="inbox", key="in/fail.txt", kind="created", id="3", time=None)
    other = ObjectEvent(bucket="inbox", key="out/x.bin", kind="created", id="2", time=None)
    with recording(tmp_path) as seen:
        assert local.deliver("on_upload", failing)[0] == 500
        assert local.deliver("on_upload", other)[0] == 204
    assert seen == []


def test_writes_reach_handlers_in_the_background(
    local: LocalApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.local.clients import open_bucket

    target = tmp_path / "recorded.jsonl"
    monkeypatch.setenv("PORTABLE_TEST_RECORD", str(target))
    local.start(schedules=False)
    open_bucket("inbox").put("bg.txt", b"x", "text/plain", {})
    assert wait_for(target, 1)[0]["key"] == "bg.txt"


def test_schedule_fires_at_its_time(local: LocalApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from providers.local import scheduler

    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)  # due after the scheduler starts
    monkeypatch.setattr(
        scheduler, "next_fire_time", lambda schedule, after: due if after < due else due + timedelta(days=1)
    )
    monkeypatch.setattr(scheduler, "latest_fire_time", lambda schedule, at_or_before: due)
    target = tmp_path / "recorded.jsonl"
    monkeypatch.setenv("PORTABLE_TEST_RECORD", str(target))
    local.start(schedules=True)
    records = wait_for(target, 1)
    assert records[0] == {
        "kind": "schedule",
        "name": "every_five",
        "time": due.isoformat(),
        "id": f"every_five@{due.strftime('%Y-%m-%dT%H:%M:%SZ')}",
    }
    assert datetime.now(UTC) >= due, "not before it was due"
    time.sleep(0.3)
    assert len(target.read_text().splitlines()) == 1, "fired once, then waits for the next due time"


def test_fire_on_demand_over_http(local: LocalApp, tmp_path: Path) -> None:
    client = Client(local)
    with recording(tmp_path) as seen:
        response = client.post("/__portable/schedules/every_five")
        missing = client.post("/__portable/schedules/kitchen")
    body = response.get_json()
    assert response.status_code == 200
    assert body == {"fired": "every_five", "event_id": body["event_id"], "outcome": "delivered", "status": 204}
    assert body["event_id"].startswith("every_five@")
    assert missing.status_code == 404 and "schedules: every_five" in missing.get_json()["error"]
    assert [record["name"] for record in seen] == ["every_five"]


@pytest.mark.slow
def test_cli_fires_a_schedule_and_refuses_unknown_ones(tmp_path: Path) -> None:
    env = {**os.environ, "PORTABLE_LOCAL_DIR": str(tmp_path)}
    unknown = subprocess.run(
        [sys.executable, "-m", "providers.local", "--fire", "nope"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unknown.returncode == 2
    assert "no schedule named 'nope'; schedules:" in unknown.stderr


def test_objects_put_from_outside_fire_the_bucket_events(
    local: LocalApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(local)
    target = tmp_path / "recorded.jsonl"
    monkeypatch.setenv("PORTABLE_TEST_RECORD", str(target))
    local.start(schedules=False)
    put = client.put(
        "/__portable/objects/inbox/in/hello%20world.txt", data=b"hi", headers={"Content-Type": "text/plain"}
    )
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


def test_the_local_runner_routes_as_the_gateways_do_whatever_the_declaration_order(tmp_path: Path) -> None:
    from werkzeug.test import Client

    from tests.support.packages import make_package

    package = make_package(
        tmp_path,
        files="""
        from portable import http

        @http("GET /files/{name}")
        def by_name(request):
            return {"served_by": "by_name"}

        @http("GET /files/latest")
        def latest(request):
            return {"served_by": "latest"}
    """,
    )
    local = LocalApp(package)
    client = Client(local)
    assert client.get("/files/latest").json == {"served_by": "latest"}
    assert client.get("/files/a.txt").json == {"served_by": "by_name"}


def test_the_start_up_banner_lists_routes_buckets_tables_and_schedules() -> None:
    from portable import load_app
    from providers.local.server import banner

    text = banner(load_app("functions"), "http://127.0.0.1:8080")
    assert text.splitlines() == [
        "Portable local: http://127.0.0.1:8080",
        "  routes:    POST /hello -> hello, GET /me -> me, POST /webhooks -> receive_webhook",
        "  buckets:   reports, thumbnails, uploads",
        "  tables:    greetings, name-counts, welcome-notes",
        "  schedules: nightly_report (cron '0 2 * * *' in UTC)",
        "  messages:  welcomes (queue) -> write_welcome, greeted (topic) -> count_greeting, queue_welcome",
    ]
