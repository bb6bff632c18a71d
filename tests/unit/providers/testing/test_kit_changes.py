"""Table changes in the test kit: each write's change reaches the table's functions through each target's shim
before the write returns, as object events do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from portable.errors import EventFailed
from portable.testing import TARGETS, Kit

PACKAGE = "tests.apps.changes"


def seen(record: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


@pytest.mark.parametrize("target", TARGETS)
def test_each_write_delivers_its_change_to_the_functions_of_its_kind_and_prefix(target: str, record: Path) -> None:
    with Kit(target, package=PACKAGE) as kit:
        stock = kit.table("stock")
        created = stock.put("orders/1", {"quantity": 2})
        assert sorted((d.function, d.event, d.ok) for d in created) == [
            ("new_order", "created stock/orders/1", True),
            ("record_stock", "created stock/orders/1", True),
        ]
        stock.put("orders/1", {"quantity": 3})
        stock.put("shelf/1", {"quantity": 1})
        stock.delete("orders/1")
        assert stock.delete("orders/1") == []  # nothing was there: no change
        changes = seen(record)
        assert sorted(c["function"] for c in changes[:2]) == ["new_order", "record_stock"]
        assert [(c["function"], c["kind"], c["key"], c["old"], c["new"]) for c in changes[2:]] == [
            ("record_stock", "updated", "orders/1", {"quantity": 2}, {"quantity": 3}),
            ("record_stock", "created", "shelf/1", None, {"quantity": 1}),
            ("record_stock", "deleted", "orders/1", {"quantity": 3}, None),
        ]
        assert changes[0]["id"] == changes[1]["id"], "both functions get the one change, under one id"
        assert len({c["id"] for c in changes[1:]}) == 4
        assert all(c["table"] == "stock" for c in changes)
        assert kit.table("ledger").get("orders/1") == {"change": changes[0]["id"], "quantity": 2}


@pytest.mark.parametrize("target", TARGETS)
def test_the_kind_and_prefix_filter_where_each_cloud_does(target: str, record: Path) -> None:
    """DynamoDB Streams' filter criteria take both; Eventarc takes the kind, and a document id is one path
    segment, so the delivery rule applies the prefix in the function: it is called, and its handler is not."""
    with Kit(target, package=PACKAGE) as kit:
        stock = kit.table("stock")
        outside_prefix = stock.put("shelf/1", {"quantity": 1})
        assert sorted(d.function for d in outside_prefix) == (
            ["new_order", "record_stock"] if target == "gcp" else ["record_stock"]
        )
        assert [d.function for d in stock.put("shelf/1", {"quantity": 3})] == ["record_stock"]
        assert [c["function"] for c in seen(record)] == ["record_stock", "record_stock"]


@pytest.mark.parametrize("target", TARGETS)
def test_a_change_an_http_call_writes_is_delivered_before_the_reply(target: str, record: Path) -> None:
    with Kit(target, package=PACKAGE) as kit:
        reply = kit.http("PUT", "/stock", json={"key": "orders/9", "value": {"quantity": 1}})
        assert reply.status == 200
        assert sorted(d.function for d in kit.deliveries) == ["new_order", "record_stock"]
        assert kit.table("ledger").keys() == ["orders/9"]


@pytest.mark.parametrize("target", TARGETS)
def test_a_failing_change_function_fails_the_write_and_is_recorded(target: str, record: Path) -> None:
    with Kit(target, package=PACKAGE) as kit:
        with pytest.raises(EventFailed, match=r"record_stock failed on updated stock/shelf/2"):
            kit.table("stock").put("shelf/2", {"n": 1}) and kit.table("stock").put("shelf/2", {"fail": True})
        assert [(d.function, d.ok) for d in kit.failures] == [("record_stock", False)]
        assert kit.table("stock").get("shelf/2") == {"fail": True}, "the write stands: its change is retried"
