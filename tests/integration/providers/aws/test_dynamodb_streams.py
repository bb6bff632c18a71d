"""Table changes on AWS end to end short of Lambda: writes through Portable's DynamoDB client on moto, the table's
stream read back with boto3 as Lambda's event source mapping reads it, each batch handed to the function's Lambda
entry. The mapping's filter criteria are Lambda's own (moto runs no mapping without Docker): their pattern is
checked under the mocks (tests/integration/deploy/test_change_stacks.py), and here the shim's rule holds a
change to its trigger whatever the stream sends."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from portable.app import ResourceSpec
from portable.context import physical_name_variable, using_clients
from portable.resources import Table
from providers.aws.clients import client_for
from providers.aws.dynamodb_keys import KEY_ATTRIBUTE, PARTITION_ATTRIBUTE
from providers.aws.runtime import Entry, bind
from tests.backends.fixtures import point_environment

pytestmark = pytest.mark.slow
MODULE = "tests.apps.changes.stock"


class Stream:
    """A table's DynamoDB stream, read from where it stood when the test began (LATEST)."""

    def __init__(self, sdk: Any, table: str) -> None:
        self.streams = sdk("dynamodbstreams")
        self.arn = sdk("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
        self.iterators = {
            shard["ShardId"]: self.streams.get_shard_iterator(
                StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
            )["ShardIterator"]
            for shard in self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        }

    def batch(self) -> dict[str, Any]:
        """The records written since the last batch, as the mapping's event carries them (JSON: the creation time
        in seconds since 1970)."""
        records = []
        for shard, iterator in self.iterators.items():
            got = self.streams.get_records(ShardIterator=iterator)
            self.iterators[shard] = got["NextShardIterator"]
            records += got["Records"]
        for record in records:
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            if isinstance(created, datetime):
                record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
            record["eventSourceARN"] = self.arn
        return json.loads(json.dumps({"Records": records}))  # type: ignore[no-any-return]


@pytest.fixture
def stream(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, record: Path) -> Iterator[Stream]:
    from providers.aws.sdk import client

    point_environment("aws", request, monkeypatch)
    tables = {}
    for name, streamed in (("stock", True), ("ledger", False)):
        physical = f"{name}-{uuid.uuid4().hex[:10]}"
        options: dict[str, Any] = (
            {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}} if streamed else {}
        )
        client("dynamodb").create_table(
            TableName=physical,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": PARTITION_ATTRIBUTE, "AttributeType": "S"},
                {"AttributeName": KEY_ATTRIBUTE, "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": PARTITION_ATTRIBUTE, "KeyType": "HASH"},
                {"AttributeName": KEY_ATTRIBUTE, "KeyType": "RANGE"},
            ],
            **options,
        )
        monkeypatch.setenv(physical_name_variable(ResourceSpec("table", name)), physical)
        tables[name] = physical
    yield Stream(client, tables["stock"])


def entry(function: str) -> Entry:
    bound = bind(function, MODULE, "aws")
    assert isinstance(bound, Entry), bound
    return bound


def calls(record: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def test_the_streams_records_of_portables_writes_reach_the_handler_as_table_changes(
    stream: Stream, record: Path
) -> None:
    stock = Table("stock")
    with using_clients(client_for):
        stock.put("orders/1", {"quantity": 2, "tags": ["red"], "price": 1.5, "note": None})
        stock.increment("orders/1", "quantity", 3)
        stock.put("shelf/1", {"quantity": 1})
        stock.delete("orders/1")
    batch = stream.batch()
    assert [r["eventName"] for r in batch["Records"]] == ["INSERT", "MODIFY", "INSERT", "REMOVE"]
    assert entry("record_stock")(batch, None) == {"batchItemFailures": []}
    changes = [(c["kind"], c["key"], c["old"], c["new"]) for c in calls(record)]
    first = {"quantity": 2, "tags": ["red"], "price": 1.5, "note": None}
    assert changes == [
        ("created", "orders/1", None, first),
        ("updated", "orders/1", first, {**first, "quantity": 5}),
        ("created", "shelf/1", None, {"quantity": 1}),
        ("deleted", "orders/1", {**first, "quantity": 5}, None),
    ]
    assert [c["id"] for c in calls(record)] == [r["eventID"] for r in batch["Records"]]
    assert all(c["table"] == "stock" for c in calls(record))


def test_the_shim_holds_a_change_to_its_trigger_and_a_failure_names_the_record_to_read_again(
    stream: Stream, record: Path
) -> None:
    stock, ledger = Table("stock"), Table("ledger")
    with using_clients(client_for):
        stock.put("shelf/1", {"quantity": 1})
        stock.put("orders/7", {"quantity": 7})
        stock.put("orders/7", {"fail": True})
        stock.put("orders/8", {"quantity": 8})
    batch = stream.batch()
    assert entry("new_order")(batch, None) == {"batchItemFailures": []}
    assert [c["key"] for c in calls(record)] == ["orders/7", "orders/8"], "created under orders/ only"
    with using_clients(client_for):
        assert ledger.get("orders/7") == {"change": batch["Records"][1]["eventID"], "quantity": 7}
    record.unlink()
    reply = entry("record_stock")(batch, None)
    failed = batch["Records"][2]["dynamodb"]["SequenceNumber"]
    assert reply == {"batchItemFailures": [{"itemIdentifier": failed}]}
    assert [c["key"] for c in calls(record)] == ["shelf/1", "orders/7", "orders/7"], "the failure holds back orders/8"
