"""A firing's id: the same whether it is made from the time the event carried or formatted again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from portable.event_times import event_time
from portable.schedule_trigger import schedule_firing


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28T02:30:00Z",
        "2026-11-28T02:30:00.250Z",
        "2026-11-28T02:30:00+00:00",
        "2026-11-28T03:30:00+01:00",
        "2026-W48-6T02:30:00Z",  # an ISO week date of the same length as the id's form
        "2026-11-28 02:30:00Z",
    ],
)
def test_the_id_is_the_due_time_to_the_second_in_utc_whatever_form_the_event_carried(text: str) -> None:
    firing = schedule_firing("tick", event_time(text, "time"), text)
    assert firing.id == "tick@2026-11-28T02:30:00Z"
    assert firing.time.tzinfo is UTC


def test_a_due_time_in_another_zone_is_kept_in_utc() -> None:
    due = datetime(2026, 11, 28, 3, 30, tzinfo=timezone(timedelta(hours=1)))
    firing = schedule_firing("tick", due)
    assert (firing.time, firing.id) == (datetime(2026, 11, 28, 2, 30, tzinfo=UTC), "tick@2026-11-28T02:30:00Z")
