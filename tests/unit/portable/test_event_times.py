"""Event times (portable/event_times.py): read as aware UTC, within the years an event can have."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portable.errors import MalformedEvent
from portable.event_times import event_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28T02:00:00Z", datetime(2026, 11, 28, 2, tzinfo=UTC)),
        ("2026-11-28T03:00:00+01:00", datetime(2026, 11, 28, 2, tzinfo=UTC)),
        ("1970-01-01T00:00:00Z", datetime(1970, 1, 1, tzinfo=UTC)),
        ("9998-12-31T23:59:59Z", datetime(9998, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_event_times_read_as_aware_utc(text: str, expected: datetime) -> None:
    assert event_time(text, "time") == expected


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00-01:00"]
)
def test_times_no_event_can_have_are_malformed_before_a_handler_does_arithmetic_on_them(text: str) -> None:
    with pytest.raises(MalformedEvent, match="is not"):
        event_time(text, "time")
