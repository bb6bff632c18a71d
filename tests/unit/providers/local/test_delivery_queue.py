"""The durable queue (providers/local/delivery_queue.py): what a stopped runner queued is there for the next one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from portable.object_trigger import ObjectEvent
from providers.local.delivery_queue import DeliveryQueue
from providers.local.runner import LocalApp


@pytest.fixture()
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def test_a_queue_outlives_the_runner_that_filled_it(state: Path) -> None:
    """What the reloader relies on: a stopped runner's queued events are there for the next one."""
    event = ObjectEvent(bucket="inbox", key="in/later.txt", kind="created", id="later", time=None)
    first = LocalApp(package="tests.apps.conformance")
    first.queue.add([("on_upload", event)])
    first.stop()
    second = LocalApp(package="tests.apps.conformance")
    taken = DeliveryQueue(state, second._lease_seconds).take(datetime.now(UTC).timestamp())
    assert taken is not None and taken.event == event
