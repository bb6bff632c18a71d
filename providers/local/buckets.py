"""A local bucket: a directory holding one SQLite file with every object's bytes and metadata.

SQLite gives atomic puts (a reader never sees half an object) and a sorted index for
listings, which plain files named after keys cannot (keys may hold '/', '..', or be
longer than a file name). Every put and delete also writes its object event to the
file's outbox in the same transaction, so an acknowledged write always has its event,
even if the process dies the next instant; the local runner moves events from the
outbox to its delivery queue.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from portable.errors import BackendError, NotFound, TooLarge
from portable.object_trigger import ObjectEvent, ObjectEventKind
from portable.storage_types import ObjectInfo, Page, SignedMethod
from providers.local import events, outboxes, signed_urls
from providers.local.sqlite_files import Database, connect, immediate, local_dir, open_connection, rows_by_prefix

MAX_OBJECT_BYTES = 1_000_000_000  # SQLite's default limit on one value
_OBJECTS = """
CREATE TABLE IF NOT EXISTS objects (
    key TEXT PRIMARY KEY, data BLOB NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
    content_type TEXT NOT NULL, metadata TEXT NOT NULL, modified TEXT NOT NULL
);
"""
_SCHEMA = _OBJECTS + outboxes.SCHEMA
_INFO_COLUMNS = "key, size, etag, modified, content_type, metadata"
_LISTED_COLUMNS = "key, size, etag, modified"


class LocalBucket:
    def __init__(self, logical: str, physical: str, root: Path | None = None) -> None:
        self.logical = logical
        self.physical = physical
        self.root = root or local_dir()
        self.path = self.root / "buckets" / physical / "objects.sqlite3"

    def _db(self) -> Database:
        return connect(self.path, _SCHEMA, self.logical)

    def put(self, key: str, data: bytes | IO[bytes], content_type: str, metadata: dict[str, str]) -> ObjectInfo:
        content = data if isinstance(data, bytes) else _read_all(self.logical, data)
        if len(content) > MAX_OBJECT_BYTES:
            raise TooLarge(self.logical, f"{key!r} is {len(content)} bytes; local objects hold {MAX_OBJECT_BYTES}")
        info = ObjectInfo(
            key, len(content), hashlib.md5(content).hexdigest(), datetime.now(UTC), content_type, dict(metadata)
        )
        try:
            with immediate(self._db()) as db:
                db.execute(
                    "INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        content,
                        info.size,
                        info.etag,
                        content_type,
                        json.dumps(metadata),
                        info.last_modified.isoformat(),
                    ),
                )
                self._record_event(db, info, "created")
        except sqlite3.Error as exc:
            raise BackendError(self.logical, f"put {key!r} failed: {exc}") from exc
        events.doorbell.ring()
        return info

    def get(self, key: str) -> bytes:
        row = self._query_one("SELECT data FROM objects WHERE key = ?", key)
        data: bytes = row[0]
        return data

    def stream(self, key: str, chunk_size: int) -> Iterator[bytes]:
        # A connection of its own: its read transaction pins one version of the object while streaming.
        connection = open_connection(self.path, _SCHEMA, self.logical)
        connection.execute("BEGIN")
        row = connection.execute("SELECT rowid, size FROM objects WHERE key = ?", (key,)).fetchone()
        if row is None:
            connection.close()
            raise NotFound(self.logical, f"no object {key!r}")
        return _chunks(connection, row[0], row[1], chunk_size)

    def head(self, key: str) -> ObjectInfo:
        return _info(self._query_one(f"SELECT {_INFO_COLUMNS} FROM objects WHERE key = ?", key))

    def delete(self, key: str) -> None:
        try:
            with immediate(self._db()) as db:
                row = db.execute(f"SELECT {_INFO_COLUMNS} FROM objects WHERE key = ?", (key,)).fetchone()
                if row is None:
                    return
                db.execute("DELETE FROM objects WHERE key = ?", (key,))
                self._record_event(db, _info(row), "deleted")
        except sqlite3.Error as exc:
            raise BackendError(self.logical, f"delete {key!r} failed: {exc}") from exc
        events.doorbell.ring()

    def list_page(self, prefix: str, limit: int, token: str | None) -> Page[ObjectInfo]:
        rows = rows_by_prefix(self._db(), _LISTED_COLUMNS, "objects", prefix, limit, token, self.logical)
        items = [
            ObjectInfo(key, size, etag, datetime.fromisoformat(modified)) for key, size, etag, modified in rows[:limit]
        ]
        return Page(items, items[-1].key if len(rows) > limit else None)

    def signed_url(self, key: str, method: SignedMethod, expires_seconds: int, content_type: str | None) -> str:
        return signed_urls.sign(
            self.physical, key, method, expires_seconds, content_type, signed_urls.base_url(self.root)
        )

    def outbox(self) -> outboxes.Outbox:
        """The events of this bucket's writes, waiting for the relay."""
        return outboxes.Outbox(self.path, _SCHEMA, self.logical)

    def _query_one(self, sql: str, key: str) -> tuple[Any, ...]:
        try:
            row = self._db().execute(sql, (key,)).fetchone()
        except sqlite3.Error as exc:
            raise BackendError(self.logical, f"reading {key!r} failed: {exc}") from exc
        if row is None:
            raise NotFound(self.logical, f"no object {key!r}")
        return tuple(row)

    def _record_event(self, db: Database, info: ObjectInfo, kind: ObjectEventKind) -> None:
        event = ObjectEvent(
            bucket=self.logical,
            key=info.key,
            kind=kind,
            id=uuid.uuid4().hex,
            time=datetime.now(UTC),
            size=info.size,
            etag=info.etag,
            content_type=info.content_type,
        )
        outboxes.write(db, event)


def _read_all(resource: str, stream: IO[bytes]) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(1024 * 1024):
        total += len(chunk)
        if total > MAX_OBJECT_BYTES:
            raise TooLarge(resource, f"local buckets hold objects up to {MAX_OBJECT_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _chunks(connection: sqlite3.Connection, rowid: int, size: int, chunk_size: int) -> Iterator[bytes]:
    try:
        with connection.blobopen("objects", "data", rowid, readonly=True) as blob:
            for _ in range(0, size, chunk_size):
                yield blob.read(chunk_size)
    finally:
        connection.close()


def _info(row: tuple[Any, ...]) -> ObjectInfo:
    key, size, etag, modified, content_type, metadata = row
    return ObjectInfo(key, size, etag, datetime.fromisoformat(modified), content_type, json.loads(metadata))
