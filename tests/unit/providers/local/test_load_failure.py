"""What `portable dev` adds for the person at the keyboard: --debug replies, one console line per invocation,
load errors shown with their file and line, warnings about `requires=` packages missing here, and the listings of
local buckets and tables. The reloader itself, in its processes, is tested in test_local_reload.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.test import Client

from portable.app import load_app
from portable.events import ObjectEvent
from providers.local.deliveries import DeliveryQueue
from providers.local.load_failure import FailedApp, LoadFailure
from providers.local.reloader import Reloader, watched, watched_folders
from providers.local.runner import LocalApp
from providers.local.server import InFlight, missing_requirements
from tests.conftest import ROOT

KITCHEN = "tests.apps.conformance.kitchen"


@pytest.fixture()
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture()
def local(state: Path) -> Iterator[LocalApp]:
    runner = LocalApp(package="tests.apps.conformance")
    yield runner
    runner.stop()


def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, **modules: str) -> Path:
    """A package `name` of the given modules (source text by module name), importable for this test."""
    folder = tmp_path / "src" / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    for module, text in modules.items():
        (folder / f"{module}.py").write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    return folder


# --debug ----------------------------------------------------------------------------------------------------


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
    from providers.aws import http_events
    from providers.aws.runtime import handler
    from providers.paths import MAIN_PY

    LocalApp(package="tests.apps.conformance", debug=True)
    monkeypatch.setenv("PORTABLE_FUNCTION", "kitchen")
    monkeypatch.setenv("PORTABLE_MODULE", KITCHEN)
    monkeypatch.setenv("PORTABLE_PROVIDER", "local")
    request = Request(method="GET", path="/raise", path_params={"path": "raise"}, request_id="r1")
    event = http_events.encode_request(request, "ANY /{path+}")
    aws = json.loads(handler(event)["body"])
    gcp = functions_framework.create_app(target="kitchen", source=str(MAIN_PY)).test_client().get("/raise").json
    for body in (aws, gcp):
        assert body["error"] == "internal error" and "debug" not in body and "secret" not in json.dumps(body)


# The console line of each invocation -------------------------------------------------------------------------


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


# Load errors: file, line and message -----------------------------------------------------------------------


def test_a_syntax_error_is_placed_at_its_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = package(tmp_path, monkeypatch, "broken_syntax", hello="x = 1\ndef hello(:\n    pass\n")
    with pytest.raises(SyntaxError) as raised:
        load_app("broken_syntax")
    failure = LoadFailure.of(raised.value, tmp_path)
    assert (failure.file, failure.line, failure.type) == ("src/broken_syntax/hello.py", 2, "SyntaxError")
    assert failure.summary() == "src/broken_syntax/hello.py, line 2: SyntaxError: invalid syntax"
    assert str(folder / "hello.py") in failure.traceback


def test_an_import_error_is_placed_in_the_apps_own_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package(tmp_path, monkeypatch, "broken_import", hello="import json\n\nimport no_such_module_here\n")
    with pytest.raises(ModuleNotFoundError) as raised:
        load_app("broken_import")
    failure = LoadFailure.of(raised.value, tmp_path)
    assert (failure.file, failure.line) == ("src/broken_import/hello.py", 3)
    assert failure.message == "No module named 'no_such_module_here'"


def test_a_refused_declaration_is_placed_at_the_declaration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package(
        tmp_path,
        monkeypatch,
        "broken_route",
        notes="""\
        from portable import http


        @http("GET /notes/:id")
        def note(request):
            return {}
        """,
    )
    with pytest.raises(Exception) as raised:  # whatever the refusal's type, it is placed
        load_app("broken_route")
    failure = LoadFailure.of(raised.value, tmp_path)
    assert (failure.file, failure.line) == ("src/broken_route/notes.py", 4)
    assert "{id}" in failure.message, "the refusal's own words, with its fix"


def test_the_failed_app_answers_every_call_with_the_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package(tmp_path, monkeypatch, "broken_again", hello="def hello(:\n")
    with pytest.raises(SyntaxError) as raised:
        load_app("broken_again")
    app = FailedApp(LoadFailure.of(raised.value, tmp_path))
    for method, path in (("POST", "/hello"), ("GET", "/__portable/dead-letters"), ("GET", "/")):
        reply = Client(app).open(path, method=method)
        body = reply.json
        assert reply.status_code == 500 and body is not None
        assert body["error"].startswith("the app failed to load: src/broken_again/hello.py, line 1: SyntaxError: ")
        assert body["load_error"]["file"] == "src/broken_again/hello.py" and body["load_error"]["line"] == 1


# requires= packages missing here ---------------------------------------------------------------------------


def test_start_up_warns_about_each_requires_package_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package(
        tmp_path,
        monkeypatch,
        "needs_things",
        work="""\
        from portable import http


        @http("GET /work", requires=["Pillow>=10", "surely-not-installed-pkg>=1.2"])
        def work(request):
            return {}
        """,
    )
    [warning] = missing_requirements(load_app("needs_things"))
    assert warning.startswith("warning: function 'work' (")
    assert "needs_things/work.py" in warning
    assert "requires 'surely-not-installed-pkg>=1.2', which is not installed here" in warning
    assert warning.endswith("pip install 'surely-not-installed-pkg>=1.2'")


# Listing local data through /__portable/ ----------------------------------------------------------------


def test_the_control_endpoints_list_a_buckets_objects(local: LocalApp) -> None:
    client = Client(local)
    for key, body in (("in/b.txt", b"bb"), ("in/a.txt", b"a"), ("out/c.bin", b"ccc")):
        assert client.put(f"/__portable/objects/inbox/{key}", data=body).status_code == 201
    listed = client.get("/__portable/objects/inbox").json
    assert listed is not None and [found["key"] for found in listed["objects"]] == ["in/a.txt", "in/b.txt", "out/c.bin"]
    first = listed["objects"][0]
    assert first["size"] == 1 and first["etag"] and datetime.fromisoformat(first["last_modified"])
    only = client.get("/__portable/objects/inbox/?prefix=out/").json
    assert only is not None and [found["key"] for found in only["objects"]] == ["out/c.bin"]
    missing = client.get("/__portable/objects/nope")
    assert missing.status_code == 404 and "the App declares: inbox" in missing.json["error"]
    assert client.post("/__portable/objects/inbox").status_code == 405


def test_the_control_endpoints_list_a_tables_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: Path
) -> None:
    from providers.local.clients import open_table

    package(
        tmp_path,
        monkeypatch,
        "with_table",
        notes="""\
        from portable import http, table

        notes = table("notes")


        @http("GET /notes", reads=[notes])
        def list_notes(request):
            return {}
        """,
    )
    runner = LocalApp(package="with_table")
    open_table("notes").put("2026/a", {"text": "first"}, False, None)
    open_table("notes").put("2027/b", {"text": "second"}, False, None)
    client = Client(runner)
    listed = client.get("/__portable/tables/notes").json
    assert listed == {
        "table": "notes",
        "prefix": "",
        "items": [{"key": "2026/a", "value": {"text": "first"}}, {"key": "2027/b", "value": {"text": "second"}}],
    }
    only = client.get("/__portable/tables/notes?prefix=2027/").json
    assert only is not None and [item["key"] for item in only["items"]] == ["2027/b"]
    assert client.get("/__portable/tables/nope").status_code == 404


# Handing over between two runners --------------------------------------------------------------------------


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


def test_in_flight_counts_requests_until_their_bodies_are_sent() -> None:
    def slow_body(environ: object, start_response: object) -> Iterator[bytes]:
        yield b"part"

    counted = InFlight(slow_body)
    body = counted({}, lambda *args: None)
    assert not counted.wait_idle(0.01), "answered, not yet sent"
    assert list(body) == [b"part"]
    body.close()  # type: ignore[attr-defined]
    assert counted.wait_idle(0.01)


# The reloader's choice of files --------------------------------------------------------------------------


def test_the_reloader_watches_the_apps_python_files_only(tmp_path: Path) -> None:
    for folder in ("functions", "lib/deep", "tests", ".venv/lib", "venv", "node_modules", "docs"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    assert watched(tmp_path / "functions" / "hello.py", tmp_path)
    assert watched(tmp_path / "main.py", tmp_path)
    assert watched(tmp_path / "lib" / "deep" / "helpers.py", tmp_path)
    assert not watched(tmp_path / "tests" / "test_hello.py", tmp_path)
    assert not watched(tmp_path / ".venv" / "lib" / "x.py", tmp_path)
    assert not watched(tmp_path / "functions" / "__pycache__" / "hello.cpython-311.pyc", tmp_path)
    assert not watched(tmp_path / "functions" / "notes.md", tmp_path)
    assert not watched(tmp_path.parent / "elsewhere.py", tmp_path)
    assert list(watched_folders(tmp_path)) == [
        (tmp_path, False),
        (tmp_path / "docs", True),
        (tmp_path / "functions", True),
        (tmp_path / "lib", True),
    ]


def test_a_queue_outlives_the_runner_that_filled_it(state: Path) -> None:
    """What the reloader relies on: a stopped runner's queued events are there for the next one."""
    event = ObjectEvent(bucket="inbox", key="in/later.txt", kind="created", id="later", time=None)
    first = LocalApp(package="tests.apps.conformance")
    first.queue.add([("on_upload", event)])
    first.stop()
    second = LocalApp(package="tests.apps.conformance")
    taken = DeliveryQueue(state, second._lease_seconds).take(datetime.now(UTC).timestamp())
    assert taken is not None and taken.event == event


def an_app_watched(root: Path) -> tuple[Path, Reloader]:
    """`root/functions/hello.py`, and a reloader on `root` (not serving: its watcher is started by `_watch()`)."""
    (root / "functions").mkdir()
    hello = root / "functions" / "hello.py"
    hello.write_text("x = 1\n")
    return hello, Reloader("127.0.0.1", 0, [], root=root)


def test_the_reloader_hears_edits_and_not_reads(tmp_path: Path) -> None:
    import queue

    hello, reloader = an_app_watched(tmp_path)
    observer = reloader._watch()
    try:
        hello.read_text()
        (tmp_path / "functions" / "notes.txt").write_text("not code")
        with pytest.raises(queue.Empty):
            reloader.changes.get(timeout=0.5)
        hello.write_text("x = 2\n")
        assert reloader.changes.get(timeout=10) == hello
    finally:
        observer.stop()


def test_the_reloader_polls_when_file_events_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import watchdog.observers

    class NoEvents(watchdog.observers.Observer):  # type: ignore[misc, valid-type]
        def schedule(self, *args: object, **kwargs: object) -> None:
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watchdog.observers, "Observer", NoEvents)
    hello, reloader = an_app_watched(tmp_path)
    observer = reloader._watch()
    try:
        assert (
            "watching files by polling them, since the system's file events failed: [Errno 28] inotify watch "
            "limit reached" in capsys.readouterr().err
        )
        hello.write_text("x = 22\n")
        assert reloader.changes.get(timeout=10) == hello
    finally:
        observer.stop()


def test_without_the_reloader_an_app_that_cannot_load_stops_the_command(tmp_path: Path) -> None:
    (tmp_path / "broken_here").mkdir()
    (tmp_path / "broken_here" / "__init__.py").write_text("")
    (tmp_path / "broken_here" / "hello.py").write_text("def hello(:\n")
    done = subprocess.run(
        [sys.executable, "-m", "providers.local", "--no-reload", "--port", "0", "--package", "broken_here"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}:{ROOT}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "hello.py, line 1: SyntaxError: " in done.stderr
