"""Where local buckets and tables live, and the one SQLite connection per state file each process shares."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Generator, Iterable, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from portable.context import setting
from portable.data_rules import prefix_successor
from portable.errors import BackendError

_chosen_dir: ContextVar[Path | None] = ContextVar("portable_local_dir", default=None)
# How long a statement waits for another process's write to finish (the runner and a test kit, or `portable data`,
# on one state folder); within a process, writes to a file take turns on its one connection and never wait so.
BUSY_TIMEOUT_SECONDS = 5


def local_dir() -> Path:
    """The folder set by `using_local_dir`, else `$PORTABLE_LOCAL_DIR`, else `.portable/` in the current directory."""
    return _chosen_dir.get() or Path(os.environ.get("PORTABLE_LOCAL_DIR") or ".portable")


def using_local_dir(path: Path) -> AbstractContextManager[None]:
    """Local buckets, tables and the signing key live in `path` inside the block (this thread, and the contexts
    copied from it), whatever the environment says: the test kit's isolated state, `--state` of the CLI."""
    return setting(_chosen_dir, path)


class Rows:
    """What a statement gave, read in full while its file's lock was held: fetchone(), fetchall(), rowcount."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return self._rows


class Database:
    """The one connection of this process to one state file, shared by every thread.

    A thread runs one statement, or one transaction (`immediate`), at a time on it: a lock makes the others take
    turns, which costs them microseconds, where separate connections would each retry SQLite's busy lock with
    sleeps that grow to 100 ms. The file is in WAL mode with synchronous=NORMAL: a commit is in the file when it
    returns, so it outlives the process (`kill -9` included); only an OS crash may lose the last ones.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.lock = threading.RLock()

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Rows:
        with self.lock:
            cursor = self.connection.execute(sql, parameters)
            return Rows(cursor.fetchall(), cursor.rowcount)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Rows:
        with self.lock:
            cursor = self.connection.executemany(sql, rows)
            return Rows(cursor.fetchall(), cursor.rowcount)

    def close(self) -> None:
        with self.lock:
            self.connection.close()


_databases: dict[str, Database] = {}  # by path: as text, which hashes faster than a Path
_opening = threading.Lock()


def close_connections(root: Path) -> None:
    """Close this process's connections to files under `root` (a state folder about to be removed)."""
    with _opening:
        for path in [path for path in _databases if Path(path).is_relative_to(root)]:
            _databases.pop(path).close()


def connect(path: Path, schema: str, resource: str) -> Database:
    """This process's connection to `path`, created with `schema` on first use."""
    key = str(path)
    database = _databases.get(key)
    if database is None:
        with _opening:
            database = _databases.get(key)
            if database is None:
                database = _databases[key] = Database(open_connection(path, schema, resource))
    return database


def open_connection(path: Path, schema: str, resource: str) -> sqlite3.Connection:
    """A connection of its own to `path` (one reader streaming an object holds one), created with `schema`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(schema)
    except (OSError, sqlite3.Error) as exc:
        raise BackendError(resource, f"cannot open {path}: {exc}") from exc
    return connection


@contextmanager
def immediate(database: Database) -> Generator[Database, None, None]:
    """A write transaction that takes the file's lock up front, so read-modify-write cannot interleave: this process's
    other threads wait for it on the connection's lock, other processes on SQLite's."""
    with database.lock:
        database.connection.execute("BEGIN IMMEDIATE")
        try:
            yield database
        except BaseException:
            database.connection.execute("ROLLBACK")
            raise
        database.connection.execute("COMMIT")


def rows_by_prefix(
    connection: Database,
    columns: str,
    table: str,
    prefix: str,
    limit: int,
    token: str | None,
    resource: str,
) -> list[Any]:
    """Up to `limit + 1` rows whose key starts with `prefix` and sorts after `token`, in key order.

    The extra row tells the caller whether another page follows.
    """
    clauses, params = ["key >= ?"], [prefix]
    upper = prefix_successor(prefix)
    if upper is not None:
        clauses.append("key < ?")
        params.append(upper)
    if token is not None:
        clauses.append("key > ?")
        params.append(token)
    sql = f"SELECT {columns} FROM {table} WHERE {' AND '.join(clauses)} ORDER BY key LIMIT ?"
    try:
        return connection.execute(sql, (*params, limit + 1)).fetchall()
    except sqlite3.Error as exc:
        raise BackendError(resource, f"listing keys under {prefix!r} failed: {exc}") from exc
