"""Two functions on the changes of one table, recording each delivery to $PORTABLE_TEST_RECORD, and a route that
writes to it.

`record_stock` takes every change and fails on an item whose new value says `{"fail": true}`; `new_order`
takes only items created under `orders/`, and notes each in the `ledger` table.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from portable import Request, TableChange, http, table

stock = table("stock")
ledger = table("ledger")


def _record(function: str, change: TableChange) -> None:
    with Path(os.environ["PORTABLE_TEST_RECORD"]).open("a", encoding="utf-8") as out:
        fields = {**change._asdict(), "time": change.time.isoformat(), "at": time.time()}
        out.write(json.dumps({"function": function, **fields}, default=repr) + "\n")


@http("PUT /stock", writes=[stock])
def put_stock(request: Request) -> dict[str, str]:
    body = request.json()
    return {"version": stock.put(body["key"], body["value"])}


@stock.on_written
def record_stock(change: TableChange) -> None:
    _record("record_stock", change)
    if (change.new or {}).get("fail"):
        raise RuntimeError("the new value asks to fail")


@stock.on_created(prefix="orders/", batch_size=5, max_attempts=7, writes=[ledger])
def new_order(change: TableChange) -> None:
    _record("new_order", change)
    ledger.put(change.key, {"change": change.id, "quantity": (change.new or {}).get("quantity")})
