"""The local runner (providers/local/runner.py): routes, object events, writes queued and delivered in the background,
schedules on time and across a hand-over, and --debug replies.

Delivery itself (the queue, retries, dead letters) is tested in test_delivery.py, the control endpoints' rules in
test_control.py.
"""

from __future__ import annotations

import json
import os
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.test import Client

from portable.object_trigger import ObjectEvent
from providers.local.runner import LocalApp
from tests.support.recording import recorded_lines, recording


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
    assert inbox.outbox().take(10) == (0, []) and not local.deliverer.relay(), "the outbox is moved once"


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
    assert recorded_lines(target, 1)[0]["key"] == "bg.txt"


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
    records = recorded_lines(target, 1)
    assert records[0] == {
        "kind": "schedule",
        "name": "every_five",
        "time": due.isoformat(),
        "id": f"every_five@{due.strftime('%Y-%m-%dT%H:%M:%SZ')}",
    }
    assert datetime.now(UTC) >= due, "not before it was due"
    time.sleep(0.3)
    assert len(target.read_text().splitlines()) == 1, "fired once, then waits for the next due time"


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


KITCHEN = "tests.apps.conformance.kitchen"


@pytest.fixture()
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, **modules: str) -> Path:
    """A package `name` of the given modules (source text by module name), importable for this test."""
    folder = tmp_path / "src" / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    for module, text in modules.items():
        (folder / f"{module}.py").write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    return folder


def test_debug_puts_the_exception_in_local_500_replies(state: Path) -> None:
    debugging = LocalApp(package="tests.apps.conformance", debug=True)
    body = Client(debugging).get("/raise").json
    assert body is not None and body["error"] == "internal error" and body["status"] == 500
    debug = body["debug"]
    assert debug["type"] == "RuntimeError"
    assert debug["message"] == "boom: secret detail that must not reach the caller"
    assert debug["traceback"].startswith("Traceback (most recent call last):")
    assert "kitchen.py" in debug["traceback"] and 'raise RuntimeError("boom' in debug["traceback"]
    plain = Client(LocalApp(package="tests.apps.conformance")).get("/raise").json
    assert plain is not None and "debug" not in plain and b"secret" not in json.dumps(plain).encode()


def test_the_deployed_shims_never_put_the_exception_in_a_reply(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lambda's handler and main.py's targets, as deployed, answer without it: even beside a runner in debug."""
    import functions_framework

    from portable.request import Request
    from providers.aws import http_codec
    from providers.aws.runtime import Entry, bind
    from providers.paths import MAIN_PY

    LocalApp(package="tests.apps.conformance", debug=True)
    monkeypatch.setenv("PORTABLE_FUNCTION", "kitchen")
    monkeypatch.setenv("PORTABLE_MODULE", KITCHEN)
    monkeypatch.setenv("PORTABLE_PROVIDER", "local")
    request = Request(method="GET", path="/raise", path_params={"path": "raise"}, request_id="r1")
    handler = bind("kitchen", KITCHEN, "local")
    assert isinstance(handler, Entry)
    aws = json.loads(handler(http_codec.encode(request, handler.bound.spec))["body"])
    gcp = functions_framework.create_app(target="kitchen", source=str(MAIN_PY)).test_client().get("/raise").json
    for body in (aws, gcp):
        assert body["error"] == "internal error" and "debug" not in body and "secret" not in json.dumps(body)


def test_schedules_fire_once_across_a_hand_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: Path) -> None:
    """The next runner fires what came due since the last one stopped, once, and nothing the last one fired."""
    package(
        tmp_path,
        monkeypatch,
        "ticking",
        tick="""\
        from portable import schedule


        @schedule("* * * * *")
        def tick(event):
            pass
        """,
    )
    queued: list[tuple[str, str]] = []
    first = LocalApp(package="ticking", workers=0)
    first._queue_firing = lambda name, due: queued.append((name, due.isoformat()))  # type: ignore[method-assign]
    five_minutes_ago = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    first.start(schedules_since=five_minutes_ago + timedelta(seconds=30))
    through = first.stop_schedules()
    first.stop()
    latest = through.replace(second=0, microsecond=0)
    assert queued == [("tick", latest.isoformat())], "what came due while no runner ran: the latest time, once"
    second = LocalApp(package="ticking", workers=0)
    second._queue_firing = lambda name, due: queued.append((name, due.isoformat()))  # type: ignore[method-assign]
    second.start(schedules_since=through)
    second.stop()
    assert queued.count(("tick", latest.isoformat())) == 1, "never fired twice"


def test_events_wait_until_calls_have_stopped_coming(state: Path) -> None:
    local = LocalApp(package="tests.apps.conformance", workers=0)
    assert local.wait_for_calls(0.001), "no call has come"
    Client(local).get("/text")
    assert not local.wait_for_calls(0.001), "a call came just now: clients calling in turn leave gaps"
    assert local.wait_for_calls(1)
