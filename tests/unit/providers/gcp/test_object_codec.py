"""Every Cloud Storage payload in tests/fixtures/gcp through the GCP shim under functions-framework
(providers/gcp/object_codec.py): every field of the portable object event, the trigger's filters and bucket, the
retry policy's dead letters, and both directions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from portable import object_trigger
from portable.object_trigger import ObjectEvent, ObjectTrigger
from providers.gcp import object_codec
from tests.conftest import FIXTURES
from tests.support.codecs import bound, gcp_events
from tests.support.published import published
from tests.support.recording import recording
from tests.support.targets import MAIN, function_env

MODULE = "tests.apps.conformance.kitchen"
GCP = FIXTURES / "gcp"


@pytest.fixture(scope="module")
def clients() -> Iterator[Callable[..., Any]]:
    """The test client of a function's target, bound (as a deployed one is, once) to the bucket the deploy named
    `inbox`: by default the published events' bucket."""
    import functions_framework

    built: dict[tuple[str, str], Any] = {}

    def client(name: str, bucket: str = "some-bucket") -> Any:
        if (name, bucket) not in built:
            with function_env(name, MODULE, PORTABLE_BUCKET_INBOX=bucket):
                built[name, bucket] = functions_framework.create_app(target=name, source=str(MAIN)).test_client()
        return built[name, bucket]

    yield client


# The earliest time among the published storage events below.
PUBLISHED = datetime(2020, 5, 6, 15, 14, 16, 1000, tzinfo=UTC)


@pytest.fixture(autouse=True)
def shim_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """The published events are years old: the shim's clock reads PUBLISHED, so none is past its max age,
    until a test sets the clock elsewhere."""
    moment = [PUBLISHED]

    class Clock(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:
            return moment[0].astimezone(tz)

    monkeypatch.setattr(object_trigger, "datetime", Clock)
    return lambda when: moment.__setitem__(0, when)


def structured(event: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    return {"Content-Type": "application/cloudevents+json"}, json.dumps(event).encode()


def binary(event: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    """The CloudEvents HTTP binding: each attribute a ce- header, data the body (SOURCES.md gap 5)."""
    attributes = {k: v for k, v in event.items() if k not in ("data", "datacontenttype")}
    headers = {f"ce-{name}": str(value) for name, value in attributes.items()}
    headers["Content-Type"] = event.get("datacontenttype", "application/json")
    return headers, json.dumps(event["data"]).encode()


def with_data(data: dict[str, Any], event_id: str) -> dict[str, Any]:
    """The data/ files were published without attributes; these are the ones Eventarc documents."""
    return {
        "specversion": "1.0",
        "type": "google.cloud.storage.object.v1.finalized",
        "source": f"//storage.googleapis.com/projects/_/buckets/{data['bucket']}",
        "subject": f"objects/{data['name']}",
        "id": event_id,
        "time": "2020-05-06T15:14:16.001Z",
        "datacontenttype": "application/json",
        "data": data,
    }


STORAGE_CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "finalized-structured": (
        published("gcp", "storage/finalized-structured.json"),
        {
            "key": "folder/Test.cs",
            "kind": "created",
            "size": 352,
            "etag": "CNHZkbuF/ugCEAE=",
            "content_type": "text/plain",
            "time": "2020-09-29T11:32:00.123000+00:00",
            "id": "aaaaaa-1111-bbbb-2222-cccccccccccc",
        },
    ),
    "finalized-structured-with-bucket-extension": (
        published("gcp", "storage/finalized-structured-with-bucket-extension.json"),
        {
            "key": "MyFile",
            "kind": "created",
            "size": 0,
            "etag": "COu8mb3Dn+kCEAE=",
            "content_type": "text/plain",
            "time": "2021-11-25T21:04:32.279744+00:00",
            "id": "1234567",
        },
    ),
    "data-simple": (
        with_data(published("gcp", "storage/data/StorageObjectData-simple.json"), "simple-1"),
        {
            "key": "folder/Test.cs",
            "kind": "created",
            "size": 352,
            "etag": "CNHZkbuF/ugCEAE=",
            "content_type": "text/plain",
            "time": "2020-05-06T15:14:16.001000+00:00",
            "id": "simple-1",
        },
    ),
    "data-complex": (
        with_data(published("gcp", "storage/data/StorageObjectData-complex.json"), "complex-1"),
        {
            "key": "MyFile",
            "kind": "created",
            "size": 0,
            "etag": "COu8mb3Dn+kCEAE=",
            "content_type": "text/plain",
            "id": "complex-1",
        },
    ),
}


@pytest.mark.parametrize("mode", ["structured", "binary"])
@pytest.mark.parametrize("case", sorted(STORAGE_CASES))
def test_cloud_storage_event_becomes_the_portable_object_event(
    case: str, mode: str, clients: Callable[..., Any], tmp_path: Path
) -> None:
    event, expected = STORAGE_CASES[case]
    bucket = event["data"]["bucket"]
    headers, body = structured(event) if mode == "structured" else binary(event)
    with function_env("record_created", MODULE), recording(tmp_path) as seen:
        response = clients("record_created", bucket).post("/", headers=headers, data=body)
    assert response.status_code == 204, response.get_data()
    assert len(seen) == 1
    assert seen[0]["bucket"] == "inbox", "the handler sees the logical bucket name"
    for field, value in expected.items():
        assert seen[0][field] == value, field


def test_deleted_event_reaches_the_deleted_handler_only(clients: Callable[..., Any], tmp_path: Path) -> None:
    # No official sample of object.v1.deleted exists (SOURCES.md gap 4); its schema is finalized's.
    event = dict(published("gcp", "storage/finalized-structured.json"), type="google.cloud.storage.object.v1.deleted")
    with function_env("x", MODULE), recording(tmp_path) as seen:
        assert (
            clients("record_created").post("/", headers=structured(event)[0], data=structured(event)[1]).status_code
            == 204
        )
        assert clients("record_deleted").post("/", headers=binary(event)[0], data=binary(event)[1]).status_code == 204
    assert [(r["kind"], r["key"]) for r in seen] == [("deleted", "folder/Test.cs")]


def test_prefix_and_suffix_are_enforced_by_the_shim(clients: Callable[..., Any], tmp_path: Path) -> None:
    event = published("gcp", "storage/finalized-structured.json")
    matching = json.loads(json.dumps(event))
    matching["data"]["name"] = "in/notes.txt"
    with function_env("x", MODULE), recording(tmp_path) as seen:
        for candidate in (event, matching):
            headers, body = binary(candidate)
            assert clients("on_upload").post("/", headers=headers, data=body).status_code == 204
    assert [r["key"] for r in seen] == ["in/notes.txt"]


def test_object_handler_failure_is_a_500_so_eventarc_retries(clients: Callable[..., Any], tmp_path: Path) -> None:
    event = published("gcp", "storage/finalized-structured.json")
    event["data"]["name"] = "in/fail.txt"
    with function_env("x", MODULE):
        response = clients("on_upload").post("/", headers=binary(event)[0], data=binary(event)[1])
    assert response.status_code == 500
    body = response.get_json()
    assert body["request_id"] and "object handler failure" not in body["error"]


def dead_letters(stderr: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("dead_letter")]


@pytest.mark.parametrize("mode", ["structured", "binary"])
def test_an_event_past_its_max_age_is_dead_lettered_not_run(
    mode: str,
    clients: Callable[..., Any],
    tmp_path: Path,
    shim_clock: Callable[[datetime], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = published("gcp", "storage/finalized-structured.json")
    happened = datetime(2020, 9, 29, 11, 32, 0, 123000, tzinfo=UTC)
    headers, body = structured(event) if mode == "structured" else binary(event)
    with function_env("x", MODULE), recording(tmp_path) as seen:
        shim_clock(happened + timedelta(hours=1))
        assert clients("record_created").post("/", headers=headers, data=body).status_code == 204
        assert dead_letters(capsys.readouterr().err) == []
        shim_clock(happened + timedelta(hours=1, milliseconds=1))
        response = clients("record_created").post("/", headers=headers, data=body)
    assert response.status_code == 204, "acknowledged, so Eventarc stops retrying"
    assert [record["id"] for record in seen] == [event["id"]], "run at exactly the max age, not after it"
    (letter,) = dead_letters(capsys.readouterr().err)
    assert letter["severity"] == "ERROR" and letter["function"] == "record_created"
    assert letter["message"] == "event dead-lettered: older than its max age of 3600 s"
    assert letter["event"] == {
        "bucket": "inbox",
        "key": "folder/Test.cs",
        "kind": "created",
        "id": event["id"],
        "time": "2020-09-29T11:32:00.123000+00:00",
        "size": 352,
        "etag": "CNHZkbuF/ugCEAE=",
        "content_type": "text/plain",
    }


def test_an_old_event_the_trigger_would_not_run_is_skipped_or_refused_not_dead_lettered(
    clients: Callable[..., Any],
    shim_clock: Callable[[datetime], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    shim_clock(datetime(2026, 11, 28, tzinfo=UTC))
    headers, body = binary(published("gcp", "storage/finalized-structured.json"))
    with function_env("x", MODULE):
        assert clients("on_upload").post("/", headers=headers, data=body).status_code == 204  # outside in/*.txt
    with function_env("x", MODULE):
        assert clients("record_created", "another-bucket").post("/", headers=headers, data=body).status_code == 400
    assert dead_letters(capsys.readouterr().err) == []


def test_a_failure_on_the_only_attempt_is_dead_lettered_and_acknowledged(
    clients: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = published("gcp", "storage/finalized-structured.json")
    event["data"]["name"] = "once/report.csv"
    with function_env("x", MODULE):
        response = clients("try_once").post("/", headers=binary(event)[0], data=binary(event)[1])
    assert response.status_code == 204
    (letter,) = dead_letters(capsys.readouterr().err)
    assert letter["message"] == "event dead-lettered: its one attempt failed"
    assert (letter["event"]["key"], letter["event"]["id"]) == ("once/report.csv", event["id"])


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        ({"Content-Type": "application/json"}, b'{"name": "x"}', "not a CloudEvent"),
        ({"Content-Type": "application/cloudevents+json"}, b"{not json", "not a CloudEvent"),
        (
            {
                "ce-specversion": "1.0",
                "ce-type": "google.cloud.storage.object.v1.finalized",
                "ce-id": "1",
                "ce-source": "//storage.googleapis.com/projects/_/buckets/some-bucket",
                "Content-Type": "application/json",
            },
            b'"a string"',
            "not a JSON object",
        ),
    ],
)
def test_malformed_storage_events_are_a_400(
    headers: dict[str, str], body: bytes, reason: str, clients: Callable[..., Any], tmp_path: Path
) -> None:
    with function_env("x", MODULE), recording(tmp_path) as seen:
        response = clients("record_created").post("/", headers=headers, data=body)
    assert response.status_code == 400
    assert reason in response.get_json()["error"]
    assert seen == []


def test_event_from_an_unbound_bucket_is_a_400(clients: Callable[..., Any], tmp_path: Path) -> None:
    headers, body = binary(published("gcp", "storage/finalized-structured.json"))
    with function_env("x", MODULE), recording(tmp_path) as seen:
        response = clients("record_created", "another-bucket").post("/", headers=headers, data=body)
    assert response.status_code == 400 and seen == []


ROUND_TRIP_EVENTS = {
    "created-every-field": ObjectEvent(
        bucket="inbox",
        key="in/Grüße a+b%20c.txt",
        kind="created",
        id="evt-1",
        time=datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        size=0,
        etag="CNHZkbuF/ugCEAE=",
        content_type="text/plain; charset=utf-8",
    ),
    "deleted-bare": ObjectEvent(
        bucket="inbox",
        key="a/b/c",
        kind="deleted",
        id="evt-2",
        time=datetime(2026, 3, 29, 3, 5, tzinfo=ZoneInfo("Europe/Berlin")),
    ),
}


@pytest.mark.parametrize("case", sorted(ROUND_TRIP_EVENTS))
def test_storage_event_encoding_round_trips(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    event = ROUND_TRIP_EVENTS[case]
    monkeypatch.setenv("PORTABLE_BUCKET_INBOX", "inbox-physical")
    trigger = ObjectTrigger("inbox", event.kind)
    _, _, headers, body = object_codec.encode(event, bound(trigger).spec)
    assert headers["ce-type"] == object_codec.EVENT_TYPES[event.kind]
    assert headers["ce-bucket"] == "inbox-physical"
    assert gcp_events(object_codec, headers, body, trigger) == [event]
