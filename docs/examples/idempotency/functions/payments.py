import uuid

from portable import Idempotency, Message, Request, http, queue, table

charges = table("charges")
receipts = queue("receipts")
shipments = queue("shipments")
sent = table("sent")
shipped = table("shipped")


# A client that sends the same Idempotency-Key again (after a timeout, say) gets the first reply back.
@http("POST /charges", idempotent=True, writes=[charges, receipts], status=201)
def charge(request: Request) -> dict[str, str]:
    order = request.json()
    charge_id = uuid.uuid4().hex
    charges.put(charge_id, {"order": order["order"], "amount": order["amount"]})
    receipts.send({"charge": charge_id, "email": order["email"]})
    return {"charge": charge_id}


# The key: the message id. A repeat delivery is acknowledged without running the handler.
@receipts.on_message(idempotent=True, writes=[sent])
def send_receipt(message: Message) -> None:
    sent.increment(message.json()["email"], "receipts")


# The key: the order in the body, so that two messages about one order ship it once within a week.
@shipments.on_message(
    idempotent=Idempotency(window_seconds=7 * 24 * 3600, key=lambda message: message.json()["order"]),
    writes=[shipped],
)
def ship(message: Message) -> None:
    shipped.increment(message.json()["order"], "parcels")
