"""Metrics of every kind of function: an upload counted by tier, and how long a resize took."""

from portable import Message, Request, http, metric, queue

uploads = metric("photos_uploaded", unit="Count", dimensions=["tier", "source"])
resize_time = metric("resize_time", unit="Milliseconds")
resizes = queue("metered-resizes")


@http("POST /photos", writes=[resizes])
def upload(request: Request) -> dict[str, str]:
    tier = request.json()["tier"]
    uploads.record(1, tier=tier, source="api")
    resizes.send({"tier": tier})
    return {"tier": tier}


@resizes.on_message
def resize(message: Message) -> None:
    resize_time.record(12.5)
