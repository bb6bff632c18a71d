"""The bench compares like with like: each hand-written side does the work its Portable side does
(bench/measure.py). Nothing here is timed (`python -m bench` does that)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.measure import CHANGE, FIRING, HTTP_V2, NOTE, PYDANTIC_V2, TYPED_V2, UPLOAD, Side, portable_side


def _answer(reply: Any) -> Any:
    return json.loads(reply["body"]) if isinstance(reply, dict) and "body" in reply else reply


@pytest.mark.parametrize(
    ("portable", "hand_written"),
    [
        (portable_side("greet", "bench.app.greet", HTTP_V2), Side("bench.baseline_lambda", HTTP_V2)),
        (
            portable_side("uploaded", "bench.app.uploaded", UPLOAD, buckets=("uploads",)),
            Side("bench.baseline_events", UPLOAD, attribute="s3_handler"),
        ),
        (
            portable_side("greet_typed", "bench.app.greet_typed", TYPED_V2),
            portable_side("greet", "bench.app.greet", HTTP_V2),
        ),
        (
            portable_side("greet_pydantic", "bench.app.greet_pydantic", PYDANTIC_V2),
            portable_side("greet", "bench.app.greet", HTTP_V2),
        ),
        (
            portable_side("tick", "bench.app.tick", FIRING),
            Side("bench.baseline_events", FIRING, attribute="schedule_handler"),
        ),
        (
            portable_side("noted", "bench.app.noted", NOTE),
            Side("bench.baseline_events", NOTE, attribute="message_handler"),
        ),
        (
            portable_side("changed", "bench.app.changed", CHANGE),
            Side("bench.baseline_events", CHANGE, attribute="change_handler"),
        ),
    ],
)
def test_each_hand_written_side_answers_as_its_portable_side(
    portable: Side,
    hand_written: Side,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in portable.env.items():
        monkeypatch.setenv(name, value)
    ours = _answer(portable.loaded()(portable.event, None))
    theirs = _answer(hand_written.loaded()(hand_written.event, None))
    assert ours == theirs
    assert ours in ({"message": "Hello, Alice!"}, {"status": 200, "delivered": 1}, {"batchItemFailures": []})
