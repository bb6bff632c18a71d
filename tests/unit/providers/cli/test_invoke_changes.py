"""`portable invoke` on a table change function: the change it generates from the function's trigger (and the
item stored under the key), in each cloud's shape, through that cloud's shim."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from portable.loading import load_app
from providers.cli.invoke import Invoker
from providers.local.clients import open_table

PACKAGE = "tests.apps.changes"


def invoke(cloud: str, function: str, **hints: str) -> tuple[int, str, str]:
    app = load_app(PACKAGE)
    out, notes = io.StringIO(), io.StringIO()
    invoker = Invoker(app, app.function(function), out, notes, PACKAGE)
    every = {"path": None, "body": None, "key": None, "at": None, **hints}
    runner = invoker.run_aws if cloud == "aws" else invoker.run_gcp
    return runner(None, every, True), out.getvalue(), notes.getvalue()


def calls(record: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def test_on_aws_a_dynamodb_streams_batch_of_one_change_from_the_stored_item(record: Path) -> None:
    open_table("stock").put("shelf/1", {"quantity": 1}, False, None)
    code, out, notes = invoke("aws", "record_stock", key="shelf/1", body='{"quantity": 4}')
    event_text, _, reply_text = out.partition("\n\n")
    [shown] = json.loads(event_text)["Records"]
    assert (code, json.loads(reply_text), notes) == (0, {"batchItemFailures": []}, "")
    assert (shown["eventSource"], shown["eventName"]) == ("aws:dynamodb", "MODIFY")
    assert shown["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert shown["dynamodb"]["NewImage"]["quantity"] == {"N": "4"}
    [change] = calls(record)
    assert (change["kind"], change["key"], change["old"], change["new"]) == (
        "updated",
        "shelf/1",
        {"quantity": 1},
        {"quantity": 4},
    )
    assert change["id"] == shown["eventID"]


def test_on_gcp_a_firestore_cloudevent_of_the_triggers_kind_within_its_prefix(record: Path) -> None:
    code, out, notes = invoke("gcp", "new_order")
    assert code == 0 and notes == ""
    assert "ce-type: google.cloud.firestore.document.v1.created" in out
    assert "ce-document: stock/orders%2Fexample" in out and out.endswith("HTTP 204 NO CONTENT\n")
    [change] = calls(record)
    assert (change["function"], change["kind"], change["key"], change["new"]) == (
        "new_order",
        "created",
        "orders/example",
        {},
    )


@pytest.mark.parametrize(("cloud", "failed"), [("aws", '"itemIdentifier"'), ("gcp", "HTTP 500")])
def test_a_failing_change_exits_1_with_the_native_failure(cloud: str, failed: str, record: Path) -> None:
    code, out, _ = invoke(cloud, "record_stock", key="shelf/2", body='{"fail": true}')
    assert code == 1 and failed in out
    assert [c["kind"] for c in calls(record)] == ["created"]
