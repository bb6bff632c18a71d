"""The portable schedule grammar: 5-field cron with an IANA time zone, or a fixed rate."""

from __future__ import annotations

import re
from dataclasses import dataclass

_RATE = re.compile(r"^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleError(ValueError):
    """A schedule cannot be expressed; the message names the field and a fix."""


@dataclass(frozen=True)
class Schedule:
    """Either `cron` (5 fields, in `timezone`) or `every_minutes`; never both."""

    cron: str | None
    every_minutes: int | None
    timezone: str = "UTC"

    def describe(self) -> str:
        if self.cron is not None:
            return f"cron {self.cron!r} in {self.timezone}"
        return f"every {self.every_minutes} minutes"


def parse_schedule(cron: str | None, every: str | None, timezone: str = "UTC") -> Schedule:
    if (cron is None) == (every is None):
        raise ScheduleError("give either a cron expression or every='N minutes|hours|days', not both or neither")
    if every is not None:
        match = _RATE.match(every)
        if not match:
            raise ScheduleError(f"every={every!r} is not a rate: write it as '15 minutes', '2 hours' or '1 day'")
        count, unit = int(match.group(1)), match.group(2).rstrip("s")
        if count <= 0:
            raise ScheduleError(f"every={every!r} must be a positive number of {unit}s")
        return Schedule(cron=None, every_minutes=count * _UNIT_SECONDS[unit] // 60, timezone="UTC")
    assert cron is not None
    fields = cron.split()
    if len(fields) != 5:
        raise ScheduleError(
            f"cron {cron!r} has {len(fields)} fields; write 5: minute hour day-of-month month day-of-week"
        )
    _check_timezone(timezone)
    return Schedule(cron=" ".join(fields), every_minutes=None, timezone=timezone)


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin' or 'UTC'") from None
