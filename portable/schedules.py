"""The portable schedule grammar: 5-field cron with an IANA time zone, or a fixed rate.

Only what EventBridge Scheduler and Cloud Scheduler both run at the same instants is
accepted, so the compilers in `providers/*/deploy/schedule_expressions.py` never have to refuse anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from portable.timezones import UnknownTimeZone, shifts, zone

_RATE = re.compile(r"^\s*(\d+)\s*(minute|minutes|hour|hours|day|days)\s*$", re.IGNORECASE)
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_WEEKDAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class ScheduleError(ValueError):
    """A schedule cannot be expressed; the message names the field and a fix."""


@dataclass(frozen=True)
class FieldSpec:
    """One cron field: its name, its value range and the names it accepts (value = low + index)."""

    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()


MINUTE = FieldSpec("minute", 0, 59)
HOUR = FieldSpec("hour", 0, 23)
DAY_OF_MONTH = FieldSpec("day-of-month", 1, 31)
MONTH = FieldSpec("month", 1, 12, _MONTH_NAMES)
# 7 is accepted for Sunday, as in every unix cron; it is folded onto 0 when parsed.
DAY_OF_WEEK = FieldSpec("day-of-week", 0, 7, _WEEKDAY_NAMES)
FIELDS = (MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK)


@dataclass(frozen=True)
class CronFields:
    """The instants a cron expression names, as sets of values (day-of-week 0 = Sunday .. 6).

    At most one of `days_of_month` and `days_of_week` is restricted; the other holds every value.
    """

    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int]
    months: frozenset[int]
    days_of_week: frozenset[int]

    @property
    def day_of_week_restricted(self) -> bool:
        return len(self.days_of_week) < 7

    def matches(self, wall: datetime) -> bool:
        """Whether the wall-clock minute `wall` is one the expression names."""
        return (
            wall.minute in self.minutes
            and wall.hour in self.hours
            and wall.month in self.months
            and wall.day in self.days_of_month
            and (wall.weekday() + 1) % 7 in self.days_of_week
        )


@dataclass(frozen=True)
class Schedule:
    """Either a cron (`cron` text and its parsed `fields`, in `timezone`) or a rate (`every_minutes`).

    `cron` is the canonical unix form (numbers only, Sunday = 0). A rate is a fixed interval
    anchored at midnight UTC; `timezone` is then always "UTC".
    """

    cron: str | None
    every_minutes: int | None
    timezone: str = "UTC"
    fields: CronFields | None = None

    def describe(self) -> str:
        if self.cron is not None:
            return f"cron {self.cron!r} in {self.timezone}"
        return f"every {self.every_minutes} minutes"


def checked_schedule(cron: str | None, every: str | None, timezone: str, where: str) -> Schedule:
    """`parse_schedule` for a declaration at `where`: a refusal is an AppDefinitionError naming it."""
    from portable.errors import AppDefinitionError

    texts = all(value is None or isinstance(value, str) for value in (cron, every, timezone))
    try:
        return _parsed_once(cron, every, timezone) if texts else parse_schedule(cron, every, timezone)
    except ScheduleError as exc:
        raise AppDefinitionError(f"{where}: {exc}") from None


@lru_cache(maxsize=256)
def _parsed_once(cron: str | None, every: str | None, timezone: str) -> Schedule:
    return parse_schedule(cron, every, timezone)


def parse_schedule(cron: str | None, every: str | None, timezone: str = "UTC") -> Schedule:
    """Validate a `@schedule(...)` declaration; raise ScheduleError naming the field at fault."""
    if (cron is None) == (every is None):
        raise ScheduleError("give either a cron expression or every='N minutes|hours|days', not both or neither")
    if every is not None:
        if timezone != "UTC":
            raise ScheduleError(
                f"every={every!r} is a fixed interval and takes no time zone (got timezone={timezone!r}); "
                "drop timezone=, or write a cron expression to fire at local wall-clock times"
            )
        return rate_schedule(every)
    assert cron is not None
    try:
        zone(timezone)
    except UnknownTimeZone as exc:
        raise ScheduleError(str(exc)) from None
    fields = parse_cron(cron)
    _refuse_daylight_saving_shifts(cron, fields, timezone)
    return Schedule(cron=unix_cron(fields), every_minutes=None, timezone=timezone, fields=fields)


def _refuse_daylight_saving_shifts(cron: str, fields: CronFields, timezone: str) -> None:
    """Refuse wall-clock times the zone skips or repeats: there the clouds disagree.

    EventBridge Scheduler skips a time that does not exist and runs a repeated one once;
    Cloud Scheduler documents neither, so no instant can be promised on both.
    """
    for shift in shifts(timezone, datetime.now(UTC).year):
        for wall in shift.wall_times():
            if fields.matches(wall):
                what, aws = ("skips", "skips that run") if shift.skipped else ("repeats", "runs it once")
                raise ScheduleError(
                    f"cron {cron!r} in {timezone}: hour/minute fields fire at {wall:%H:%M} on {wall:%Y-%m-%d}, "
                    f"a wall-clock time {timezone} {what} for daylight saving ({shift.start:%H:%M}-"
                    f"{shift.end:%H:%M}). EventBridge {aws}, Cloud Scheduler documents no behaviour there, "
                    f"so the clouds would fire at different instants. Move the schedule out of "
                    f"{shift.start:%H:%M}-{shift.end:%H:%M} local time, or use timezone='UTC' for hourly cadences"
                )


def rate_schedule(every: str) -> Schedule:
    """`every="N minutes|hours|days"`: accepted when it divides an hour or a day exactly."""
    if not isinstance(every, str):
        raise ScheduleError(f"every={every!r} is not a rate: write it as a string such as '15 minutes' or '2 hours'")
    match = _RATE.match(every)
    if not match:
        if every.strip().startswith("-"):
            raise ScheduleError(f"every={every!r} must be a positive interval, such as '15 minutes'")
        raise ScheduleError(f"every={every!r} is not a rate: write it as '15 minutes', '2 hours' or '1 day'")
    count, unit = int(match.group(1)), match.group(2).lower().rstrip("s")
    if count <= 0:
        raise ScheduleError(f"every={every!r} must be a positive number of {unit}s, such as '15 minutes'")
    minutes = count * _UNIT_MINUTES[unit]
    if minutes < 60 and 60 % minutes == 0:
        fields = _every_day(minutes=frozenset(range(0, 60, minutes)), hours=frozenset(range(24)))
    elif minutes % 60 == 0 and minutes <= 1440 and 1440 % minutes == 0:
        fields = _every_day(minutes=frozenset({0}), hours=frozenset(range(0, 24, minutes // 60)))
    else:
        raise ScheduleError(
            f"every={every!r} cannot fire at the same instants on both clouds: Cloud Scheduler's cron has no "
            f"{minutes}-minute step, and a rate on EventBridge starts from the moment it is deployed. "
            "Use an interval that divides an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 minutes) or a day "
            "(1, 2, 3, 4, 6, 8, 12 hours, 1 day), or write cron times, e.g. '0 */6 * * *'"
        )
    return Schedule(cron=unix_cron(fields), every_minutes=minutes, timezone="UTC", fields=fields)


def _every_day(minutes: frozenset[int], hours: frozenset[int]) -> CronFields:
    return CronFields(
        minutes=minutes,
        hours=hours,
        days_of_month=frozenset(range(1, 32)),
        months=frozenset(range(1, 13)),
        days_of_week=frozenset(range(7)),
    )


def parse_cron(cron: str) -> CronFields:
    """Parse 'minute hour day-of-month month day-of-week' (unix cron semantics)."""
    if not isinstance(cron, str):
        raise ScheduleError(f"cron {cron!r} is not a string: write e.g. '30 2 * * MON-FRI'")
    texts = cron.split()
    if len(texts) != 5:
        hint = " (drop the seconds or year field: the portable grammar is unix cron)" if len(texts) == 6 else ""
        raise ScheduleError(
            f"cron {cron!r} has {len(texts)} fields; write 5: minute hour day-of-month month day-of-week{hint}"
        )
    values = [_parse_field(text, spec) for text, spec in zip(texts, FIELDS, strict=True)]
    minutes, hours, days_of_month, months, days_of_week = values
    days_of_week = frozenset(day % 7 for day in days_of_week)
    if texts[2] != "*" and texts[4] != "*":
        raise ScheduleError(
            f"cron {cron!r}: day-of-month {texts[2]!r} and day-of-week {texts[4]!r} are both restricted. "
            "Unix cron fires when either matches and EventBridge cannot combine them, so one must be '*'. "
            f"For the same instants write two schedules, '{' '.join([*texts[:4], '*'])}' and "
            f"'{' '.join([*texts[:2], '*', *texts[3:]])}'; for 'the first Monday' and the like, schedule the "
            "weekday and return early in the handler unless event.time's day matches"
        )
    if not any(day <= _DAYS_IN_MONTH[month - 1] for day in days_of_month for month in months):
        raise ScheduleError(
            f"cron {cron!r}: day-of-month {texts[2]!r} never occurs in month {texts[3]!r}, so it would never fire"
        )
    return CronFields(minutes, hours, days_of_month, months, days_of_week)


def _parse_field(text: str, spec: FieldSpec) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        values.update(_parse_part(part, text, spec))
    return frozenset(values)


def _parse_part(part: str, text: str, spec: FieldSpec) -> range:
    where = f"{spec.name} field {text!r}"
    base, slash, step_text = part.partition("/")
    if base == "*":
        low, high = spec.low, _open_end(spec)
    elif "-" in base:
        first, _, last = base.partition("-")
        low, high = _value(first, where, spec), _value(last, where, spec)
        if low > high:
            top, bottom = _wrap_ends(spec, named=first.upper() in spec.names)
            raise ScheduleError(
                f"{where}: range {base!r} runs backwards; write it as two pieces, '{first}-{top},{bottom}-{last}'"
            )
    else:
        low = _value(base, where, spec)
        high = _open_end(spec) if slash else low
    if not slash:
        return range(low, high + 1)
    if not step_text.isdigit() or int(step_text) == 0:
        raise ScheduleError(f"{where}: step {step_text!r} must be a positive whole number, e.g. '*/15'")
    step = int(step_text)
    if step > spec.high - spec.low:
        raise ScheduleError(
            f"{where}: step {step} is not smaller than the {spec.name} range {spec.low}-{spec.high}; "
            f"write the single value instead"
        )
    return range(low, high + 1, step)


def _value(token: str, where: str, spec: FieldSpec) -> int:
    upper = token.upper()
    if upper in spec.names:
        index = spec.names.index(upper)
        return spec.low + index if spec is MONTH else index
    if token.isdigit():
        number = int(token)
        if spec.low <= number <= spec.high:
            return number
        raise ScheduleError(f"{where}: {number} is out of range; {spec.name} takes {spec.low}-{spec.high}")
    if upper in ("?", "L", "W", "#") or upper.endswith(("L", "W")) or "#" in upper:
        raise ScheduleError(
            f"{where}: {token!r} is not portable unix cron (Quartz/EventBridge only); "
            "use '*', numbers, ranges, lists and steps"
        )
    named = f" or {spec.names[0]}-{spec.names[-1]}" if spec.names else ""
    raise ScheduleError(f"{where}: {token!r} is not a {spec.name}; use {spec.low}-{spec.high}{named}")


def _open_end(spec: FieldSpec) -> int:
    """Where '*' and 'a/step' stop: day-of-week 7 is only an alias of Sunday (0)."""
    return 6 if spec is DAY_OF_WEEK else spec.high


def _wrap_ends(spec: FieldSpec, *, named: bool) -> tuple[str, str]:
    top = _open_end(spec)
    if named:
        return spec.names[top - spec.low if spec is MONTH else top], spec.names[0]
    return str(top), str(spec.low)


def format_field(values: frozenset[int], low: int, high: int, *, star_steps: bool) -> str:
    """The shortest exact text for `values` within `low..high`.

    `star_steps` chooses the unix forms ('*/15', '5-50/15') over the Quartz form ('5/15'), which
    EventBridge documents only for progressions that run to the end of the field.
    """
    ordered = sorted(values)
    if ordered == list(range(low, high + 1)):
        return "*"
    if len(ordered) >= 3:
        step = ordered[1] - ordered[0]
        reaches_end = ordered[-1] + step > high
        # Short lists read better as lists ('0,30'), unless they are a whole '*/step'.
        worth_a_step = len(ordered) >= 4 or (len(ordered) == 3 and ordered[0] == low and reaches_end)
        if step > 1 and worth_a_step and ordered == list(range(ordered[0], ordered[-1] + 1, step)):
            if star_steps:
                if reaches_end and ordered[0] == low:
                    return f"*/{step}"
                return f"{ordered[0]}-{ordered[-1]}/{step}"
            if reaches_end:
                return f"{ordered[0]}/{step}"
    return ",".join(_runs(ordered))


def _runs(ordered: list[int]) -> list[str]:
    runs: list[str] = []
    start = previous = ordered[0]
    for value in [*ordered[1:], None]:
        if value is not None and value == previous + 1:
            previous = value
            continue
        runs.append(str(start) if start == previous else f"{start}-{previous}")
        if value is not None:
            start = previous = value
    return runs


def unix_cron(fields: CronFields) -> str:
    """The canonical unix cron text of `fields` (numbers only, Sunday = 0)."""
    return " ".join(
        format_field(values, spec.low, min(spec.high, 6) if spec is DAY_OF_WEEK else spec.high, star_steps=True)
        for values, spec in zip(
            (fields.minutes, fields.hours, fields.days_of_month, fields.months, fields.days_of_week),
            FIELDS,
            strict=True,
        )
    )
