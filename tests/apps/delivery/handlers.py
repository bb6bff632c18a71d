"""Each handler appends one JSON line per attempt to $PORTABLE_TEST_RECORD, then behaves as its key says.

`flaky/...` fails its first two attempts, `poison/...` fails until a file `<record>.fixed`
exists (the bug is fixed), `exit/...` calls sys.exit(), `slow/...` takes 100 ms and is
recorded once done. `tick` fails the first attempt of every firing. `once` has one attempt, and
fails it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from portable import ObjectEvent, RetryPolicy, ScheduleEvent, bucket, schedule

drops = bucket("drops")
singles = bucket("singles")


def _record(kind: str, event_id: str, key: str | None) -> int:
    """Append this attempt; the number of attempts recorded for `event_id`, this one included."""
    path = Path(os.environ["PORTABLE_TEST_RECORD"])
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"kind": kind, "id": event_id, "key": key, "at": time.time()}) + "\n")
    return sum(json.loads(line)["id"] == event_id for line in path.read_text(encoding="utf-8").splitlines())


@drops.on_created()
def on_drop(event: ObjectEvent) -> None:
    if event.key.startswith("slow/"):
        time.sleep(0.1)
    attempt = _record("object", event.id, event.key)
    if event.key.startswith("flaky/") and attempt < 3:
        raise RuntimeError(f"flaky: attempt {attempt} fails")
    if event.key.startswith("poison/") and not Path(os.environ["PORTABLE_TEST_RECORD"] + ".fixed").exists():
        raise RuntimeError("poison: fails until fixed")
    if event.key.startswith("exit/"):
        sys.exit(3)


@schedule("*/5 * * * *")
def tick(event: ScheduleEvent) -> None:
    if _record("schedule", event.id, None) < 2:
        raise RuntimeError("tick fails the first attempt of each firing")


@singles.on_created(retries=RetryPolicy(attempts=1, max_age_seconds=600))
def once(event: ObjectEvent) -> None:
    _record("object", event.id, event.key)
    raise ValueError(f"once: no second chance for {event.key}")
