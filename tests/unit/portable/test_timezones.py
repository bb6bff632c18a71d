"""Clock changes (portable/timezones.py): the wall times a zone skips or repeats."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from portable.timezones import shifts


def test_shifts_are_the_wall_times_the_zone_skips_or_repeats() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    found = shifts("Europe/Berlin", 2026, 1)
    assert [(shift.start, shift.end, shift.skipped) for shift in found] == [
        (datetime(2026, 3, 29, 2), datetime(2026, 3, 29, 3), True),
        (datetime(2026, 10, 25, 2), datetime(2026, 10, 25, 3), False),
    ]
    gap_wall = datetime(2026, 3, 29, 2, 30, tzinfo=berlin)
    assert gap_wall.astimezone(ZoneInfo("UTC")).astimezone(berlin).replace(tzinfo=None) != gap_wall.replace(tzinfo=None)
    assert len(found[0].wall_times()) == 60
    # Lord Howe Island moves its clocks by half an hour.
    lord_howe = shifts("Australia/Lord_Howe", 2026, 1)
    assert {shift.end - shift.start for shift in lord_howe} == {timedelta(minutes=30)}
