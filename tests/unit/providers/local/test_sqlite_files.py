"""The state files' connections (providers/local/sqlite_files.py): one per file per process, shared by every thread,
whose writes take turns on it without losing any or waiting on SQLite's busy lock."""

from __future__ import annotations

import threading
from pathlib import Path

from providers.local.sqlite_files import close_connections, connect, immediate
from providers.local.tables import LocalTable

SCHEMA = "CREATE TABLE IF NOT EXISTS counts (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"


def test_every_thread_shares_one_connection_per_file(tmp_path: Path) -> None:
    seen = set()

    def open_it() -> None:
        seen.add(id(connect(tmp_path / "a.sqlite3", SCHEMA, "a")))

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 1
    assert connect(tmp_path / "b.sqlite3", SCHEMA, "b") is not connect(tmp_path / "a.sqlite3", SCHEMA, "a")


def test_read_modify_writes_of_many_threads_take_turns_and_lose_nothing(tmp_path: Path) -> None:
    database = connect(tmp_path / "counts.sqlite3", SCHEMA, "counts")
    database.execute("INSERT INTO counts VALUES ('n', 0)")

    def add(times: int) -> None:
        for _ in range(times):
            with immediate(database):
                (value,) = database.execute("SELECT value FROM counts WHERE name = 'n'").fetchone()
                database.execute("UPDATE counts SET value = ? WHERE name = 'n'", (value + 1,))

    threads = [threading.Thread(target=add, args=(100,)) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert database.execute("SELECT value FROM counts").fetchall() == [(2000,)]


def test_a_table_written_by_many_threads_keeps_every_item(tmp_path: Path) -> None:
    table = LocalTable("greetings", "greetings", tmp_path)

    def put(thread: int) -> None:
        for number in range(50):
            table.put(f"{thread:02d}/{number:03d}", {"n": number}, if_absent=True, if_version=None)

    threads = [threading.Thread(target=put, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(table.query_page("", 2000, None).items) == 1000


def test_closing_a_state_folder_forgets_its_connections(tmp_path: Path) -> None:
    first = connect(tmp_path / "state" / "a.sqlite3", SCHEMA, "a")
    close_connections(tmp_path / "state")
    assert connect(tmp_path / "state" / "a.sqlite3", SCHEMA, "a") is not first
