"""A local table: one SQLite file per table, each item a JSON document with a version.

Every write that changes an item (put, delete, increment) also writes its table change, the item's value
before and after, to the file's outbox in the same transaction, so an acknowledged write always has its
change, even if the process dies the next instant; the local runner moves changes from the outbox to its
delivery queue, as it does a bucket's object events.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

from portable.change_trigger import change_of
from portable.errors import BackendError, Conflict, InvalidValue
from portable.storage_types import Document, Item, Page
from providers.local import events, outboxes
from providers.local.sqlite_files import Database, connect, immediate, local_dir, rows_by_prefix

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, value TEXT NOT NULL, version TEXT NOT NULL);\n"
    + outboxes.SCHEMA
)


class LocalTable:
    def __init__(self, logical: str, physical: str, root: Path | None = None) -> None:
        self.logical = logical
        self.path = (root or local_dir()) / "tables" / f"{physical}.sqlite3"

    def _db(self) -> Database:
        return connect(self.path, _SCHEMA, self.logical)

    def get(self, key: str) -> Item | None:
        try:
            row = self._db().execute("SELECT key, value, version FROM items WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise BackendError(self.logical, f"get {key!r} failed: {exc}") from exc
        return None if row is None else Item(row[0], json.loads(row[1]), row[2])

    def put(self, key: str, value: Document, if_absent: bool, if_version: str | None) -> str:
        version = uuid.uuid4().hex
        try:
            with immediate(self._db()) as db:
                old = self._checked(db, key, if_absent, if_version)
                db.execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?)", (key, json.dumps(value), version))
                self._record_change(db, key, old, value)
        except sqlite3.Error as exc:
            raise BackendError(self.logical, f"put {key!r} failed: {exc}") from exc
        events.doorbell.ring()
        return version

    def delete(self, key: str, if_version: str | None) -> None:
        try:
            with immediate(self._db()) as db:
                old = self._checked(db, key, False, if_version)
                if old is None:
                    return
                db.execute("DELETE FROM items WHERE key = ?", (key,))
                self._record_change(db, key, old, None)
        except sqlite3.Error as exc:
            raise BackendError(self.logical, f"delete {key!r} failed: {exc}") from exc
        events.doorbell.ring()

    def increment(self, key: str, field: str, amount: int) -> int:
        try:
            with immediate(self._db()) as db:
                old = self._stored(db, key)
                document = dict(old) if old is not None else {}
                current = document.get(field, 0)
                if not isinstance(current, int) or isinstance(current, bool):
                    raise InvalidValue(self.logical, f"{key!r}: field {field!r} holds {current!r}, not an integer")
                document[field] = current + amount
                db.execute(
                    "INSERT OR REPLACE INTO items VALUES (?, ?, ?)", (key, json.dumps(document), uuid.uuid4().hex)
                )
                self._record_change(db, key, old, document)
        except sqlite3.Error as exc:
            raise BackendError(self.logical, f"increment {key!r} failed: {exc}") from exc
        events.doorbell.ring()
        result: int = document[field]
        return result

    def query_page(self, prefix: str, limit: int, token: str | None) -> Page[Item]:
        rows = rows_by_prefix(self._db(), "key, value, version", "items", prefix, limit, token, self.logical)
        items = [Item(key, json.loads(value), version) for key, value, version in rows[:limit]]
        return Page(items, items[-1].key if len(rows) > limit else None)

    def outbox(self) -> outboxes.Outbox:
        """The changes of this table's writes, waiting for the relay."""
        return outboxes.Outbox(self.path, _SCHEMA, self.logical)

    def _stored(self, db: Database, key: str) -> Document | None:
        row = db.execute("SELECT value FROM items WHERE key = ?", (key,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def _checked(self, db: Database, key: str, if_absent: bool, if_version: str | None) -> Document | None:
        """The stored value of `key` (None: no item), once the write's condition holds; Conflict otherwise."""
        row = db.execute("SELECT value, version FROM items WHERE key = ?", (key,)).fetchone()
        if if_absent and row is not None:
            raise Conflict(self.logical, f"an item {key!r} already exists")
        if if_version is not None and (row is None or row[1] != if_version):
            found = "no item" if row is None else f"version {row[1]}"
            raise Conflict(self.logical, f"{key!r} is not at version {if_version} ({found}); read it again and retry")
        return None if row is None else dict(json.loads(row[0]))

    def _record_change(self, db: Database, key: str, old: Document | None, new: Document | None) -> None:
        outboxes.write(db, change_of(self.logical, key, old, new, uuid.uuid4().hex, datetime.now(UTC)))
