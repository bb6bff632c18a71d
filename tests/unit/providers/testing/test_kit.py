"""The test kit on every target: calls through the real shims, events delivered before a write returns,
declarations enforced, data isolated in a temporary state."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from portable.errors import ConfigurationError, EventFailed, InvalidValue
from portable.testing import TARGETS, Kit
from tests.apps.kit.notes import drafts
from tests.support.packages import make_package

PACKAGE = "tests.apps.kit"


@pytest.fixture(params=TARGETS)
def kit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Kit]:
    with Kit(request.param, package=PACKAGE, state=tmp_path / "state") as opened:
        yield opened


def test_http_calls_reach_their_routes_with_path_parameters(kit: Kit) -> None:
    put = kit.http("PUT", "/notes/n%201", json={"text": "hi"})
    assert (put.status, put.json()) == (200, {"id": "n 1"})
    got = kit.http("GET", "/notes/n 1")
    assert (got.status, got.body, got.headers["x-note"]) == (200, b"hi", "n 1")
    assert got.headers["content-type"] == "application/octet-stream"
    assert [cookie.split(";")[0] for cookie in got.cookies] == ["seen=1"]
    assert kit.http("GET", "/notes/nope").json()["error"] == "no such note"


def test_the_cookies_a_test_sends_reach_the_handler(kit: Kit) -> None:
    reply = kit.http("GET", "/whoami", headers={"Cookie": "session=abc123; theme=dark"})
    assert reply.json() == {"cookies": {"session": "abc123", "theme": "dark"}}


def test_a_signed_url_the_app_hands_out_uploads_and_triggers_its_bucket(kit: Kit) -> None:
    url = kit.http("POST", "/drafts/n1/upload").json()["url"]
    assert url.startswith("http://127.0.0.1:8080/__portable/buckets/")
    wrong_type = kit.http_url(url, "PUT", "hello", headers={"Content-Type": "text/html"})
    assert wrong_type.status == 403 and "signature does not match" in wrong_type.json()["error"]
    uploaded = kit.http_url(url, "PUT", "hello from a browser", headers={"Content-Type": "text/plain"})
    assert uploaded.status == 200 and uploaded.headers["etag"]
    assert kit.bucket("published").get("notes/n1.txt") == b"HELLO FROM A BROWSER", "the upload ran the chain"
    assert sorted(d.function for d in kit.deliveries) == ["publish", "record"]
    download = kit.run(lambda: drafts.signed_url("notes/n1.txt"))
    assert kit.http_url(download).body == b"hello from a browser"
    assert kit.http_url(download, "PUT", "x").status == 403, "signed for GET"
    with pytest.raises(ConfigurationError, match="is not a URL this kit serves: its buckets' signed URLs start with"):
        kit.http_url("https://example.com/__portable/buckets/drafts/x")


def test_the_gateway_answers_unknown_paths_and_methods(kit: Kit) -> None:
    missing = kit.http("GET", "/elsewhere")
    assert missing.status == 404 and missing.json()["status"] == 404
    wrong = kit.http("DELETE", "/notes/1")
    assert wrong.status == 405 and set(wrong.headers["allow"].split(", ")) == {"GET", "PUT"}


def test_object_events_run_through_the_chain_before_the_call_returns(kit: Kit) -> None:
    kit.http("PUT", "/notes/a", json={"text": "first"})
    assert kit.bucket("published").get("notes/a.txt") == b"FIRST"
    assert kit.table("audit").items() == {"notes/a.txt": {"size": 5}}
    # In the order they finished: record ran inside publish's write.
    assert [(d.function, d.event, d.ok) for d in kit.deliveries] == [
        ("record", "created published/notes/a.txt", True),
        ("publish", "created drafts/notes/a.txt", True),
    ]


def test_a_write_by_the_test_triggers_and_a_delete_too(kit: Kit) -> None:
    caused = kit.bucket("drafts").put("notes/b.txt", "second")
    assert [d.function for d in caused] == ["record", "publish"]
    assert kit.bucket("published").keys() == ["notes/b.txt"]
    assert [d.function for d in kit.bucket("published").delete("notes/b.txt")] == ["forget"]
    assert kit.table("audit").items() == {}


def test_filters_apply_as_in_each_cloud(kit: Kit) -> None:
    caused = kit.bucket("drafts").put("elsewhere/c.bin", b"\x00")
    # Eventarc delivers every object of the bucket and the GCP shim skips it; S3 and the local runner filter first.
    assert [d.function for d in caused] == (["publish"] if kit.target == "gcp" else [])
    assert kit.bucket("published").keys() == []


def test_a_failing_function_fails_the_write_that_triggered_it(kit: Kit) -> None:
    with pytest.raises(EventFailed, match=r"publish failed on created drafts/notes/bad.txt"):
        kit.bucket("drafts").put("notes/bad.txt", "fail, please")
    assert kit.bucket("drafts").keys() == ["notes/bad.txt"], "the write itself happened"
    assert [d.function for d in kit.failures] == ["publish"]


def test_a_failure_during_an_http_call_is_recorded_and_the_reply_kept(kit: Kit) -> None:
    reply = kit.http("PUT", "/notes/c", json={"text": "fail at once"})
    assert reply.status == 200
    assert [d.function for d in kit.failures] == ["publish"]


def test_undeclared_access_fails_as_in_the_clouds(kit: Kit) -> None:
    reply = kit.http("POST", "/sneak")
    assert reply.status == 500 and reply.json()["error"] == "internal error"
    assert kit.table("audit").items() == {}


def test_a_schedule_fires_for_its_due_time(kit: Kit) -> None:
    [delivery] = kit.fire("nightly", at=datetime(2026, 1, 2, 3, tzinfo=UTC))
    assert delivery.ok and delivery.function == "nightly"
    assert kit.table("audit").get("nightly/2026-01-02") == {"id": "nightly@2026-01-02T03:00:00Z"}


def test_the_tests_own_handles_reach_the_kit_data_inside_the_block(kit: Kit) -> None:
    from tests.apps.kit.notes import drafts, notes

    notes.put("direct", {"text": "written by the test"})
    assert kit.table("notes").get("direct") == {"text": "written by the test"}
    drafts.put("notes/direct.txt", b"direct")
    assert kit.bucket("published").get("notes/direct.txt") == b"DIRECT"


def test_unknown_names_are_refused_with_what_exists(kit: Kit) -> None:
    with pytest.raises(ConfigurationError, match="no bucket 'nope'; its buckets: drafts, published"):
        kit.bucket("nope")
    with pytest.raises(ConfigurationError, match="no table 'drafts'; its tables: audit, notes"):
        kit.table("drafts")
    with pytest.raises(ConfigurationError, match="no schedule function named 'put_note'; the App's schedules: nightly"):
        kit.fire("put_note")


def test_a_mistyped_name_gets_the_declared_one_suggested(kit: Kit) -> None:
    with pytest.raises(ConfigurationError, match=r"no bucket 'draft'; did you mean 'drafts'\?; its buckets: "):
        kit.bucket("draft")


def test_set_secret_tells_a_secret_not_declared_from_one_no_function_reads(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        pay="""
        from portable import http, secret

        receipt_key = secret("receipt_key")
        stripe_key = secret("stripe_key")

        @http("POST /pay", reads=[stripe_key])
        def pay(request):
            return stripe_key.value()
    """,
    )
    with Kit("local", package=package) as kit:
        kit.set_secret("stripe_key", "sk_test")
        assert kit.http("POST", "/pay").text == "sk_test"
        with pytest.raises(ConfigurationError) as unread:
            kit.set_secret("receipt_key", "k")
        assert str(unread.value).startswith("secret 'receipt_key' is declared at ")
        assert "pay.py:4, but no function reads it, so the App has no such secret: add it to reads=" in str(
            unread.value
        )
        with pytest.raises(ConfigurationError, match=r"^the App declares no secret 'nope'; its secrets: stripe_key$"):
            kit.set_secret("nope", "k")


def test_each_kit_has_its_own_state_and_removes_a_temporary_one(monkeypatch: pytest.MonkeyPatch) -> None:
    before = os.environ.get("PORTABLE_LOCAL_DIR")
    with Kit("aws", package=PACKAGE) as first, Kit("aws", package=PACKAGE) as second:
        first.table("notes").put("only-here", {"text": "x"})
        assert second.table("notes").items() == {}
        assert first.state.is_dir()
    assert not first.state.exists() and not second.state.exists()
    assert os.environ.get("PORTABLE_LOCAL_DIR") == before


def test_an_unknown_target_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="target 'azure' is unknown: use one of aws, gcp, local"):
        Kit("azure", package=PACKAGE)


@pytest.mark.parametrize("target", ["aws", "gcp", "local"])
def test_messages_reach_every_subscriber_and_the_queue_consumer_before_the_call_returns(target: str) -> None:
    with Kit(target) as kit:
        assert kit.http("POST", "/hello", json={"name": "Ada"}).status == 200
        assert sorted(delivery.function for delivery in kit.deliveries) == [
            "count_greeting",
            "queue_welcome",
            "write_welcome",
        ]
        kit.publish("greeted", {"name": "Ada"})
        assert kit.table("name-counts").get("Ada")["count"] == 2  # type: ignore[index]
        assert kit.table("welcome-notes").get("Ada")["text"] == "Welcome, Ada!"  # type: ignore[index]
        deliveries = kit.send("welcomes", {"name": "Bob"}, attributes={"greeting": "g-1"})
        assert [(d.function, d.ok) for d in deliveries] == [("write_welcome", True)]
        assert kit.table("welcome-notes").get("Bob") == {"text": "Welcome, Bob!", "greeting": "g-1"}


@pytest.mark.parametrize("target", ["aws", "gcp", "local"])
def test_a_failing_message_handler_is_loud(target: str) -> None:
    with Kit(target) as kit, pytest.raises(EventFailed, match=r"count_greeting failed on \w+ from greeted"):
        kit.publish("greeted", {"no name": True})
    with Kit(target) as kit, pytest.raises(ConfigurationError, match="declares no queue 'nope'"):
        kit.send("nope", b"x")


DELAYS = """
    from portable import Message, Request, http, queue

    later = queue("later", delays=True)
    now = queue("now")


    @http("POST /send/{queue}", writes=[later, now])
    def enqueue(request: Request) -> dict[str, str]:
        target = later if request.path_params["queue"] == "later" else now
        return {"id": target.send(request.body, delay_seconds=int(request.query.get("delay") or 0))}


    @later.on_message
    def remind(message: Message) -> None: ...


    @now.on_message
    def work(message: Message) -> None: ...
"""


@pytest.mark.parametrize("target", TARGETS)
def test_a_delay_needs_a_queue_declared_with_delays_on_every_target(target: str, tmp_path: Path) -> None:
    with Kit(target, package=make_package(tmp_path, queues=DELAYS)) as kit:
        assert kit.http("POST", "/send/later?delay=60", body="a").status == 200
        refused = kit.http("POST", "/send/now?delay=60", body="b")
        assert refused.status == 500 and [d.function for d in kit.deliveries] == ["remind"]
        assert kit.http("POST", "/send/now", body="b").status == 200
        assert [d.function for d in kit.send("later", "c", delay_seconds=900)] == ["remind"]
        with pytest.raises(
            InvalidValue,
            match=r"delay_seconds=5 needs a queue declared with delays: "
            r"queue\('now', delays=True\)",
        ):
            kit.send("now", "d", delay_seconds=5)
        assert [d.function for d in kit.send("now", "e")] == ["work"]
        assert [d.function for d in kit.deliveries] == ["remind", "work", "remind", "work"]


# Table changes ------------------------------------------------------------------------------------------------

CHANGES = "tests.apps.changes"


def seen(record: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


@pytest.mark.parametrize("target", TARGETS)
def test_each_write_delivers_its_change_to_the_functions_of_its_kind_and_prefix(target: str, record: Path) -> None:
    with Kit(target, package=CHANGES) as kit:
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
    with Kit(target, package=CHANGES) as kit:
        stock = kit.table("stock")
        outside_prefix = stock.put("shelf/1", {"quantity": 1})
        assert sorted(d.function for d in outside_prefix) == (
            ["new_order", "record_stock"] if target == "gcp" else ["record_stock"]
        )
        assert [d.function for d in stock.put("shelf/1", {"quantity": 3})] == ["record_stock"]
        assert [c["function"] for c in seen(record)] == ["record_stock", "record_stock"]


@pytest.mark.parametrize("target", TARGETS)
def test_a_change_an_http_call_writes_is_delivered_before_the_reply(target: str, record: Path) -> None:
    with Kit(target, package=CHANGES) as kit:
        reply = kit.http("PUT", "/stock", json={"key": "orders/9", "value": {"quantity": 1}})
        assert reply.status == 200
        assert sorted(d.function for d in kit.deliveries) == ["new_order", "record_stock"]
        assert kit.table("ledger").keys() == ["orders/9"]


@pytest.mark.parametrize("target", TARGETS)
def test_a_failing_change_function_fails_the_write_and_is_recorded(target: str, record: Path) -> None:
    with Kit(target, package=CHANGES) as kit:
        with pytest.raises(EventFailed, match=r"record_stock failed on updated stock/shelf/2"):
            kit.table("stock").put("shelf/2", {"n": 1}) and kit.table("stock").put("shelf/2", {"fail": True})
        assert [(d.function, d.ok) for d in kit.failures] == [("record_stock", False)]
        assert kit.table("stock").get("shelf/2") == {"fail": True}, "the write stands: its change is retried"
