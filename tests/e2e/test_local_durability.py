"""After `kill -9` of the runner and a restart, every acknowledged upload is delivered.

The real runner (`python -m providers.local --no-reload`, the process that serves) serves
tests.apps.delivery on a free loopback port. A thread PUTs objects through the control
endpoint while the runner is killed mid-stream; the handler takes 100 ms, so the kill leaves
acknowledged uploads undelivered.
A runner restarted on the same state directory delivers every one of them: at least once,
twice for an attempt the kill cut short, always with the same event id.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import IO

import pytest

from providers.local import signed_urls
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

UPLOADS = 250
KILL_AFTER = 100


def start_runner(env: dict[str, str], log: IO[bytes]) -> tuple[subprocess.Popen[bytes], int]:
    """The runner serving tests.apps.delivery on a free loopback port, and that port."""
    offset = log.tell()
    runner = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "providers.local",
            "--port",
            "0",
            "--package",
            "tests.apps.delivery",
            "--no-schedules",
            "--no-reload",
        ],  # the serving process itself is killed, not a reloader above it
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and runner.poll() is None:
        found = re.search(rb"Portable local: http://127\.0\.0\.1:(\d+)", Path(log.name).read_bytes()[offset:])
        if found:
            return runner, int(found.group(1))
        time.sleep(0.05)
    runner.kill()
    raise AssertionError(f"the runner did not start:\n{Path(log.name).read_text()[-3000:]}")


def put(port: int, key: str) -> bool:
    """Whether the runner acknowledged the upload of `key`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("PUT", f"/__portable/objects/drops/{key}", body=b"payload")
        return connection.getresponse().status == 201
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def delivered(record: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def test_every_acknowledged_upload_is_delivered_after_kill_9(tmp_path: Path) -> None:
    record, state = tmp_path / "delivered.jsonl", tmp_path / "state"
    env = {**os.environ, "PORTABLE_LOCAL_DIR": str(state), "PORTABLE_TEST_RECORD": str(record)}
    acknowledged: list[str] = []
    with (tmp_path / "runner.log").open("w+b") as log:
        first, port = start_runner(env, log)
        assert signed_urls.base_url(state) == f"http://127.0.0.1:{port}", "signed URLs name the real port"

        def upload() -> None:
            for number in range(UPLOADS):
                if not put(port, f"slow/{number:04d}"):
                    return
                acknowledged.append(f"slow/{number:04d}")

        uploader = threading.Thread(target=upload)
        uploader.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        uploader.join(timeout=30)
        undelivered_at_kill = set(acknowledged) - {entry["key"] for entry in delivered(record)}

        second, _ = start_runner(env, log)
        try:
            deadline = time.monotonic() + 60
            while not set(acknowledged) <= {entry["key"] for entry in delivered(record)}:
                assert time.monotonic() < deadline, "acknowledged uploads were lost"
                time.sleep(0.05)
            time.sleep(0.5)  # room for a late duplicate to show up in the count
        finally:
            second.terminate()
            second.wait(timeout=10)

    entries = delivered(record)
    runs = Counter(entry["id"] for entry in entries)
    ids_by_key = {key: {entry["id"] for entry in entries if entry["key"] == key} for key in acknowledged}
    lost = [key for key, ids in ids_by_key.items() if not ids]
    print(
        f"\nacknowledged {len(acknowledged)} of {UPLOADS} PUTs before the kill; "
        f"{len(undelivered_at_kill)} not yet delivered when killed; after the restart delivered "
        f"{sum(1 for ids in ids_by_key.values() if ids)}, lost {len(lost)}, "
        f"duplicates {sum(count - 1 for count in runs.values())}; "
        f"{len({entry['key'] for entry in entries} - set(acknowledged))} unacknowledged PUTs delivered too"
    )
    assert KILL_AFTER <= len(acknowledged) < UPLOADS, "the kill came mid-stream"
    assert undelivered_at_kill, "the kill left a backlog to recover"
    assert lost == []
    assert all(len(ids) == 1 for ids in ids_by_key.values()), "a redelivery carries the same event id"
