"""The reloader in its processes: `python -m providers.local` (what `portable dev` and `./dev serve` run) on an app
outside this repository, edited while it serves.

Started with a syntax error, it answers every call with the error's file and line; events queued meanwhile (an
upload, a schedule firing) wait in the durable queue and reach the code that fixes it; an HTTP call in flight during
a reload finishes on the code it started on, and the next call gets the new code. Each start warns about a
`requires=` package that is not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from portable.schedule_trigger import schedule_firing
from providers.cli.scaffold import scaffold
from providers.local.buckets import LocalBucket
from providers.local.delivery_queue import DeliveryQueue
from tests.backends.servers import free_port, wait_listening
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

WORK = """\
import time

from portable import ObjectEvent, ScheduleEvent, bucket, http, schedule, table

VERSION = "{version}"
inbox = bucket("inbox")
seen = table("seen")


@http("POST /slow", requires=["surely-not-installed-pkg>=1"])
def slow(request):
    time.sleep(2)
    return {{"version": VERSION}}


@inbox.on_created(writes=[seen])
def on_upload(event: ObjectEvent) -> None:
    seen.put(f"object/{{event.key}}", {{"version": VERSION}})


@schedule("0 3 * * *", writes=[seen])
def nightly(event: ScheduleEvent) -> None:
    seen.put(f"schedule/{{event.id}}", {{"version": VERSION}})
"""
HELLO = """\
from portable import http


@http("POST /hello")
def hello(request):
    return {{"message": "{message}"}}
"""


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    scaffold(tmp_path / "app")
    return tmp_path / "app"


@pytest.fixture()
def served(app: Path, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """The runner serving `app` on a free port, started once the test has written the app's files."""
    process: list[subprocess.Popen[bytes]] = []

    def start() -> str:
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTABLE_LOCAL_DIR": str(tmp_path / "state")}
        process.append(
            subprocess.Popen(
                [sys.executable, "-m", "providers.local", "--port", str(port), "--no-schedules"],
                cwd=app,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        )
        wait_listening(process[0], port, "the runner")
        return f"http://127.0.0.1:{port}"

    yield start
    if process:
        process[0].terminate()
        output = process[0].communicate(timeout=60)[0].decode()
        assert process[0].returncode == 0, output
        assert "Portable local: the app failed to load: functions/hello.py, line 5: SyntaxError" in output
        assert output.count(" changed, reloading") >= 2, output
        assert (
            "warning: function 'slow' (functions/work.py:10) requires 'surely-not-installed-pkg>=1', which is not "
            "installed here, so calling it fails; add 'surely-not-installed-pkg>=1' to requirements-dev.txt and run "
            "`./dev lock`" in output
        ), "at each start"


def until(check: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


def hello_says(url: str, message: str) -> Callable[[], bool]:
    def check() -> bool:
        reply = requests.post(f"{url}/hello", timeout=30)
        return reply.status_code == 200 and reply.json() == {"message": message}

    return check


def test_a_broken_app_is_shown_fixed_and_reloaded_without_losing_events(
    app: Path, tmp_path: Path, served: Callable[[], str]
) -> None:
    hello, work = app / "functions" / "hello.py", app / "functions" / "work.py"
    hello.write_text("from portable import http\n\n\n@http('POST /hello')\ndef hello(request:\n")
    work.write_text(WORK.format(version="v1"))
    url = served()

    broken = requests.post(f"{url}/hello", timeout=30)
    body = broken.json()
    assert broken.status_code == 500 and body["load_error"]["file"] == "functions/hello.py"
    assert body["load_error"]["line"] == 5 and body["load_error"]["type"] == "SyntaxError"
    assert body["error"].startswith("the app failed to load: functions/hello.py, line 5: SyntaxError: ")
    assert requests.get(f"{url}/__portable/tables/seen", timeout=30).status_code == 500, "nothing runs while broken"

    # Events that wait while the code cannot run: an upload from another process, and a schedule's firing.
    state = tmp_path / "state"
    LocalBucket("inbox", "inbox", state).put("photo.jpg", b"jpeg", "image/jpeg", {})
    DeliveryQueue(state, lambda function: 60).add([("nightly", schedule_firing("nightly", datetime.now(UTC)))])

    work.write_text(WORK.format(version="v2"))
    hello.write_text(HELLO.format(message="fixed"))
    until(hello_says(url, "fixed"), "the fixed hello answers")

    def seen() -> list[dict[str, Any]]:
        items = requests.get(f"{url}/__portable/tables/seen", timeout=30).json()["items"]
        return items if len(items) == 2 else []

    items = until(seen, "the upload and the firing are handled")
    assert [item["key"].split("/")[0] for item in items] == ["object", "schedule"]
    assert [item["value"] for item in items] == [{"version": "v2"}] * 2, "handled by the fixed code"

    # An edit while a call is in flight: the call finishes on the code it started on; the next gets the new code.
    answered: list[requests.Response] = []
    call = threading.Thread(target=lambda: answered.append(requests.post(f"{url}/slow", timeout=60)))
    call.start()
    time.sleep(0.5)
    hello.write_text(HELLO.format(message="edited"))
    until(hello_says(url, "edited"), "the edited hello answers")
    call.join(timeout=60)
    assert answered[0].status_code == 200 and answered[0].json() == {"version": "v2"}


def test_the_server_never_outlives_the_reloader(app: Path, tmp_path: Path) -> None:
    """`kill -9` of `portable dev`'s first process: its server stops too, and the port is free again."""
    import signal

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTABLE_LOCAL_DIR": str(tmp_path / "state")}
    reloader = subprocess.Popen(
        [sys.executable, "-m", "providers.local", "--port", str(port), "--no-schedules"],
        cwd=app,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    wait_listening(reloader, port, "the runner")
    until(hello_says(f"http://127.0.0.1:{port}", "Hello, World!"), "hello answers")
    reloader.send_signal(signal.SIGKILL)
    reloader.communicate(timeout=30)
    until(lambda: port_free(port), "nothing listens on the port any more", timeout=30)


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.connect(("127.0.0.1", port))
        except ConnectionRefusedError:
            return True
    return False


SLOW = """\
import time

from portable import http


@http("POST /slow")
def slow(request):
    time.sleep(10)
    return {"slept": 10}
"""


def test_a_server_stopping_after_a_reload_lets_go_of_the_port_when_the_reloader_dies(app: Path, tmp_path: Path) -> None:
    """The server a reload stops finishes its calls in flight, but never holds the port meanwhile: once the reloader
    is killed (and with it the new server), nothing listens, though the old one still answers its slow call."""
    import signal

    (app / "functions" / "slow.py").write_text(SLOW)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTABLE_LOCAL_DIR": str(tmp_path / "state")}
    with (tmp_path / "runner.log").open("wb") as log:  # a pipe would stay open as long as the old server runs
        reloader = subprocess.Popen(
            [sys.executable, "-m", "providers.local", "--port", str(port), "--no-schedules"],
            cwd=app,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    wait_listening(reloader, port, "the runner")
    url = f"http://127.0.0.1:{port}"
    until(hello_says(url, "Hello, World!"), "hello answers")
    answered: list[requests.Response] = []
    call = threading.Thread(target=lambda: answered.append(requests.post(f"{url}/slow", timeout=60)))
    call.start()
    time.sleep(0.5)
    (app / "functions" / "hello.py").write_text(HELLO.format(message="reloaded"))
    until(hello_says(url, "reloaded"), "the reloaded hello answers")
    reloader.send_signal(signal.SIGKILL)
    reloader.wait(timeout=30)
    until(lambda: port_free(port), "nothing listens on the port any more", timeout=5)
    assert call.is_alive(), (tmp_path / "runner.log").read_text()
    call.join(timeout=60)
    assert answered and answered[0].status_code == 200 and answered[0].json() == {"slept": 10}
