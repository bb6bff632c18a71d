"""The API backend pattern: POST /hello with {"name": "Alice"} answers a greeting.

Every greeting is recorded in the `greetings` table, keyed by UTC date first so that the
nightly report (functions/report.py) can read one day with a key-prefix query, and published to
the `greeted` topic, whose subscribers are in functions/greeted.py.
"""

from datetime import UTC, datetime

from portable import HttpError, Request, TooLarge, http, table, topic

greetings = table("greetings")
greeted = topic("greeted")


def greeting_key(when: datetime, request_id: str) -> str:
    """`2026-11-26/13:05:59.123456/<request id>`: one day is one prefix, and keys never collide."""
    return f"{when:%Y-%m-%d}/{when:%H:%M:%S.%f}/{request_id}"


@http("POST /hello", writes=[greetings, greeted])
def hello(request: Request) -> dict[str, str]:
    body = request.json() if request.body.strip() else {}
    if not isinstance(body, dict):
        raise HttpError(400, 'send a JSON object, for example {"name": "Alice"}')
    name = body.get("name") or "World"
    if not isinstance(name, str):
        raise HttpError(400, '"name" must be a string')
    now = datetime.now(UTC)
    try:
        greetings.put(greeting_key(now, request.request_id), {"name": name, "at": now.isoformat()})
    except TooLarge:
        raise HttpError(413, '"name" is too long to keep; send a shorter one') from None
    greeted.publish({"name": name})
    return {"message": f"Hello, {name}!"}
