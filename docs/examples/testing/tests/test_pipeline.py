from datetime import UTC, datetime

import pytest

from portable import EventFailed


def test_hello(portable_app):
    reply = portable_app.http("POST", "/hello", json={"name": "Ada"})
    assert reply.status == 200
    assert reply.json() == {"message": "Hello, Ada!"}


def test_an_upload_is_shouted_before_put_returns(portable_app):
    portable_app.bucket("uploads").put("note.txt", "hello")  # shout runs before put returns
    assert portable_app.bucket("shouted").get("note.txt") == b"HELLO"


def test_the_nightly_report(portable_app):
    portable_app.table("greetings").put("2026-11-27/r1", {"name": "Ada"})
    portable_app.fire("nightly_report", at=datetime(2026, 11, 28, 2, tzinfo=UTC))
    assert portable_app.bucket("reports").get("greetings/2026-11-27.json") == b'["Ada"]'


def test_a_failing_function_fails_the_write_that_triggered_it(portable_app):
    with pytest.raises(EventFailed, match="shout failed"):
        portable_app.bucket("uploads").put("empty.txt", " ")
    assert portable_app.bucket("uploads").keys() == ["empty.txt"]  # the write itself happened
    assert [delivery.function for delivery in portable_app.failures] == ["shout"]


@pytest.mark.parametrize("portable_target", ["local"])  # this test runs on the local runner only
def test_every_delivery_is_recorded(portable_app):
    portable_app.bucket("uploads").put("a.txt", "a")
    assert [(d.function, d.event, d.ok) for d in portable_app.deliveries] == [("shout", "created uploads/a.txt", True)]
