from portable import Message, Request, http, log, queue, table, topic

orders = topic("orders")  # every subscriber gets every message
invoices = queue("invoices")  # one consumer works each message off
invoice_store = table("invoice-store")


@http("POST /orders", writes=[orders])  # send or publish only to what the function declares
def place_order(request: Request) -> dict[str, str]:
    return {"id": orders.publish(request.json(), attributes={"kind": "order"})}


@orders.on_message(writes=[invoices])  # a subscriber of the topic
def bill(message: Message) -> None:
    invoices.send({"order": message.json()}, attributes={"order_id": message.id})


@orders.on_message  # another subscriber; the decorator may be written bare
def audit_order(message: Message) -> None:
    log.info("order placed", message_id=message.id, kind=message.attributes.get("kind"))


@invoices.on_message(batch_size=10, max_attempts=5, writes=[invoice_store])  # the queue's one consumer
def write_invoice(message: Message) -> None:
    # message.id is the same on every delivery of this message: keying the write by it makes a repeat harmless
    order_id = message.attributes["order_id"]
    invoice_store.put(order_id, {"order": message.json()["order"], "attempt": message.attempt})
