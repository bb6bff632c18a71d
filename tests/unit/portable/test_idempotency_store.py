"""Idempotent functions on every target: a repeat delivery runs no handler, a failure lets the retry run, two
deliveries at once run the handler once, and an HTTP key replays its first reply (409 while in progress, 422 for
another request)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from portable import EventFailed, Message, ObjectEvent, TableChange
from portable.app import ResourceSpec
from portable.context import using_clients
from portable.data_rules import EXPIRES_FIELD
from portable.errors import AppDefinitionError
from portable.idempotency import Idempotency, check_option
from portable.idempotency_store import (
    KEY_HEADER,
    REPLAYED_HEADER,
    STORE,
    deliver_once,
    header_key,
    record_key,
)
from providers.binding import client_factory
from providers.local.sqlite_files import using_local_dir
from providers.testing.kit import Kit
from providers.testing.targets import TARGETS

PACKAGE = "tests.apps.once"


@pytest.fixture(params=TARGETS)
def kit(request: pytest.FixtureRequest) -> Iterator[Kit]:
    with Kit(request.param, package=PACKAGE) as kit:
        yield kit


def runs(kit: Kit, key: str) -> int:
    found = kit.table("once-runs").get(key)
    return int(found["count"]) if found else 0


def message(source: str, body: str, message_id: str | None = None) -> Message:
    return Message(message_id or uuid.uuid4().hex, body.encode(), {}, 1, datetime.now(UTC), source)


# Events: duplicates, crashes -------------------------------------------------------------------------------------


def test_a_repeated_message_runs_its_handler_once(kit: Kit) -> None:
    sent = message("once-jobs", "a")
    first, again = kit.deliver(sent), kit.deliver(sent._replace(attempt=2))
    assert [d.ok for d in first + again] == [True, True]
    assert runs(kit, "message/a") == 1
    kit.deliver(message("once-jobs", "a"))  # another message with the same body: another id, another run
    assert runs(kit, "message/a") == 2


def test_a_repeated_object_event_runs_its_handler_once(kit: Kit) -> None:
    kit.bucket("once-uploads").put("photo.jpg", b"1")
    assert runs(kit, "object/photo.jpg") == 1
    event = ObjectEvent("once-uploads", "photo.jpg", "created", "the-same-change", datetime.now(UTC), 1)
    kit.deliver(event)
    kit.deliver(event)
    assert runs(kit, "object/photo.jpg") == 2  # the upload's own event, then this one once


def test_a_repeated_firing_and_table_change_run_their_handlers_once(kit: Kit) -> None:
    due = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    kit.fire("hourly", at=due)
    kit.fire("hourly", at=due)
    assert runs(kit, f"schedule/{due.isoformat()}") == 1
    change = TableChange("once-items", "a", "created", None, {"n": 1}, "change-1", datetime.now(UTC))
    kit.deliver(change)
    kit.deliver(change)
    assert runs(kit, "change/a") == 1


def test_a_crash_mid_handler_releases_the_key_so_that_the_retry_runs(kit: Kit) -> None:
    sent = message("once-jobs", "crash")
    with pytest.raises(EventFailed):
        kit.deliver(sent)
    assert runs(kit, "message/crash") == 0
    assert [d.ok for d in kit.deliver(sent._replace(attempt=2))] == [True]
    kit.deliver(sent._replace(attempt=3))
    assert runs(kit, "message/crash") == 1


def test_a_key_function_makes_two_messages_one(kit: Kit) -> None:
    kit.send("once-orders", {"order": "o-1"})
    kit.send("once-orders", {"order": "o-1", "note": "sent twice by the client"})
    kit.send("once-orders", {"order": "o-2"})
    assert (runs(kit, "order/o-1"), runs(kit, "order/o-2")) == (1, 1)


# Two deliveries at once --------------------------------------------------------------------------------------------


def test_two_concurrent_deliveries_of_one_id_run_the_handler_once(tmp_path: object) -> None:
    """The second delivery meets the first's lease and fails (the platform retries it); once the first is done, the
    retry is acknowledged without running the handler."""
    with Kit("local", package=PACKAGE) as kit:
        spec = kit.app.function("work")
        entered, release, calls = threading.Event(), threading.Event(), []

        def slow(event: Message) -> None:
            calls.append(event.id)
            entered.set()
            release.wait(10)

        clients = client_factory("local")
        event = message("once-jobs", "together")
        outcomes: list[str] = []

        def deliver() -> None:
            with using_local_dir(kit.state), using_clients(clients):
                try:
                    deliver_once(spec, clients, event, slow)
                    outcomes.append("ran")
                except EventFailed:
                    outcomes.append("retried")

        first = threading.Thread(target=deliver)
        first.start()
        assert entered.wait(10)
        deliver()  # the second, while the first holds the lease
        release.set()
        first.join(10)
        assert outcomes == ["retried", "ran"]
        deliver()  # the platform's retry of the second
        assert outcomes[-1] == "ran" and calls == [event.id]


def test_a_lease_that_ran_out_is_taken_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that died mid-handler leaves its key in progress; after the lease (the function's timeout and a
    margin) the next delivery runs."""
    with Kit("local", package=PACKAGE) as kit:
        spec = kit.app.function("work")
        clients = client_factory("local")
        event = message("once-jobs", "orphan")
        with using_local_dir(kit.state), using_clients(clients):
            store = clients(STORE)
            store.put(
                record_key(spec.name, event.id),
                {"state": "running", "key": event.id, "fingerprint": None, EXPIRES_FIELD: int(time.time()) + 60},
                True,
                None,
            )
            with pytest.raises(EventFailed, match="in progress"):
                deliver_once(spec, clients, event, lambda _: None)
            later = time.time() + 61
            monkeypatch.setattr(time, "time", lambda: later)
            ran: list[str] = []
            deliver_once(spec, clients, event, lambda e: ran.append(e.id))
            assert ran == [event.id]
            stored = store.get(record_key(spec.name, event.id))
            assert stored.value["state"] == "done" and stored.value[EXPIRES_FIELD] >= later + 24 * 3600


# HTTP ----------------------------------------------------------------------------------------------------------------


def test_a_repeated_key_replays_the_first_reply(kit: Kit) -> None:
    key = {KEY_HEADER: '"order-1"'}
    first = kit.http("POST", "/orders", json={"item": "tea"}, headers=key)
    again = kit.http("POST", "/orders", json={"item": "tea"}, headers=key)
    assert first.status == again.status == 201
    assert again.json() == first.json() == {"item": "tea", "run": 1}
    assert again.cookies == first.cookies and again.headers.get("content-type") == "application/json"
    assert REPLAYED_HEADER not in first.headers and again.headers[REPLAYED_HEADER] == "true"
    assert runs(kit, "http/tea") == 1


def test_the_same_key_with_another_request_is_422(kit: Kit) -> None:
    key = {KEY_HEADER: "order-2"}
    kit.http("POST", "/orders", json={"item": "tea"}, headers=key)
    other = kit.http("POST", "/orders", json={"item": "coffee"}, headers=key)
    assert other.status == 422 and "another request" in other.json()["error"]
    assert runs(kit, "http/coffee") == 0


def test_without_the_header_every_call_runs(kit: Kit) -> None:
    kit.http("POST", "/orders", json={"item": "water"})
    reply = kit.http("POST", "/orders", json={"item": "water"})
    assert reply.json()["run"] == 2 and REPLAYED_HEADER not in reply.headers


def test_a_failed_call_releases_its_key(kit: Kit) -> None:
    key = {KEY_HEADER: "order-3"}
    assert kit.http("POST", "/orders", json={"item": "crash"}, headers=key).status == 500
    retried = kit.http("POST", "/orders", json={"item": "crash"}, headers=key)
    assert retried.status == 201 and retried.json()["run"] == 1
    assert kit.http("POST", "/orders", json={"item": "x", "status": "fail"}, headers={KEY_HEADER: "k4"}).status == 503
    assert kit.http("POST", "/orders", json={"item": "x", "status": "fail"}, headers={KEY_HEADER: "k4"}).status == 503
    assert runs(kit, "http/x") == 2  # a 5xx is not kept: each call ran


def test_a_key_in_progress_is_409() -> None:
    with Kit("local", package=PACKAGE) as kit:
        spec = kit.app.function("place_order")
        clients = client_factory("local")
        from portable.idempotency_store import request_fingerprint
        from portable.request import Headers, Request

        request = Request(
            method="POST",
            path="/orders",
            body=b'{"item": "slow"}',
            request_id="r1",
            headers=Headers([(KEY_HEADER, "busy")]),
        )
        with using_local_dir(kit.state), using_clients(clients):
            clients(STORE).put(
                record_key(spec.name, "busy"),
                {
                    "state": "running",
                    "key": "busy",
                    "fingerprint": request_fingerprint(request),
                    EXPIRES_FIELD: int(time.time()) + 60,
                },
                True,
                None,
            )
        reply = kit.http("POST", "/orders", body=b'{"item": "slow"}', headers={KEY_HEADER: "busy"})
        assert reply.status == 409 and "in progress" in reply.json()["error"]


def test_an_unreadable_key_is_400(kit: Kit) -> None:
    reply = kit.http("POST", "/orders", json={"item": "tea"}, headers={KEY_HEADER: "x" * 300})
    assert reply.status == 400 and KEY_HEADER in reply.json()["error"]


def test_header_keys() -> None:
    assert header_key(None) is None
    assert header_key('"abc"') == header_key("abc") == "abc"
    assert header_key("") == header_key('"a b"') == header_key("é") == ""


# Declarations --------------------------------------------------------------------------------------------------------


def test_declarations_are_checked_where_they_are_written() -> None:
    assert check_option(True, "f.py:1") == Idempotency()
    assert check_option(False, "f.py:1") is None
    with pytest.raises(AppDefinitionError, match=r"f\.py:1: idempotent= takes True"):
        check_option("yes", "f.py:1")
    with pytest.raises(AppDefinitionError, match="window_seconds=0"):
        check_option(Idempotency(window_seconds=0), "f.py:1")
    with pytest.raises(AppDefinitionError, match="key="):
        check_option(Idempotency(key="order"), "f.py:1")  # type: ignore[arg-type]


def test_an_idempotent_function_writes_the_store_and_the_app_declares_it() -> None:
    with Kit("local", package=PACKAGE) as kit:
        assert STORE.name in kit.app.tables
        assert STORE.name in kit.app.function("work").writes
        assert kit.app.resources[STORE.name] == ResourceSpec("table", STORE.name)


def test_no_table_may_take_the_store_s_name() -> None:
    from portable import table

    with pytest.raises(AppDefinitionError, match="idempotency store"):
        table(STORE.name)
