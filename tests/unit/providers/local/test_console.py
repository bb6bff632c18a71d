"""The one console line per invocation (providers/local/console.py): HTTP calls and each event attempt."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.test import Client

from portable.message_trigger import Message
from portable.object_trigger import ObjectEvent
from providers.local.console import Console, event_subject
from providers.local.dashboard import OWN_CALL_HEADER
from providers.local.runner import LocalApp


@pytest.fixture()
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


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


def test_every_reply_the_runner_writes_itself_has_its_line_refusals_included(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = Client(LocalApp(package="tests.apps.edge", workers=0))
    preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}
    client.options("/open", headers=preflight)
    client.options("/open", headers={**preflight, "Origin": "https://evil.example"})
    client.get("/whoami")
    client.get("/nowhere")
    client.delete("/open")
    client.post("/__portable/token?subject=a", headers={"Origin": "https://evil.example"})
    lines = capsys.readouterr().err.splitlines()
    expected = [
        " runner http OPTIONS /open -> 204 (",
        " runner http OPTIONS /open -> 403 origin 'https://evil.example' may not call this API",
        " runner http GET /whoami -> 401 this route requires a token",
        " runner http GET /nowhere -> 404 no route for GET /nowhere (",
        " runner http DELETE /open -> 405 DELETE is not allowed on /open: use POST (",
        " control http POST /__portable/token -> 403 a page from 'https://evil.example' may not drive the runner",
    ]
    assert len(lines) == len(expected), lines
    for line, fragment in zip(lines, expected, strict=True):
        assert fragment in line and line.endswith(" ms)"), (fragment, line)


def test_keys_and_paths_are_printed_with_control_and_bidirectional_characters_escaped(
    local: LocalApp, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "in/evil\u202etxt.exe\u2028\x1b[2J\x85é.txt"
    local.queue.add([("on_upload", ObjectEvent(bucket="inbox", key=key, kind="created", id="e3", time=None))])
    local.deliverer.attempt(local.queue.take(datetime.now(UTC).timestamp()))  # type: ignore[arg-type]
    Client(local).get("/caf%C3%A9/%E2%80%AE")
    err = capsys.readouterr().err
    assert " object created inbox/in/evil\\u202etxt.exe\\u2028\\x1b[2J\\x85é.txt -> ok (" in err
    assert " GET /café/\\u202e -> " in err
    assert "\u202e" not in err and "\u2028" not in err and "\x1b" not in err and "\x85" not in err


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


def test_the_dashboards_own_reads_leave_no_line_while_other_calls_and_refusals_do(
    local: LocalApp, capsys: pytest.CaptureFixture[str]
) -> None:
    """The dashboard reads the App, its log and its data as it goes (after each event, and on every reload): those
    reads, marked by the header its page sends, and its assets must not fill the live log it shows, nor the terminal.
    The same reads by anyone else, what changes something, and every refusal, say so."""
    client = Client(local)
    own = {OWN_CALL_HEADER: "1"}
    for path in ("app", "log", "log?after=0", "dead-letters", "objects/inbox", "api"):
        assert client.get(f"/__portable/{path}", headers=own).status_code == 200, path
    assert client.get("/__portable/assets/dashboard.js").status_code == 200
    assert capsys.readouterr().err == "" and local.console.since(0) == [], "the dashboard's reads are quiet"
    client.get("/__portable/objects/inbox")
    client.put("/__portable/objects/inbox/a.txt", data=b"x", headers=own)
    client.get("/__portable/app", headers={"Sec-Fetch-Site": "cross-site", **own})
    client.get("/__portable/nothing-here", headers=own)
    said = [(line.function, line.subject, line.outcome.split(" ")[0]) for line in local.console.since(0)]
    assert said == [
        ("control", "GET /__portable/objects/inbox", "200"),
        ("control", "PUT /__portable/objects/inbox/a.txt", "201"),
        ("control", "GET /__portable/app", "403"),
        ("control", "GET /__portable/nothing-here", "404"),
    ]
    assert len(capsys.readouterr().err.splitlines()) == 4, "the terminal shows the same lines"


def test_a_metric_a_call_records_has_its_line_on_the_console_and_in_the_dashboards_log(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Locally a metric shows where the calls do: a line of its own (name, dimensions, value and unit) under the
    function that recorded it, on the terminal and in the dashboard's live log, whatever the trigger."""
    runner = LocalApp(package="tests.apps.metered")
    try:
        client = Client(runner)
        assert client.post("/photos", json={"tier": "pro"}).status_code == 200
        sent = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
        assert runner.deliver("resize", Message("m-1", b"{}", {}, 1, sent, "metered-resizes")).status == 204
        said = [
            (line.function, line.trigger, line.subject, line.outcome, line.level) for line in runner.console.since(0)
        ]
        assert said[0] == ("upload", "metric", "photos_uploaded source=api tier=pro", "1 Count", "ok")
        assert said[1][:2] == ("upload", "http")
        assert ("resize", "metric", "resize_time", "12.5 Milliseconds", "ok") in said
        terminal = capsys.readouterr().err
        assert " upload metric photos_uploaded source=api tier=pro = 1 Count\n" in terminal
        shown = client.get("/__portable/log", headers={OWN_CALL_HEADER: "1"}).get_json()["lines"]
        assert [line["text"].split(" ", 1)[1] for line in shown if line["trigger"] == "metric"] == [
            "upload metric photos_uploaded source=api tier=pro = 1 Count",
            "resize metric resize_time = 12.5 Milliseconds",
        ]
    finally:
        runner.stop()
