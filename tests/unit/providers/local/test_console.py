"""The one console line per invocation (providers/local/console.py): HTTP calls and each event attempt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.test import Client

from portable.object_trigger import ObjectEvent
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
    assert " on_upload object created inbox/in/fail.txt -> retry in 60 s, attempt 1 failed: HTTP 500: " in err
    assert " on_upload object created inbox/in/fail.txt -> dead-lettered: HTTP 500: " in err
    assert " every_five schedule due 2026-11-28T02:00:00Z -> ok (" in err
    assert '"message": "event delivered"' not in err, "the console line says it once"
