"""Every published DynamoDB Streams record and Firestore DocumentEventData in tests/fixtures goes through its shim,
and each field of the table change the handler gets is checked, with every attribute and value type of both.

The published DynamoDB tables are not Portable's: their records are refused by name as they are, and read once
Portable's key attributes are added to them (the test adds them; the files stay as published). The published
Firestore documents need nothing added: a change's key is its document's id.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest

from portable import change_trigger
from portable.change_trigger import ChangeTrigger, TableChange
from portable.delivery import Bound
from providers.aws import change_codec as aws_codec
from providers.aws.runtime import Entry, bind
from providers.gcp import change_codec as gcp_codec
from providers.local.runner import LocalApp
from tests.conftest import FIXTURES
from tests.support.codecs import aws_events, bound

MODULE = "tests.apps.changes.stock"
STREAMS = FIXTURES / "aws" / "dynamodb-streams"
FIRESTORE = FIXTURES / "gcp" / "firestore"
EVERY_CHANGE = ChangeTrigger("stock", "written", "", 10, 5)
# Every fixture these tests read (the check that each fixture file is exercised reads this).
USED = {
    "aws/dynamodb-streams/docs-insert-modify-remove.json",
    "aws/dynamodb-streams/insert-modify-creation-time.json",
    "aws/dynamodb-streams/insert-every-attribute-type-null-padded.json",
    "gcp/firestore/DocumentEventData-simple.json",
    "gcp/firestore/DocumentEventData-complex.json",
}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def portable_record(record: dict[str, Any], key: str) -> dict[str, Any]:
    """`record` as a Portable table's stream writes it: its key in `__partition__` and `_key`, in its images too,
    with the `_version` every write sets."""
    record = copy.deepcopy(record)
    keys = {"__partition__": {"S": key.partition("/")[0] + ("/" if "/" in key else "")}, "_key": {"S": key}}
    record["dynamodb"]["Keys"] = keys
    for image in ("OldImage", "NewImage"):
        if image in record["dynamodb"]:
            record["dynamodb"][image] |= {**keys, "_version": {"S": "v1"}}
    return record


def portable_batch(path: Path) -> dict[str, Any]:
    event = load(path)
    return {"Records": [portable_record(record, f"items/{index}") for index, record in enumerate(event["Records"])]}


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "seen.jsonl"
    monkeypatch.setenv("PORTABLE_TEST_RECORD", str(target))
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    return target


def seen(record: Path) -> list[dict[str, Any]]:
    return (
        [{k: v for k, v in json.loads(line).items() if k != "at"} for line in record.read_text().splitlines()]
        if record.exists()
        else []
    )


def entry(function: str = "record_stock") -> Entry:
    bound_entry = bind(function, MODULE, "local")
    assert isinstance(bound_entry, Entry)
    return bound_entry


# DynamoDB Streams --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(path.name for path in STREAMS.glob("*.json")))
def test_a_record_of_a_table_that_is_not_portables_is_refused_by_name_and_held(name: str, record: Path) -> None:
    event = load(STREAMS / name)
    reply = entry()(event)
    first = event["Records"][0]["dynamodb"]["SequenceNumber"]
    assert reply == {"batchItemFailures": [{"itemIdentifier": first}]}, "Lambda reads the shard again from it"
    assert seen(record) == [], "refused before the handler"
    with pytest.raises(Exception, match="Keys lack _key: it is not a record of a Portable table"):
        aws_events(aws_codec, event, EVERY_CHANGE)


def test_the_lambda_guides_insert_modify_and_remove_reach_the_handler_as_published(record: Path) -> None:
    event = portable_batch(STREAMS / "docs-insert-modify-remove.json")
    before = datetime.now(UTC).replace(microsecond=0)
    assert entry()(event) == {"batchItemFailures": []}
    changes = seen(record)
    assert [(c["kind"], c["key"], c["old"], c["new"], c["id"]) for c in changes] == [
        ("created", "items/0", None, {"Message": "New item!", "Id": 101}, "1"),
        (
            "updated",
            "items/1",
            {"Message": "New item!", "Id": 101},
            {"Message": "This item has changed", "Id": 101},
            "2",
        ),
        ("deleted", "items/2", {"Message": "This item has changed", "Id": 101}, None, "3"),
    ]
    for change in changes:  # the guide's event has no ApproximateCreationDateTime: the time of receipt stands in
        assert before <= datetime.fromisoformat(change["time"]) <= datetime.now(UTC)
        assert change["table"] == "stock" and change["function"] == "record_stock"


def test_the_creation_time_is_the_records_in_utc(record: Path) -> None:
    event = portable_batch(STREAMS / "insert-modify-creation-time.json")
    assert entry()(event) == {"batchItemFailures": []}
    (created, updated) = seen(record)
    assert created["time"] == "2023-09-06T10:45:55+00:00", "1693997155.0 seconds"
    assert (created["kind"], updated["kind"]) == ("created", "updated")
    assert updated["old"] == {"Message": "New item!", "Id": 101}


def test_every_attribute_type_reads_as_plain_data_whatever_types_go_unused() -> None:
    (_, second) = aws_events(
        aws_codec, portable_batch(STREAMS / "insert-every-attribute-type-null-padded.json"), EVERY_CHANGE
    )
    assert second.kind == "created" and second.old is None and second.id == "f07f8ca4b0b26cb9c4e5e77e42f274ee"
    assert second.time == datetime(2016, 12, 2, 1, 27, tzinfo=UTC)
    raw = base64.b64decode("AAEqQQ==")
    assert second.new == {
        "val": "data",
        "asdf1": raw,
        "b2": base64.b64decode("test"),
        "asdf2": [raw, base64.b64decode("QSoBAA=="), raw],
        "key": "binary",
        "Binary": raw,
        "Boolean": True,
        "BinarySet": [raw, raw],
        "List": ["Cookies", "Coffee", 3.14159],
        "Map": {"Name": "Joe", "Age": 35},
        "FloatNumber": 123.45,
        "IntegerNumber": 123,
        "NumberSet": [1234, 567.8],
        "Null": None,
        "String": "Hello",
        "StringSet": ["Giraffe", "Zebra"],
        "EmptyStringSet": [],
    }


def test_a_failed_change_holds_back_the_rest_of_its_batch(record: Path) -> None:
    event = portable_batch(STREAMS / "docs-insert-modify-remove.json")
    event["Records"][1]["dynamodb"]["NewImage"]["fail"] = {"BOOL": True}
    reply = entry()(event)
    assert reply == {"batchItemFailures": [{"itemIdentifier": "222"}]}, "the first failure, from which Lambda reads"
    assert [c["key"] for c in seen(record)] == ["items/0", "items/1"], "the change after it is not run"


def test_the_stream_filters_but_the_shim_still_holds_a_change_to_its_trigger(record: Path) -> None:
    """Lambda's filter criteria take only orders/ creations; a change outside them that reached the function
    anyway is skipped, not failed."""
    event = portable_batch(STREAMS / "docs-insert-modify-remove.json")
    event["Records"][0] = portable_record(load(STREAMS / "docs-insert-modify-remove.json")["Records"][0], "orders/7")
    assert entry("new_order")(event) == {"batchItemFailures": []}
    assert [(c["function"], c["key"], c["kind"]) for c in seen(record)] == [("new_order", "orders/7", "created")]


def test_an_encoded_change_reads_back_the_same() -> None:
    change = TableChange(
        "stock",
        "a/b%c",
        "updated",
        {"n": 1, "x": [1.5, None, {"y": True}]},
        {"n": 2},
        "id-1",
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    spec = bound(EVERY_CHANGE).spec
    assert aws_events(aws_codec, aws_codec.encode(change, spec), EVERY_CHANGE) == [change]


# Firestore, through Eventarc ---------------------------------------------------------------------------------


class Clock:
    """The shim's clock for the change rule: the published events are years old, and a change is kept a day."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
        moment = [now]

        class Frozen(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
                return moment[0].astimezone(tz)

        monkeypatch.setattr(change_trigger, "datetime", Frozen)
        self.set = lambda when: moment.__setitem__(0, when)


WRITTEN = datetime(2020, 4, 23, 14, 25, 5, 349632, tzinfo=UTC)


@pytest.fixture
def gcp_target(record: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`record_stock`'s functions-framework app, the table's collection named as the published documents'."""
    monkeypatch.setenv("PORTABLE_TABLE_STOCK", "gcf-test")
    local = LocalApp("tests.apps.changes", counts_attempts=False)  # the shim ends Eventarc's retries, as on GCP
    yield local.targets["record_stock"].test_client()


def cloudevent(listens: str, data: dict[str, Any], document: str, event_id: str = "evt-1") -> dict[str, str]:
    """The binary-mode headers Eventarc sends with DocumentEventData as JSON."""
    return {
        "ce-specversion": "1.0",
        "ce-type": gcp_codec.EVENT_TYPES[listens],  # type: ignore[index]
        "ce-source": "//firestore.googleapis.com/projects/project-id/databases/(default)",
        "ce-subject": f"documents/{document}",
        "ce-id": event_id,
        "ce-time": "2020-04-23T14:25:05.349632Z",
        "ce-database": "(default)",
        "ce-document": document,
        "Content-Type": "application/json",
    }


@pytest.mark.parametrize("listens", ["updated", "written"])
def test_a_published_update_reaches_the_handler_whatever_event_type_carries_it(
    listens: str, gcp_target: Any, record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Clock(monkeypatch, WRITTEN + timedelta(seconds=1))
    data = load(FIRESTORE / "DocumentEventData-simple.json")
    headers = cloudevent(listens, data, "gcf-test/2Vm2mI1d0wIaK2Waj5to")
    assert gcp_target.post("/", headers=headers, data=json.dumps(data)).status_code == 204
    (change,) = seen(record)
    assert change == {
        "function": "record_stock",
        "table": "stock",
        "key": "2Vm2mI1d0wIaK2Waj5to",
        "kind": "updated",
        "old": {"another test": "asd", "count": 3, "foo": "bar"},
        "new": {"another test": "asd", "count": 4, "foo": "bar"},
        "id": "evt-1",
        "time": "2020-04-23T14:25:05.349632+00:00",
    }


def test_a_published_creation_reads_every_firestore_value_type(
    gcp_target: Any, record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Clock(monkeypatch, WRITTEN + timedelta(seconds=1))
    data = load(FIRESTORE / "DocumentEventData-complex.json")
    headers = cloudevent("created", data, "gcf-test/IH75dRdeYJKd4uuQiqch")
    assert gcp_target.post("/", headers=headers, data=json.dumps(data)).status_code == 204
    (change,) = seen(record)
    assert (change["kind"], change["key"], change["old"]) == ("created", "IH75dRdeYJKd4uuQiqch", None)
    assert change["new"] == {
        "arrayValue": [1, 2],
        "booleanValue": True,
        "doubleValue": 5.5,
        "geoPointValue": {"latitude": 51.4543, "longitude": -0.9781},
        "intValue": 50,
        "mapValue": {"field1": "x", "field2": ["x", 1]},
        "nullValue": None,
        "referenceValue": "projects/project-id/databases/(default)/documents/foo/bar/baz/qux",
        "stringValue": "text",
        "timestampValue": "2020-04-23T14:23:53.241Z",
    }


def test_a_change_of_another_collection_or_an_unreadable_event_is_refused(
    gcp_target: Any, record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Clock(monkeypatch, WRITTEN + timedelta(seconds=1))
    data = load(FIRESTORE / "DocumentEventData-simple.json")
    other = json.loads(json.dumps(data).replace("/gcf-test/", "/elsewhere/"))
    refused = gcp_target.post("/", headers=cloudevent("updated", other, "elsewhere/x"), data=json.dumps(other))
    assert refused.status_code == 400
    assert "change of table 'elsewhere'; this function is bound to 'gcf-test'" in refused.get_json()["error"]
    storage = cloudevent("updated", data, "gcf-test/x") | {"ce-type": "google.cloud.storage.object.v1.finalized"}
    assert gcp_target.post("/", headers=storage, data=json.dumps(data)).status_code == 400
    assert gcp_target.post("/", headers=cloudevent("created", {}, "gcf-test/x"), data="{}").status_code == 400
    assert seen(record) == []


def test_eventarc_stops_retrying_a_change_by_its_age(
    gcp_target: Any, record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eventarc neither counts attempts nor dead-letters: a failed change is redelivered (500) until, by its age at
    the portable backoff, its five deliveries are spent; then it is acknowledged and logged whole."""
    clock = Clock(monkeypatch, WRITTEN)
    data = load(FIRESTORE / "DocumentEventData-simple.json")
    data["value"]["fields"]["fail"] = {"booleanValue": True}
    headers = cloudevent("updated", data, "gcf-test/2Vm2mI1d0wIaK2Waj5to")
    waits = [0, 10, 30, 70, 150]  # seconds after the write of deliveries 1 to 5 (10 s, doubling)
    answers = []
    for elapsed in waits:
        clock.set(WRITTEN + timedelta(seconds=elapsed, milliseconds=1))
        response = gcp_target.post("/", headers=headers, data=json.dumps(data))
        answers.append((response.status_code, response.headers.get("X-Portable-Dead-Lettered")))
    assert answers[:4] == [(500, None)] * 4
    assert answers[4][0] == 204 and "it failed at delivery 5 of 5" in answers[4][1]
    assert len(seen(record)) == 5
    clock.set(WRITTEN + timedelta(days=1, seconds=1))
    late = gcp_target.post("/", headers=headers, data=json.dumps(data))
    assert (
        late.status_code == 204
        and "older than the 86400 s a change is kept" in late.headers["X-Portable-Dead-Lettered"]
    )
    assert len(seen(record)) == 5, "a change past the retention is not run"


def test_an_encoded_firestore_change_reads_back_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.codecs import gcp_events

    monkeypatch.setenv("PORTABLE_TABLE_STOCK", "stock-physical")
    change = TableChange("stock", "a/b%c", "deleted", {"n": 1, "x": [1.5, None, {"y": True}]}, None, "id-1", WRITTEN)
    for listens in ("deleted", "written"):
        trigger = ChangeTrigger("stock", listens, "", 10, 5)  # type: ignore[arg-type]
        _, _, headers, body = gcp_codec.encode(change, bound(trigger).spec)
        assert headers["ce-document"] == "stock-physical/a%2Fb%25c"
        assert gcp_events(gcp_codec, headers, body, trigger) == [change]


def test_the_bound_trigger_is_what_decides_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(bound(EVERY_CHANGE), Bound)
