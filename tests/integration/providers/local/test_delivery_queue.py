"""The durable queue's leases (providers/local/delivery_queue.py) against a process that has really exited."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from portable.object_trigger import ObjectEvent
from providers.local.delivery_queue import DeliveryQueue


def test_a_lease_is_void_once_its_process_has_died_or_its_time_has_run_out(tmp_path: Path) -> None:
    queue = DeliveryQueue(tmp_path, lambda function: 60)
    event = ObjectEvent(bucket="drops", key="a", kind="created", id="e-1", time=None)
    queue.add([("on_drop", event), ("on_drop", event)])
    first = queue.take(time.time())
    assert first is not None and first.attempts == 1 and queue.take(time.time()) is None, "queued once, held"
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True, timeout=30
    )
    with sqlite3.connect(tmp_path / "deliveries.sqlite3") as db:
        db.execute("UPDATE deliveries SET owner = ?", (f"{ended.stdout.strip()}:gone",))
    queue.release_the_dead(time.time())
    second = queue.take(time.time())
    assert second is not None and second.attempts == 2 and second.event == event
    third = queue.take(time.time() + 61)
    assert third is not None and third.attempts == 3, "a lease past the function's timeout is void too"
    queue.retry(second, time.time(), "late failure of an attempt given up on")
    assert queue.take(time.time()) is None, "the stale attempt did not reschedule the newer one"
