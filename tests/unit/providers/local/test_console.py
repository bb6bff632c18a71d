"""The one console line per invocation (providers/local/console.py): HTTP calls and each event attempt."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.test import Client

from portable.message_trigger import Message
from portable.object_trigger import ObjectEvent
from providers.local.console import Console, event_subject
from providers.local.runner import LocalApp


@pytest.fixture()
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture()
def local(state: Path) -> Iterator[LocalApp]:
    runner = LocalApp(package="tests.apps.conformance")
    yield runner
    runner.stop()


def test_each_http_call_has_its_line_on_the_console(local: LocalApp, capsys: pytest.CaptureFixture[str]) -> None:
    Client(local).get("/text")
    Client(local).get("/raise")
    lines = [line for line in capsys.readouterr().err.splitlines() if " kitchen http " in line]
    assert len(lines) == 2
    for line, outcome in zip(lines, ("200", "500"), strict=True):
        stamp, function, trigger, *_ = line.split(" ")
        datetime.strptime(stamp, "%H:%M:%S.%f")
        assert (function, trigger) == ("kitchen", "http")
        assert f" -> {outcome} (" in line and line.endswith(" ms)")
    assert " GET /text -> 200 " in lines[0]


def test_each_event_attempt_has_its_line_on_the_console(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from portable import RetryPolicy

    two_attempts = RetryPolicy(attempts=2, max_age_seconds=600)
    local = LocalApp(package="tests.apps.conformance", policy_for=lambda spec: two_attempts, workers=0)
    fine = ObjectEvent(bucket="inbox", key="in/ok.txt", kind="created", id="e1", time=None)
    failing = ObjectEvent(bucket="inbox", key="in/fail.txt", kind="created", id="e2", time=None)
    local.queue.add([("on_upload", fine), ("on_upload", failing)])
    for _ in range(2):
        local.deliverer.attempt(local.queue.take(datetime.now(UTC).timestamp()))  # type: ignore[arg-type]
    local.deliverer.attempt(local.queue.take(datetime.now(UTC).timestamp() + 60))  # type: ignore[arg-type]
    local.fire_schedule("every_five", datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
    err = capsys.readouterr().err
    assert " on_upload object created inbox/in/ok.txt -> ok (" in err
    assert (
        " on_upload object created inbox/in/fail.txt -> retry in 60 s, attempt 1 failed: RuntimeError: object handler "
        "failure (" in err
    )
    assert " on_upload object created inbox/in/fail.txt -> dead-lettered: RuntimeError: object handler failure (" in err
    assert " every_five schedule due 2026-11-28T02:00:00Z -> ok (" in err
    assert '"message": "event delivered"' not in err, "the console line says it once"


def test_a_message_is_named_once_on_its_line() -> None:
    message = Message("m-1", b"{}", {}, 1, datetime(2026, 11, 28, tzinfo=UTC), "moderation")
    console = Console(io.StringIO())
    console.invocation("moderate", "message", event_subject(message), "ok", 0.004)
    assert console.since(0)[0].text.endswith(" moderate message m-1 from moderation -> ok (4 ms)")


def test_the_console_keeps_its_latest_lines_for_the_dashboard() -> None:
    out = io.StringIO()
    console = Console(out, keep=3)
    for number, outcome in enumerate(["200", "404", "ok", "retry in 1 s, attempt 1 failed: x", "dead-lettered: x"]):
        console.invocation("f", "http", f"GET /{number}", outcome, 0.001)
    assert len(out.getvalue().splitlines()) == 5, "every line is printed"
    kept = console.since(0)
    assert [line.seq for line in kept] == [3, 4, 5], "the latest 3 are kept"
    assert [line.level for line in kept] == ["ok", "retry", "failed"]
    assert [line.level for line in Console(io.StringIO()).since(0)] == []
    assert console.since(4)[0].record()["subject"] == "GET /4"
    assert console.wait(5, timeout=0.01) == [], "nothing new"
    console.close()
    assert console.closed and console.wait(5, timeout=10) == [], "a closed console wakes its readers at once"


def test_a_status_from_400_is_a_failed_line() -> None:
    console = Console(io.StringIO())
    for status in ("200", "302", "401", "500", "failed"):
        console.invocation("f", "http", "GET /", status, 0.001)
    assert [line.level for line in console.since(0)] == ["ok", "ok", "failed", "failed", "failed"]
