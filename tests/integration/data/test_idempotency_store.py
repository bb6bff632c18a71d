"""The idempotency store on every backend (local SQLite, DynamoDB on moto, the Firestore emulator): a repeat
runs no handler, a failure releases its key, two deliveries at once run the handler once, an HTTP reply is kept
and replayed whole, and the expiry is stored where each cloud's time to live reads it."""

from __future__ import annotations

import contextvars
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest

from portable.app import Function
from portable.errors import EventFailed
from portable.idempotency import Idempotency
from portable.idempotency_store import KEY_HEADER, REPLAYED_HEADER, STORE, answer_once, deliver_once, record_key
from portable.message_trigger import Message, MessageTrigger
from portable.replies import HttpReply
from portable.request import Headers, Request
from tests.backends.fixtures import Backend

TRIGGER = MessageTrigger("once-jobs", "queue", 10, 5)
SPEC = Function("work", "tests.apps.once.handlers", "handlers.py", TRIGGER, idempotency=Idempotency())


@pytest.fixture
def store(backend: Backend) -> Backend:
    backend.provision(STORE)
    return backend


def message(body: str = "{}") -> Message:
    return Message(uuid.uuid4().hex, body.encode(), {}, 1, datetime.now(UTC), "once-jobs")


def test_a_repeat_runs_no_handler_and_a_failure_lets_the_retry_run(store: Backend) -> None:
    ran: list[str] = []
    event = message()
    deliver_once(SPEC, store.client_for, event, lambda e: ran.append(e.id))
    deliver_once(SPEC, store.client_for, event, lambda e: ran.append(e.id))
    assert ran == [event.id]

    crashing = message()

    def crash(_: Message) -> None:
        raise RuntimeError("killed mid-handler")

    with pytest.raises(RuntimeError):
        deliver_once(SPEC, store.client_for, crashing, crash)
    deliver_once(SPEC, store.client_for, crashing, lambda e: ran.append(e.id))
    assert ran == [event.id, crashing.id]


def test_two_deliveries_at_once_run_the_handler_once(store: Backend) -> None:
    event = message()
    entered, release = threading.Event(), threading.Event()
    calls: list[str] = []
    outcomes: list[str] = []

    def slow(e: Message) -> None:
        calls.append(e.id)
        entered.set()
        release.wait(10)

    def deliver() -> None:
        try:
            deliver_once(SPEC, store.client_for, event, slow)
            outcomes.append("ran")
        except EventFailed:
            outcomes.append("retried")

    first = threading.Thread(target=contextvars.copy_context().run, args=(deliver,))
    first.start()
    assert entered.wait(10)
    deliver()
    release.set()
    first.join(10)
    deliver()
    assert outcomes == ["retried", "ran", "ran"] and calls == [event.id]


def test_an_http_reply_is_kept_and_replayed_whole(store: Backend) -> None:
    spec = SPEC._replace(name="orders")
    request = Request(method="POST", path="/orders", body=b"{}", request_id="r", headers=Headers([(KEY_HEADER, "k")]))
    calls: list[int] = []

    def answer() -> HttpReply:
        calls.append(1)
        return HttpReply(201, b"\x00\xffbinary", [("Content-Type", "application/octet-stream")], ["a=1"], binary=True)

    first = answer_once(spec, store.client_for, request, answer)
    again = answer_once(spec, store.client_for, request, answer)
    assert calls == [1]
    assert (again.status, again.body, again.cookies, again.binary) == (201, first.body, ["a=1"], True)
    assert again.headers.pairs == [*first.headers.pairs, (REPLAYED_HEADER, "true")]


def test_the_expiry_is_stored_where_the_cloud_s_time_to_live_reads_it(store: Backend) -> None:
    event = message()
    before = time.time()
    deliver_once(SPEC, store.client_for, event, lambda _: None)
    key = record_key(SPEC.name, event.id)
    stored = store.client_for(STORE).get(key)
    expires = stored.value["_expires"]
    assert isinstance(expires, int) and before + 24 * 3600 <= expires <= time.time() + 24 * 3600 + 1
    physical = store.created[STORE.name]
    if store.provider == "aws":  # DynamoDB's TTL reads a top-level Number of epoch seconds
        from providers.aws.dynamodb_keys import key_attributes
        from providers.aws.sdk import client

        raw = client("dynamodb").get_item(TableName=physical, Key=key_attributes(key))["Item"]
        assert raw["_expires"] == {"N": str(expires)}
    elif store.provider == "gcp":  # a Firestore TTL policy reads a timestamp
        from providers.gcp.firestore import document_id
        from providers.gcp.sdk import firestore_client

        raw = firestore_client().collection(physical).document(document_id(key)).get().to_dict()
        assert isinstance(raw["_expires"], datetime) and int(raw["_expires"].timestamp()) == expires
