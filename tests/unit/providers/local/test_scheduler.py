"""The local scheduler: fire times in the schedule's own zone, due firings and firing on demand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portable.schedules import parse_schedule
from providers.local.scheduler import LocalScheduler, fire_times, latest_fire_time, next_fire_time

BERLIN_WEEKDAYS = parse_schedule("30 9 * * MON-FRI", None, "Europe/Berlin")
QUARTER_HOURS = parse_schedule(None, "15 minutes", "UTC")


def test_fire_times_follow_the_zone_across_a_clock_change() -> None:
    # Berlin moves to summer time on Sunday 2026-03-29: 09:30 is 08:30 UTC before, 07:30 after.
    times = fire_times(BERLIN_WEEKDAYS, datetime(2026, 3, 26, 12, tzinfo=UTC), 3)
    assert times == [
        datetime(2026, 3, 27, 8, 30, tzinfo=UTC),
        datetime(2026, 3, 30, 7, 30, tzinfo=UTC),
        datetime(2026, 3, 31, 7, 30, tzinfo=UTC),
    ]


def test_next_is_strictly_after_and_latest_is_at_or_before() -> None:
    at = datetime(2026, 5, 4, 10, 15, tzinfo=UTC)
    assert next_fire_time(QUARTER_HOURS, at) == datetime(2026, 5, 4, 10, 30, tzinfo=UTC)
    assert latest_fire_time(QUARTER_HOURS, at) == at
    assert latest_fire_time(QUARTER_HOURS, at.replace(minute=29, second=59)) == at


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        next_fire_time(QUARTER_HOURS, datetime(2026, 5, 4, 10, 15))


def test_fire_due_fires_each_due_schedule_once_with_its_scheduled_time() -> None:
    calls: list[tuple[str, datetime]] = []
    start = datetime(2026, 5, 4, 10, 1, tzinfo=UTC)  # a Monday
    scheduler = LocalScheduler(
        [("report", BERLIN_WEEKDAYS), ("poll", QUARTER_HOURS)], lambda name, due: calls.append((name, due)), start
    )
    assert scheduler.next_due() == datetime(2026, 5, 4, 10, 15, tzinfo=UTC)
    assert scheduler.fire_due(datetime(2026, 5, 4, 10, 14, 59, tzinfo=UTC)) == []
    assert scheduler.fire_due(datetime(2026, 5, 4, 10, 15, 20, tzinfo=UTC)) == [
        ("poll", datetime(2026, 5, 4, 10, 15, tzinfo=UTC))
    ]
    # An hour late: the missed quarters collapse into the latest one, as cron skips missed runs.
    assert scheduler.fire_due(datetime(2026, 5, 4, 11, 20, tzinfo=UTC)) == [
        ("poll", datetime(2026, 5, 4, 11, 15, tzinfo=UTC))
    ]
    fired = scheduler.fire_due(datetime(2026, 5, 5, 7, 30, 5, tzinfo=UTC))
    # Both are due at 07:30 UTC (09:30 in Berlin); the one pending longest goes first.
    assert fired == [
        ("poll", datetime(2026, 5, 5, 7, 30, tzinfo=UTC)),
        ("report", datetime(2026, 5, 5, 7, 30, tzinfo=UTC)),
    ]
    assert calls == [
        ("poll", datetime(2026, 5, 4, 10, 15, tzinfo=UTC)),
        ("poll", datetime(2026, 5, 4, 11, 15, tzinfo=UTC)),
        *fired,
    ]
