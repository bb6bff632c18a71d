"""IANA time zones: validation, and the wall-clock times a zone skips or repeats.

Standard library only (zoneinfo): this runs when an App loads, on every cold start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Weekdays and leap years repeat every 28 years (between 1901 and 2099), so rules such as
# "last Sunday of March" produce every date they can within this many years.
HORIZON_YEARS = 28
_SCAN_STEP = timedelta(days=7)


class UnknownTimeZone(ValueError):
    """The name is not in the IANA time zone database."""


@dataclass(frozen=True)
class Shift:
    """Local wall-clock times [start, end) that a zone skips (`skipped`) or repeats, on one date."""

    start: datetime
    end: datetime
    skipped: bool

    def wall_times(self) -> list[datetime]:
        """Every whole minute in [start, end), naive local time."""
        minute = timedelta(minutes=1)
        wall = self.start.replace(second=0, microsecond=0)
        if wall < self.start:
            wall += minute
        times: list[datetime] = []
        while wall < self.end:
            times.append(wall)
            wall += minute
        return times


def zone(name: str) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise UnknownTimeZone(f"timezone={name!r} must be an IANA name such as 'Europe/Berlin' or 'UTC'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(
            f"timezone={name!r} is not a known IANA time zone: use a name such as 'Europe/Berlin' or 'UTC'"
        ) from None


@lru_cache(maxsize=64)
def shifts(name: str, first_year: int, years: int = HORIZON_YEARS) -> tuple[Shift, ...]:
    """The skipped and repeated wall-clock intervals of zone `name` from `first_year` on."""
    tz = zone(name)
    instant = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(first_year + years, 1, 1, tzinfo=UTC)
    found: list[Shift] = []
    offset = _offset(tz, instant)
    while instant < end:
        following = instant + _SCAN_STEP
        next_offset = _offset(tz, following)
        if next_offset != offset:
            change = _bisect(tz, instant, following, offset)
            found.append(_shift(change, offset, next_offset))
        instant, offset = following, next_offset
    return tuple(found)


def _offset(tz: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None
    return offset


def _bisect(tz: ZoneInfo, low: datetime, high: datetime, low_offset: timedelta) -> datetime:
    """The first instant in (low, high] whose offset differs from `low_offset`, to the second."""
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if _offset(tz, middle) == low_offset:
            low = middle
        else:
            high = middle
    return high


def _shift(change: datetime, before: timedelta, after: timedelta) -> Shift:
    naive = change.replace(tzinfo=None)
    if after > before:
        return Shift(start=naive + before, end=naive + after, skipped=True)
    return Shift(start=naive + after, end=naive + before, skipped=False)
