"""Idempotent functions of every kind, each counting its runs in `runs` (by the key it ran for), so that a test
sees how often a handler ran whatever the deliveries. A body or key holding `crash` fails the first run of that
key (marked in `crashes`), so that its retry runs."""

from portable import (
    Idempotency,
    Message,
    ObjectEvent,
    Request,
    Response,
    ScheduleEvent,
    TableChange,
    bucket,
    http,
    queue,
    schedule,
    table,
)

runs = table("once-runs")
crashes = table("once-crashes")
uploads = bucket("once-uploads")
jobs = queue("once-jobs")
orders = queue("once-orders")
items = table("once-items")


def ran(kind: str, key: str) -> int:
    """Count one run of `kind` for `key`; a key holding `crash` fails its first run."""
    if "crash" in key and crashes.get(f"{kind}/{key}") is None:
        crashes.put(f"{kind}/{key}", {"crashed": True})
        raise RuntimeError(f"crash in the middle of {kind} {key}")
    return runs.increment(f"{kind}/{key}", "count")


@http("POST /orders", idempotent=True, writes=[runs, crashes])
def place_order(request: Request) -> Response:
    order = request.json()
    count = ran("http", order["item"])
    if order.get("status") == "fail":
        return Response({"error": "refused"}, status=503)
    return Response({"item": order["item"], "run": count}, status=201).set_cookie("order", order["item"])


@jobs.on_message(idempotent=True, writes=[runs, crashes])
def work(message: Message) -> None:
    ran("message", message.text)


@orders.on_message(
    idempotent=Idempotency(window_seconds=60, key=lambda message: message.json()["order"]), writes=[runs, crashes]
)
def take_order(message: Message) -> None:
    ran("order", message.json()["order"])


@uploads.on_created(idempotent=True, writes=[runs, crashes])
def on_upload(event: ObjectEvent) -> None:
    ran("object", event.key)


@schedule(every="1 hour", idempotent=True, writes=[runs, crashes])
def hourly(event: ScheduleEvent) -> None:
    ran("schedule", event.time.isoformat())


@items.on_written(idempotent=True, writes=[runs, crashes])
def on_item(change: TableChange) -> None:
    ran("change", change.key)
