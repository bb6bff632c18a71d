"""Message traffic with flaky and poison messages, and the figures of what became of it: what every target's
end-to-end messaging test sends and counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

# Per target: queue messages (two flaky, one poison) and topic messages (each to two subscribers, one flaky).
QUEUE_BODIES = [*(f"task {n}" for n in range(17)), "flaky", "flaky", "poison"]
TOPIC_BODIES = [*(f"alert {n}" for n in range(9)), "flaky"]
SUBSCRIBERS = ("page", "archive")
MAX_ATTEMPTS = 5  # what tests.apps.messages declares


class Figures(NamedTuple):
    sent: int  # messages each consumer should get: a queue message once, a topic message once per subscriber
    delivered: int  # handled successfully
    retried: int  # failed attempts that were tried again
    dead_lettered: int
    lost: int  # neither delivered nor dead-lettered

    def line(self, target: str) -> str:
        return (
            f"{target}: sent {self.sent}, delivered {self.delivered}, retried {self.retried}, "
            f"dead-lettered {self.dead_lettered}, lost {self.lost}"
        )


def send_traffic(send: Callable[[str, str], str], publish: Callable[[str, str], str]) -> dict[tuple[str, str], str]:
    """Send every body; (function, message id) -> body, for each delivery that should happen."""
    expected = {("work", send("tasks", body)): body for body in QUEUE_BODIES}
    for body in TOPIC_BODIES:
        message_id = publish("alerts", body)
        expected.update({(function, message_id): body for function in SUBSCRIBERS})
    return expected


def attempts(record: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def figures(expected: dict[tuple[str, str], str], record: Path, dead: set[tuple[str, str]]) -> Figures:
    """Count what the handlers recorded and what reached the dead letters, against what was sent."""
    seen = attempts(record)
    delivered = {(str(a["function"]), str(a["id"])) for a in seen if a["ok"]}
    failed = [a for a in seen if not a["ok"]]
    retried = sum(1 for a in failed if (a["function"], a["id"]) not in dead or int(str(a["attempt"])) < MAX_ATTEMPTS)
    return Figures(
        sent=len(expected),
        delivered=len(delivered & expected.keys()),
        retried=retried,
        dead_lettered=len(dead & expected.keys()),
        lost=len(expected.keys() - delivered - dead),
    )
