"""A queue consumer and two topic subscribers that record each attempt to $PORTABLE_TEST_RECORD.

A body `flaky` fails its first two attempts, a body `poison` fails until a file `<record>.fixed` exists. The
queue takes delays (so this App runs on AWS and locally, and the GCP deploy would refuse it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from portable import Message, queue, topic

tasks = queue("tasks", delays=True)
alerts = topic("alerts")


def _attempt(function: str, message: Message) -> None:
    path = Path(os.environ["PORTABLE_TEST_RECORD"])
    failing = (message.text == "flaky" and message.attempt <= 2) or (
        message.text == "poison" and not path.with_suffix(".fixed").exists()
    )
    with path.open("a", encoding="utf-8") as out:
        out.write(
            json.dumps(
                {
                    "function": function,
                    "id": message.id,
                    "attempt": message.attempt,
                    "text": message.text,
                    "ok": not failing,
                }
            )
            + "\n"
        )
    if failing:
        raise RuntimeError(f"{message.text} message fails on attempt {message.attempt}")


@tasks.on_message(max_attempts=5)
def work(message: Message) -> None:
    _attempt("work", message)


@alerts.on_message(max_attempts=5)
def page(message: Message) -> None:
    _attempt("page", message)


@alerts.on_message(max_attempts=5)
def archive(message: Message) -> None:
    _attempt("archive", message)
