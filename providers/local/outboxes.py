"""The outbox table that local buckets, tables and the message handles write in the transaction of the write
itself, and that the relay empties into the delivery queue.

Each row holds one local event as JSON (`events.to_json`) after its sequence number, and may carry its due
time (a delayed message); a write's event is due at once.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from portable import log
from portable.errors import BackendError
from providers.local import events
from providers.local.sqlite_files import Database, connect, immediate

SCHEMA = "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);"


def write(db: Database, event: Any) -> None:
    """Add `event` to the outbox of `db`, inside the caller's transaction."""
    db.execute("INSERT INTO outbox (event) VALUES (?)", (events.to_json(event),))


class Outbox:
    """The outbox of the SQLite file at `path` (created with `schema`); `columns` names the event's column, then
    its due time's if it has one."""

    def __init__(self, path: Path, schema: str, resource: str, columns: str = "event") -> None:
        self.path = path
        self.schema = schema
        self.resource = resource
        self.columns = columns

    def take(self, limit: int) -> tuple[int, list[tuple[Any, float | None]]]:
        """Up to `limit` events, oldest first, each with its due time (None: at once), and the last row read (0:
        none). A row that cannot be read back is logged and skipped: it would block every row behind it."""
        if not self.path.exists():
            return 0, []
        try:
            rows = (
                self._db().execute(f"SELECT seq, {self.columns} FROM outbox ORDER BY seq LIMIT ?", (limit,)).fetchall()
            )
        except sqlite3.Error as exc:
            raise BackendError(self.resource, f"reading the outbox failed: {exc}") from exc
        found = []
        for seq, text, *due in rows:
            try:
                found.append((events.from_json(text), due[0] if due else None))
            except events.UnreadableEvent as exc:
                log.error("unreadable outbox row skipped", resource=self.resource, seq=seq, error=str(exc))
        return (rows[-1][0] if rows else 0), found

    def clear(self, through: int) -> None:
        """Forget the rows up to `through`, once their events are safely in the delivery queue."""
        try:
            with immediate(self._db()) as db:
                db.execute("DELETE FROM outbox WHERE seq <= ?", (through,))
        except sqlite3.Error as exc:
            raise BackendError(self.resource, f"clearing the outbox failed: {exc}") from exc

    def _db(self) -> Database:
        return connect(self.path, self.schema, self.resource)
