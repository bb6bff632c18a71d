"""The local delivery queue: every event a function still has to handle, in the state directory.

One SQLite file (`deliveries.sqlite3`), written before a schedule firing is acknowledged
and filled from the buckets' outboxes, so that queued events outlive a crash of the
runner, as they outlive a crash of a function in the clouds. A row is one event for one
function. A worker takes a row on lease for one attempt: `owner` names the process and
`due` the end of the lease. The lease of a process that has died is void at once; one
that outlives the function's timeout is void too, since the clouds count an attempt
that runs past its timeout as failed.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from portable import log
from portable.errors import BackendError
from providers.local import events
from providers.local.events import LocalEvent
from providers.local.sqlite_files import Database, connect, immediate

RESOURCE = "delivery queue"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY, function TEXT NOT NULL, event_id TEXT NOT NULL, event TEXT NOT NULL,
    queued REAL NOT NULL, due REAL NOT NULL, attempts INTEGER NOT NULL, last_error TEXT, owner TEXT,
    UNIQUE (function, event_id)
);
CREATE INDEX IF NOT EXISTS deliveries_by_due ON deliveries (due);
"""
_COLUMNS = "id, function, event, queued, attempts, last_error"
# Tells this process from an earlier one that had the same pid (a restarted container).
_PROCESS = uuid.uuid4().hex

LeaseSeconds = Callable[[str], float]


class QueuedEvent(NamedTuple):
    """One event for one function; `attempts` counts the attempts started, the one under way included."""

    id: str
    function: str
    event: LocalEvent
    queued: float
    attempts: int
    last_error: str | None


class DeliveryQueue:
    """The queue under `root`; `lease_seconds(function)` is how long one attempt of that function may hold a row."""

    def __init__(self, root: Path, lease_seconds: LeaseSeconds) -> None:
        self.path = root / "deliveries.sqlite3"
        self.lease_seconds = lease_seconds

    def add(self, items: Iterable[tuple[str, LocalEvent]]) -> None:
        """Queue each (function, event), due at once; an event already queued for a function is not queued again."""
        now = time.time()
        rows = [(uuid.uuid4().hex, function, event.id, events.to_json(event), now, now) for function, event in items]
        if not rows:
            return
        with self._transaction("queueing events") as db:
            db.executemany("INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?, ?, ?, 0, NULL, NULL)", rows)
        events.doorbell.ring()

    def add_due(self, items: Iterable[tuple[str, LocalEvent, float]]) -> None:
        """Queue each (function, event), due at its time (a delayed message); an event queued already is not queued
        again."""
        now = time.time()
        rows = [
            (uuid.uuid4().hex, function, event.id, events.to_json(event), now, max(now, due))
            for function, event, due in items
        ]
        if not rows:
            return
        with self._transaction("queueing messages") as db:
            db.executemany("INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?, ?, ?, 0, NULL, NULL)", rows)
        events.doorbell.ring()

    def add_taken(self, function: str, event: LocalEvent) -> QueuedEvent | None:
        """Queue (function, event), taken by this process for its first attempt; None if it is queued already."""
        now = time.time()
        delivery = QueuedEvent(uuid.uuid4().hex, function, event, now, 1, None)
        with self._transaction("queueing an event") as db:
            added = db.execute(
                "INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?, ?, ?, 1, NULL, ?)",
                (
                    delivery.id,
                    function,
                    event.id,
                    events.to_json(event),
                    now,
                    now + self.lease_seconds(function),
                    _owner(),
                ),
            ).rowcount
        return delivery if added else None

    def take(self, now: float) -> QueuedEvent | None:
        """The delivery due first, taken for one more attempt; None when none is due.

        A row that cannot be read back is logged and dropped: it would come back forever.
        """
        with self._transaction("taking a delivery") as db:
            while row := db.execute(
                f"SELECT {_COLUMNS} FROM deliveries WHERE due <= ? ORDER BY due LIMIT 1", (now,)
            ).fetchone():
                delivery_id, function, text, queued, attempts, last_error = row
                try:
                    event = events.from_json(text)
                except events.UnreadableEvent as exc:
                    log.error("unreadable delivery dropped", function=function, delivery=delivery_id, error=str(exc))
                    db.execute("DELETE FROM deliveries WHERE id = ?", (delivery_id,))
                    continue
                db.execute(
                    "UPDATE deliveries SET attempts = ?, owner = ?, due = ? WHERE id = ?",
                    (attempts + 1, _owner(), now + self.lease_seconds(function), delivery_id),
                )
                return QueuedEvent(delivery_id, function, event, queued, attempts + 1, last_error)
        return None

    def next_due(self) -> float | None:
        """When the next row falls due (a retry, or a lease that runs out), or None if the queue is empty."""
        try:
            due: float | None = self._db().execute("SELECT MIN(due) FROM deliveries").fetchone()[0]
        except sqlite3.Error as exc:
            raise BackendError(RESOURCE, f"reading the queue failed: {exc}") from exc
        return due

    def pending(self) -> dict[str, int]:
        """How many events each function still has to handle (queued, retrying or under way)."""
        try:
            rows = self._db().execute("SELECT function, COUNT(*) FROM deliveries GROUP BY function").fetchall()
        except sqlite3.Error as exc:
            raise BackendError(RESOURCE, f"reading the queue failed: {exc}") from exc
        return {function: count for function, count in rows}

    def done(self, delivery: QueuedEvent) -> None:
        """The event is handled: forget it, whichever attempt holds it now."""
        with self._transaction("finishing a delivery") as db:
            db.execute("DELETE FROM deliveries WHERE id = ?", (delivery.id,))

    def retry(self, delivery: QueuedEvent, at: float, error: str) -> None:
        """Attempt it again at `at`, unless a newer attempt (after a lease ran out) holds it already."""
        with self._transaction("scheduling a retry") as db:
            db.execute(
                "UPDATE deliveries SET due = ?, owner = NULL, last_error = ? WHERE id = ? AND attempts = ?",
                (at, error, delivery.id, delivery.attempts),
            )

    def move_out(self, delivery: QueuedEvent, keep: Callable[[], None]) -> bool:
        """Forget `delivery` once `keep()` has stored it elsewhere; False (no `keep()`) if a newer attempt holds it.

        If the process dies after `keep()`, the row stays and its next attempt moves it out again.
        """
        with self._transaction("moving a delivery out") as db:
            row = db.execute("SELECT attempts FROM deliveries WHERE id = ?", (delivery.id,)).fetchone()
            if row is None or row[0] != delivery.attempts:
                return False
            keep()
            db.execute("DELETE FROM deliveries WHERE id = ?", (delivery.id,))
        return True

    def release_the_dead(self, now: float) -> None:
        """Make the rows held by processes that have died (a crash, `kill -9`) due at once."""
        with self._transaction("releasing leases") as db:
            owners = db.execute("SELECT DISTINCT owner FROM deliveries WHERE owner IS NOT NULL AND due > ?", (now,))
            for (owner,) in owners.fetchall():
                if not _alive(owner):
                    db.execute("UPDATE deliveries SET owner = NULL, due = ? WHERE owner = ?", (now, owner))

    def _db(self) -> Database:
        return connect(self.path, _SCHEMA, RESOURCE)

    @contextmanager
    def _transaction(self, doing: str) -> Iterator[Database]:
        try:
            with immediate(self._db()) as db:
                yield db
        except sqlite3.Error as exc:
            raise BackendError(RESOURCE, f"{doing} failed: {exc}") from exc


def _owner() -> str:
    return f"{os.getpid()}:{_PROCESS}"


def _alive(owner: str) -> bool:
    pid_text, _, process = owner.partition(":")
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return process == _PROCESS
    if sys.platform == "win32":  # os.kill there ends the process; the lease runs out instead
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, under another user
        return True
    return True
