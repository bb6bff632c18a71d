"""The local deliverer settles an event as the shim it delivers through answers, dead letters included."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from providers.local.clients import open_bucket
from providers.local.runner import LocalApp


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalApp:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("PORTABLE_TEST_RECORD", str(tmp_path / "seen.jsonl"))
    return LocalApp("tests.conformance.app")


def test_an_event_whose_retries_the_shim_ended_is_a_dead_letter_not_a_delivery(local: LocalApp) -> None:
    """`try_once` takes one attempt (RetryPolicy(attempts=1)): the GCP shim ends its retries and acknowledges it,
    as Eventarc needs; the runner keeps the event as a dead letter to replay, as the clouds' logs do."""
    open_bucket("inbox").put("once/a.txt", b"a", "text/plain", {})
    assert local.deliverer.relay()
    outcomes = []
    while (queued := local.queue.take(time.time())) is not None:
        outcomes.append((queued.function, local.deliverer.attempt(queued)))
    settled = {function: outcome for function, outcome in outcomes}
    assert settled["record_created"].state == "delivered"
    once = settled["try_once"]
    assert once.state == "dead-lettered" and once.status == 204
    assert "its one attempt failed" in str(once.error)
    (letter,) = local.letters.all("try_once")
    assert letter.event.key == "once/a.txt" and letter.attempts == 1
