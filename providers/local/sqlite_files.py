"""Where local buckets and tables live, and one SQLite connection per thread per file."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Generator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from portable.context import setting
from portable.data_rules import prefix_successor
from portable.errors import BackendError

_local = threading.local()
_chosen_dir: ContextVar[Path | None] = ContextVar("portable_local_dir", default=None)


def local_dir() -> Path:
    """The folder set by `using_local_dir`, else `$PORTABLE_LOCAL_DIR`, else `.portable/` in the current directory."""
    return _chosen_dir.get() or Path(os.environ.get("PORTABLE_LOCAL_DIR") or ".portable")


def using_local_dir(path: Path) -> AbstractContextManager[None]:
    """Local buckets, tables and the signing key live in `path` inside the block (this thread, and the contexts
    copied from it), whatever the environment says: the test kit's isolated state, `--state` of the CLI."""
    return setting(_chosen_dir, path)


def close_connections(root: Path) -> None:
    """Close this thread's connections to files under `root` (a state folder about to be removed)."""
    connections: dict[Path, sqlite3.Connection] = _local.__dict__.get("connections", {})
    for path in [path for path in connections if path.is_relative_to(root)]:
        connections.pop(path).close()


def connect(path: Path, schema: str, resource: str) -> sqlite3.Connection:
    """This thread's connection to `path`, created with `schema` on first use."""
    connections: dict[Path, sqlite3.Connection] = _local.__dict__.setdefault("connections", {})
    connection = connections.get(path)
    if connection is None:
        connection = open_connection(path, schema, resource)
        connections[path] = connection
    return connection


def open_connection(path: Path, schema: str, resource: str) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(schema)
    except (OSError, sqlite3.Error) as exc:
        raise BackendError(resource, f"cannot open {path}: {exc}") from exc
    return connection


@contextmanager
def immediate(connection: sqlite3.Connection) -> Generator[sqlite3.Connection, None, None]:
    """A write transaction that takes the lock up front, so read-modify-write cannot interleave."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def rows_by_prefix(
    connection: sqlite3.Connection,
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
