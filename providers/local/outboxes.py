"""The outbox table that a local bucket and the local message handles write in the transaction of the write
itself, and that the relay empties into the delivery queue.

Each row holds one local event as JSON (`events.to_json`) after its sequence number, and may carry more
columns (a message's due time).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from portable import log
from portable.errors import BackendError
from providers.local import events
from providers.local.sqlite_files import Database, immediate


def read(
    db: Database, columns: str, resource: str, limit: int
) -> tuple[int, list[tuple[events.LocalEvent, tuple[Any, ...]]]]:
    """Up to `limit` rows, oldest first, as (event, the row's other columns), and the last row read (0: none).

    `columns` names the event's column, then the others. A row that cannot be read back is logged and
    skipped: it would block every row behind it.
    """
    try:
        rows = db.execute(f"SELECT seq, {columns} FROM outbox ORDER BY seq LIMIT ?", (limit,)).fetchall()
    except sqlite3.Error as exc:
        raise BackendError(resource, f"reading the outbox failed: {exc}") from exc
    found = []
    for seq, text, *rest in rows:
        try:
            found.append((events.from_json(text), tuple(rest)))
        except events.UnreadableEvent as exc:
            log.error("unreadable outbox row skipped", resource=resource, seq=seq, error=str(exc))
    return (rows[-1][0] if rows else 0), found


def clear(db: Database, through: int, resource: str) -> None:
    """Forget the rows up to `through`, once their events are safely in the delivery queue."""
    try:
        with immediate(db):
            db.execute("DELETE FROM outbox WHERE seq <= ?", (through,))
    except sqlite3.Error as exc:
        raise BackendError(resource, f"clearing the outbox failed: {exc}") from exc
