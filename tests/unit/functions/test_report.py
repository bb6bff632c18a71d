"""The nightly report (functions/report.py) through the Lambda handler survives any stored greeting."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portable import table
from portable.context import using_clients
from providers.local.clients import client_for
from tests.backends.pipeline_kit import report_due_after
from tests.conftest import FIXTURES, aws_handler

greetings = table("greetings")


@pytest.fixture(autouse=True)
def local_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path))
    monkeypatch.setenv("PORTABLE_PROVIDER", "local")
    with using_clients(client_for):
        yield


def test_the_nightly_report_survives_any_stored_greeting(monkeypatch: pytest.MonkeyPatch) -> None:
    day = datetime.now(UTC).date()
    odd = [
        {"name": "Alice", "at": f"{day}T01:00:00+00:00"},
        {"at": 5},
        {"name": {"nested": [1, None]}},
        {"name": None, "at": None},
        {"name": 'comma, "quote"\nnewline', "at": "x"},
        {},
    ]
    for index, value in enumerate(odd):
        greetings.put(f"{day}/00:00:0{index}/id{index}", value)
    monkeypatch.setenv("PORTABLE_FUNCTION", "nightly_report")
    monkeypatch.setenv("PORTABLE_MODULE", "functions.report")
    due = report_due_after(day).isoformat().replace("+00:00", "Z")
    event = json.loads((FIXTURES / "aws/eventbridge-scheduler/scheduled-event-default-input.json").read_text())
    event["time"] = due
    assert aws_handler(event, None) == {"status": 200, "delivered": 1}
    from portable import bucket

    summary = json.loads(bucket("reports").get(f"greetings/{day}.json"))
    assert summary["total"] == len(odd)
