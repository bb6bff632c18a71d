"""The API backend pattern: POST /hello with {"name": "Alice"} answers a greeting.

The body and the reply are declared as dataclasses: Portable checks the body before the handler runs (a 422 names
each field that does not fit), checks the reply before it leaves, and describes both in the App's OpenAPI document.
Every greeting is recorded in the `greetings` table, keyed by UTC date first so that the nightly report
(functions/report.py) can read one day with a key-prefix query, and published to the `greeted` topic, whose
subscribers are in functions/greeted.py.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from portable import HttpError, Request, TooLarge, http, table, topic

greetings = table("greetings")
greeted = topic("greeted")


@dataclass
class HelloIn:
    """Who to greet; without a name (or without a body), the world."""

    name: str = "World"


@dataclass
class HelloOut:
    message: str


def greeting_key(when: datetime, request_id: str) -> str:
    """`2026-11-26/13:05:59.123456/<request id>`: one day is one prefix, and keys never collide."""
    return f"{when:%Y-%m-%d}/{when:%H:%M:%S.%f}/{request_id}"


@http("POST /hello", writes=[greetings, greeted])
def hello(request: Request, body: HelloIn | None = None) -> HelloOut:
    """Greet someone, and remember the greeting."""
    name = (body.name if body else "") or "World"
    now = datetime.now(UTC)
    try:
        greetings.put(greeting_key(now, request.request_id), {"name": name, "at": now.isoformat()})
    except TooLarge:
        raise HttpError(413, '"name" is too long to keep; send a shorter one') from None
    greeted.publish({"name": name})
    return HelloOut(message=f"Hello, {name}!")
