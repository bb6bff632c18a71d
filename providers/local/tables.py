"""A local table: one SQLite file per table, each item a JSON document with a version."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

from portable.errors import BackendError, Conflict, InvalidValue
from portable.storage_types import Document, Item, Page
from providers.local.sqlite_files import Database, connect, immediate, local_dir, rows_by_prefix

_SCHEMA = "CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, value TEXT NOT NULL, version TEXT NOT NULL);"


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
                self._check_condition(db, key, if_absent, if_version)
                db.execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?)", (key, json.dumps(value), version))
        except sqlite3.Error as exc:
            raise BackendError(self.logical, f"put {key!r} failed: {exc}") from exc
        return version

    def delete(self, key: str, if_version: str | None) -> None:
        try:
            with immediate(self._db()) as db:
                self._check_condition(db, key, False, if_version)
                db.execute("DELETE FROM items WHERE key = ?", (key,))
        except sqlite3.Error as exc:
            raise BackendError(self.logical, f"delete {key!r} failed: {exc}") from exc

    def increment(self, key: str, field: str, amount: int) -> int:
        try:
            with immediate(self._db()) as db:
                row = db.execute("SELECT value FROM items WHERE key = ?", (key,)).fetchone()
                document = json.loads(row[0]) if row else {}
                current = document.get(field, 0)
                if not isinstance(current, int) or isinstance(current, bool):
                    raise InvalidValue(self.logical, f"{key!r}: field {field!r} holds {current!r}, not an integer")
                document[field] = current + amount
                db.execute(
                    "INSERT OR REPLACE INTO items VALUES (?, ?, ?)", (key, json.dumps(document), uuid.uuid4().hex)
                )
        except sqlite3.Error as exc:
            raise BackendError(self.logical, f"increment {key!r} failed: {exc}") from exc
        result: int = document[field]
        return result

    def query_page(self, prefix: str, limit: int, token: str | None) -> Page[Item]:
        rows = rows_by_prefix(self._db(), "key, value, version", "items", prefix, limit, token, self.logical)
        items = [Item(key, json.loads(value), version) for key, value, version in rows[:limit]]
        return Page(items, items[-1].key if len(rows) > limit else None)

    def _check_condition(self, db: Database, key: str, if_absent: bool, if_version: str | None) -> None:
        if not if_absent and if_version is None:
            return
        row = db.execute("SELECT version FROM items WHERE key = ?", (key,)).fetchone()
        if if_absent and row is not None:
            raise Conflict(self.logical, f"an item {key!r} already exists")
        if if_version is not None and (row is None or row[0] != if_version):
            found = "no item" if row is None else f"version {row[0]}"
            raise Conflict(self.logical, f"{key!r} is not at version {if_version} ({found}); read it again and retry")
