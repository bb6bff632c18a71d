from datetime import UTC, datetime

from portable import Message

ORDER = {"order": "o-1", "amount": 30, "email": "ada@example.com"}


def test_a_repeated_request_is_charged_once(portable_app):
    key = {"Idempotency-Key": '"3f7a-charge-o-1"'}
    first = portable_app.http("POST", "/charges", json=ORDER, headers=key)
    again = portable_app.http("POST", "/charges", json=ORDER, headers=key)
    assert first.status == again.status == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(portable_app.table("charges").keys()) == 1
    assert portable_app.table("sent").get("ada@example.com") == {"receipts": 1}


def test_the_same_key_for_another_request_is_refused(portable_app):
    key = {"Idempotency-Key": '"3f7a-charge-o-2"'}
    portable_app.http("POST", "/charges", json=ORDER, headers=key)
    reply = portable_app.http("POST", "/charges", json={**ORDER, "amount": 31}, headers=key)
    assert reply.status == 422


def test_a_repeat_delivery_of_a_message_runs_no_handler(portable_app):
    receipt = Message("m-1", b'{"email": "bo@example.com"}', {}, 1, datetime.now(UTC), "receipts")
    portable_app.deliver(receipt)
    portable_app.deliver(receipt._replace(attempt=2))  # the platform delivers it again
    assert portable_app.table("sent").get("bo@example.com") == {"receipts": 1}


def test_two_messages_about_one_order_ship_it_once(portable_app):
    portable_app.send("shipments", {"order": "o-7"})
    portable_app.send("shipments", {"order": "o-7", "note": "sent again by a retrying client"})
    assert portable_app.table("shipped").get("o-7") == {"parcels": 1}
