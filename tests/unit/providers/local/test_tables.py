"""Table changes under the local runner: each write puts its change in the table's outbox in the write's own
transaction; the relay moves it to the durable queue, and the runner delivers it through the GCP shim, again
after the backoff under the same id, then to the dead letters. The kill -9 proof of the outbox is the buckets'
(tests of local durability): tables share its outbox and relay."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from werkzeug.test import Client

from portable.errors import Conflict
from providers.local.clients import open_table
from providers.local.runner import LocalApp
from providers.local.startup import banner

PACKAGE = "tests.apps.changes"


class Backoff(NamedTuple):
    """The portable policy's shape with short delays, so that retries happen within a test."""

    attempts: int = 3
    first_delay: float = 0.1

    def delay_before(self, attempt: int) -> float:
        return 0.0 if attempt <= 1 else self.first_delay * 2 ** (attempt - 2)

    def expired(self, event_time: datetime, now: datetime) -> bool:
        return False


FAST = Backoff()


@pytest.fixture
def runner(record: Path) -> Iterator[LocalApp]:
    local = LocalApp(PACKAGE, policy_for=lambda spec: FAST, workers=1)
    yield local
    local.stop()


def calls(record: Path, function: str | None = None) -> list[dict[str, Any]]:
    lines = record.read_text().splitlines() if record.exists() else []
    return [entry for entry in map(json.loads, lines) if function in (None, entry["function"])]


def eventually(check: Callable[[], Any], timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not so after {timeout} s")
        time.sleep(0.02)
    return result


def test_a_write_and_its_change_are_one_transaction(record: Path) -> None:
    stock = open_table("stock")
    stock.put("orders/1", {"quantity": 1}, False, None)
    with pytest.raises(Conflict):
        stock.put("orders/1", {"quantity": 2}, True, None)  # refused: no change either
    stock.increment("orders/1", "quantity", 4)
    stock.delete("orders/1", None)
    stock.delete("orders/1", None)  # nothing to delete: no change
    through, found = stock.outbox().take(10)
    changes = [change for change, due in found]
    assert [(c.kind, c.key, c.old, c.new) for c in changes] == [
        ("created", "orders/1", None, {"quantity": 1}),
        ("updated", "orders/1", {"quantity": 1}, {"quantity": 5}),
        ("deleted", "orders/1", {"quantity": 5}, None),
    ]
    assert len({c.id for c in changes}) == 3 and all(c.table == "stock" for c in changes)
    stock.outbox().clear(through)
    assert stock.outbox().take(10)[1] == []


def test_changes_written_while_no_runner_runs_are_delivered_when_one_starts(runner: LocalApp, record: Path) -> None:
    open_table("stock").put("orders/1", {"quantity": 2}, False, None)
    runner.start(schedules=False)
    eventually(lambda: len(calls(record)) == 2)
    assert sorted(c["function"] for c in calls(record)) == ["new_order", "record_stock"]
    assert eventually(lambda: open_table("ledger").get("orders/1")) is not None


def test_a_change_an_http_function_writes_reaches_its_functions(runner: LocalApp, record: Path) -> None:
    runner.start(schedules=False)
    reply = Client(runner).put("/stock", json={"key": "shelf/1", "value": {"quantity": 1}})
    assert reply.status_code == 200
    [change] = eventually(lambda: calls(record))
    assert (change["function"], change["kind"], change["key"], change["new"]) == (
        "record_stock",
        "created",
        "shelf/1",
        {"quantity": 1},
    )
    eventually(lambda: runner.queue.next_due() is None)
    assert calls(record, "new_order") == [], "the prefix keeps shelf/ from new_order"


def test_a_failed_change_is_delivered_again_with_its_id_then_dead_lettered_and_replayed(
    runner: LocalApp, record: Path
) -> None:
    open_table("stock").put("shelf/2", {"fail": True}, False, None)
    runner.start(schedules=False)
    client = Client(runner)
    [letter] = eventually(lambda: client.get("/__portable/dead-letters").get_json()["dead_letters"])
    tries = calls(record)
    assert len(tries) == FAST.attempts and len({t["id"] for t in tries}) == 1
    assert tries[1]["at"] - tries[0]["at"] >= FAST.first_delay
    assert letter["function"] == "record_stock" and letter["attempts"] == FAST.attempts
    assert letter["event"] | {"time": None} == {
        "type": "change",
        "table": "stock",
        "key": "shelf/2",
        "kind": "created",
        "old": None,
        "new": {"fail": True},
        "id": tries[0]["id"],
        "time": None,
    }
    assert letter["error"] == "RuntimeError: the new value asks to fail", "the handler's exception, kept whole"
    assert letter["exception"]["type"] == "RuntimeError" and "stock.py" in letter["exception"]["traceback"]
    assert (letter["about"], letter["editable"]) == ("change created stock/shelf/2", False), "the change kind's view"
    edited = client.post(f"/__portable/dead-letters/record_stock/{letter['id']}/replay", json={"body": "{}"})
    assert edited.status_code == 400 and "this letter holds a change event" in edited.get_json()["error"]
    replayed = client.post(f"/__portable/dead-letters/record_stock/{letter['id']}/replay")
    assert replayed.status_code == 202
    eventually(lambda: len(calls(record)) == FAST.attempts + 1)
    assert calls(record)[-1]["id"] == tries[0]["id"], "a replay keeps the change's id"


def test_the_dashboard_shows_each_tables_change_functions_with_their_pending_changes(runner: LocalApp) -> None:
    open_table("stock").put("orders/9", {"quantity": 1}, False, None)
    assert runner.deliverer.relay(), "queued, and no worker started: both functions have one pending"
    described = Client(runner).get("/__portable/app").get_json()
    [stock] = [table for table in described["tables"] if table["name"] == "stock"]
    assert stock["triggers"] == [
        {"function": "new_order", "kind": "created", "prefix": "orders/", "pending": 1},
        {"function": "record_stock", "kind": "written", "prefix": "", "pending": 1},
    ]
    assert {"name": "new_order", "trigger": "change"} in [
        {"name": function["name"], "trigger": function["trigger"]} for function in described["functions"]
    ]


def test_the_banner_names_each_table_with_its_change_functions(runner: LocalApp) -> None:
    assert "  changes:   stock -> new_order, record_stock" in banner(runner.app, "http://127.0.0.1:8080").splitlines()
