"""When local schedules are due, in their own time zones, and firing them when they are."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

from portable.schedules import Schedule

Fire = Callable[[str, datetime], object]


def fire_times(schedule: Schedule, after: datetime, count: int) -> list[datetime]:
    """The next `count` instants (UTC) strictly after `after` at which `schedule` fires."""
    if schedule.cron is None:
        raise ValueError(f"{schedule.describe()} has no cron form; build it with parse_schedule()")
    if after.tzinfo is None:
        raise ValueError(f"after={after!r} has no time zone; pass an aware datetime, e.g. datetime.now(UTC)")
    walk = croniter(schedule.cron, after.astimezone(ZoneInfo(schedule.timezone)))
    return [walk.get_next(datetime).astimezone(UTC) for _ in range(count)]


def next_fire_time(schedule: Schedule, after: datetime) -> datetime:
    """The first instant (UTC) strictly after `after` at which `schedule` fires."""
    return fire_times(schedule, after, 1)[0]


def latest_fire_time(schedule: Schedule, at_or_before: datetime) -> datetime:
    """The last instant (UTC) at or before `at_or_before` at which `schedule` fires."""
    if schedule.cron is None or at_or_before.tzinfo is None:
        raise ValueError("latest_fire_time needs a parsed cron schedule and an aware datetime")
    # Fire times fall on whole minutes, so one second later makes the bound inclusive.
    start = (at_or_before + timedelta(seconds=1)).astimezone(ZoneInfo(schedule.timezone))
    previous: datetime = croniter(schedule.cron, start).get_prev(datetime)
    return previous.astimezone(UTC)


class LocalScheduler:
    """Keeps the next due time of each named schedule and fires them through `fire(name, due)`.

    `due` is the scheduled instant, never the moment of the call, so a late or repeated
    firing carries the same time (and therefore the same event id) as the cloud would.
    """

    def __init__(self, schedules: Iterable[tuple[str, Schedule]], fire: Fire, now: datetime | None = None) -> None:
        start = now or datetime.now(UTC)
        self._schedules = dict(schedules)
        self._fire = fire
        self._next = {name: next_fire_time(schedule, start) for name, schedule in self._schedules.items()}
        self._lock = threading.Lock()

    def next_due(self) -> datetime | None:
        """The earliest pending fire time, or None without schedules."""
        with self._lock:
            return min(self._next.values(), default=None)

    def fire_due(self, now: datetime | None = None) -> list[tuple[str, datetime]]:
        """Fire every schedule whose time has come, once, for its latest due time.

        Times missed while nothing called this (a sleeping laptop) are skipped, as cron does.
        """
        now = now or datetime.now(UTC)
        fired: list[tuple[str, datetime]] = []
        with self._lock:
            for name, pending in sorted(self._next.items(), key=lambda item: item[1]):
                if pending <= now:
                    schedule = self._schedules[name]
                    fired.append((name, latest_fire_time(schedule, now)))
                    self._next[name] = next_fire_time(schedule, now)
        for name, due in fired:
            self._fire(name, due)
        return fired
