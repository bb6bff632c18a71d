"""A queue with its consumer, a topic with two subscribers, and an HTTP function sending to both."""

from portable import Message, Request, http, queue, table, topic

jobs = queue("jobs")
orders = topic("orders")
ledger = table("ledger")


@http("POST /orders", writes=[orders, jobs])
def place(request: Request) -> dict[str, str]:
    return {"id": orders.publish(request.body)}


@jobs.on_message(batch_size=5, max_attempts=7, writes=[ledger])
def work(message: Message) -> None:
    ledger.put(message.id, {"body": message.text})


@orders.on_message(max_attempts=10, timeout_seconds=20, writes=[jobs])
def bill(message: Message) -> None:
    jobs.send(message.body)


@orders.on_message
def email(message: Message) -> None:
    pass
