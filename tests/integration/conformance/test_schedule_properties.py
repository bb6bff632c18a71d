"""Compiled schedules fire at the portable expression's instants, checked by independent oracles.

* Portable reference: croniter on the expression exactly as the user wrote it, in its zone.
* GCP: croniter on the compiled unix-cron text, in the compiled time zone.
* AWS: aws-croniter on the compiled EventBridge cron. aws-croniter knows only UTC, so it runs
  on wall-clock times (local time labelled UTC), and each wall time is turned into an instant
  with zoneinfo afterwards. That conversion is exact because the grammar refuses schedules
  that fire at wall times the zone skips or repeats, which this test checks too.

No server here: thousands of generated schedules take about a minute of one core, more than the unit tier's whole
budget, so they run with the integration tier, the two heaviest marked slow.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from aws_croniter import AwsCroniter
from croniter import croniter
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st

from portable.schedules import ScheduleError, parse_schedule
from portable.timezones import shifts
from providers.aws.deploy.schedule_expressions import scheduler_expression
from providers.gcp.deploy.schedule_expressions import cloud_scheduler_schedule

FIRINGS = 50
# aws-croniter stops at 2199; sparse schedules (29 February) would run past it.
LAST_YEAR = 2190
THIS_YEAR = datetime.now(UTC).year
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
DAYLIGHT_SAVING_ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Santiago",
    "America/Havana",
    "America/St_Johns",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Australia/Adelaide",
    "Pacific/Chatham",
    "Pacific/Auckland",
    "Africa/Casablanca",
    "Asia/Jerusalem",
    "America/Asuncion",
]
ZONES = st.one_of(
    st.sampled_from(["UTC", *DAYLIGHT_SAVING_ZONES]),
    st.sampled_from(sorted(name for name in available_timezones() if "/" in name or name == "UTC")),
)
PROPERTY_SETTINGS = settings(
    max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


def _value(draw: st.DrawFn, low: int, high: int, names: list[str] | None, first_named: int) -> tuple[int, str]:
    """A value in low..high, as a number or (if `names` start at `first_named`) as its name."""
    number = draw(st.integers(low, high))
    if names and number - first_named < len(names) and draw(st.booleans()):
        return number, names[number - first_named]
    return number, str(number)


@st.composite
def field(draw: st.DrawFn, low: int, high: int, names: list[str] | None = None, sparse: bool = False) -> str:
    """One cron field: '*', '*/s', a value, a range, a stepped range or 'a/s', or a list of those."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["value", "range", "stepped", "from"] + ([] if sparse else ["star", "every"])))
        if kind == "star":
            return "*"
        if kind == "every":
            parts.append(f"*/{draw(st.integers(1, max(1, (high - low) // 2)))}")
            continue
        first, first_text = _value(draw, low, high, names, low)
        if kind == "value" or first == high:
            parts.append(first_text)
            continue
        # croniter reads one-value ranges ('1-1') as the whole field, so the reference gets none.
        _, last_text = _value(draw, first + 1, high, names, low)
        step = draw(st.integers(1, max(1, high - low)))
        if kind == "range":
            parts.append(f"{first_text}-{last_text}")
        elif kind == "stepped":
            parts.append(f"{first_text}-{last_text}/{step}")
        else:
            parts.append(f"{first}/{step}")
    return ",".join(parts)


@st.composite
def cron_expressions(draw: st.DrawFn) -> str:
    minute = draw(field(0, 59, sparse=draw(st.booleans())))
    hour = draw(field(0, 23))
    month = draw(st.one_of(st.just("*"), field(1, 12, MONTHS)))
    restricted = draw(st.sampled_from(["none", "day-of-month", "day-of-week"]))
    day_of_month = draw(field(1, 31, sparse=True)) if restricted == "day-of-month" else "*"
    # 7 is Sunday too.
    day_of_week = draw(field(0, 7, WEEKDAYS, sparse=True)) if restricted == "day-of-week" else "*"
    return f"{minute} {hour} {day_of_month} {month} {day_of_week}"


@st.composite
def start_instants(draw: st.DrawFn, cron: str, zone: str) -> datetime:
    """Often a few firings before one of the zone's clock changes, so that the firings cross it."""
    found = shifts(zone, THIS_YEAR, 3)
    if found and draw(st.integers(0, 3)) > 0:
        shift = draw(st.sampled_from(found))
        change = shift.start.replace(tzinfo=ZoneInfo(zone))
        walk = croniter(cron, change)
        for _ in range(draw(st.integers(1, FIRINGS - 1))):
            walk.get_prev(datetime)
        previous: datetime = walk.get_current(datetime)
        return previous.astimezone(UTC) - timedelta(seconds=1)
    seconds = draw(st.integers(0, 3 * 365 * 86400))
    return datetime(THIS_YEAR, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)


def wall_time_exists_once(wall: datetime, zone: ZoneInfo) -> bool:
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return round_trip == wall and first.utcoffset() == second.utcoffset()


def croniter_instants(expression: str, zone: str, start: datetime) -> list[datetime]:
    walk = croniter(expression, start.astimezone(ZoneInfo(zone)))
    return [walk.get_next(datetime).astimezone(UTC) for _ in range(FIRINGS)]


def aws_instants(expression: str, zone: str, start: datetime) -> list[datetime]:
    assert expression.startswith("cron(") and expression.endswith(")")
    tz = ZoneInfo(zone)
    wall_start = start.astimezone(tz).replace(tzinfo=UTC)
    walls = AwsCroniter(expression[5:-1]).get_next(wall_start, n=FIRINGS)
    instants = []
    for labelled in walls:
        if labelled is None:
            break
        wall = labelled.replace(tzinfo=None)
        assert wall_time_exists_once(wall, tz), f"{expression} in {zone} fires at {wall}, which {zone} shifts"
        instants.append(wall.replace(tzinfo=tz).astimezone(UTC))
    return instants


def before_last_year(instants: list[datetime]) -> list[datetime]:
    return [instant for instant in instants if instant.year < LAST_YEAR]


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(data=st.data(), cron=cron_expressions(), zone=ZONES)
def test_both_clouds_fire_at_the_portable_instants(data: st.DataObject, cron: str, zone: str) -> None:
    try:
        schedule = parse_schedule(cron, None, zone)
    except ScheduleError:
        reject()  # a date that never occurs, or a shifted wall time (checked in the next test)
    start = data.draw(start_instants(cron, zone))
    portable = croniter_instants(cron, zone, start)
    gcp_schedule, gcp_zone = cloud_scheduler_schedule(schedule)
    aws_expression, aws_zone = scheduler_expression(schedule)
    assert gcp_zone == aws_zone == zone
    expected = before_last_year(portable)
    assert before_last_year(croniter_instants(gcp_schedule, gcp_zone, start)) == expected
    assert before_last_year(aws_instants(aws_expression, aws_zone, start)) == expected
    assert len(aws_expression) <= 256
    offsets = {instant.astimezone(ZoneInfo(zone)).utcoffset() for instant in expected}
    event("firings span a clock change" if len(offsets) > 1 else "firings at one UTC offset")


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(cron=cron_expressions(), zone=st.sampled_from(DAYLIGHT_SAVING_ZONES))
def test_refused_shift_times_really_are_skipped_or_repeated(cron: str, zone: str) -> None:
    """The refusal names a date and time; croniter must fire then and zoneinfo must shift it."""
    try:
        parse_schedule(cron, None, zone)
    except ScheduleError as exc:
        message = str(exc)
        if "daylight saving" not in message:
            return
        stamp = message.split(" fire at ", 1)[1].split(",", 1)[0]
        wall = datetime.strptime(stamp, "%H:%M on %Y-%m-%d")
        assert croniter.match(cron, wall)
        assert not wall_time_exists_once(wall, ZoneInfo(zone))
        return
    # Accepted: no wall time the zone skips or repeats this year matches.
    tz = ZoneInfo(zone)
    for shift in shifts(zone, THIS_YEAR, 1):
        for wall in shift.wall_times():
            assert not wall_time_exists_once(wall, tz)
            assert not croniter.match(cron, wall), f"{cron} accepted in {zone} but fires at shifted {wall}"


@settings(max_examples=200, deadline=None)
@given(cron=cron_expressions(), zone=ZONES)
def test_compiled_unix_cron_parses_back_to_the_same_schedule(cron: str, zone: str) -> None:
    try:
        schedule = parse_schedule(cron, None, zone)
    except ScheduleError:
        return
    gcp_schedule, gcp_zone = cloud_scheduler_schedule(schedule)
    assert parse_schedule(gcp_schedule, None, gcp_zone) == schedule


def test_every_accepted_rate_is_a_fixed_interval_anchored_at_midnight_utc() -> None:
    accepted: set[int] = set()
    for count in range(1, 1441):
        for unit, minutes in (("minutes", count), ("hours", count * 60), ("days", count * 1440)):
            if minutes > 2880:
                continue
            try:
                schedule = parse_schedule(None, f"{count} {unit}", "UTC")
            except ScheduleError as exc:
                assert "cannot fire at the same instants" in str(exc)
                continue
            accepted.add(minutes)
            start = datetime(THIS_YEAR, 3, 1, 0, 0, tzinfo=UTC) + timedelta(minutes=7)
            aws_expression, aws_zone = scheduler_expression(schedule)
            gcp_schedule, gcp_zone = cloud_scheduler_schedule(schedule)
            for instants in (
                aws_instants(aws_expression, aws_zone, start),
                croniter_instants(gcp_schedule, gcp_zone, start),
            ):
                gaps = {later - earlier for earlier, later in itertools.pairwise(instants)}
                assert gaps == {timedelta(minutes=minutes)}, (count, unit, gaps)
                midnight = instants[0].replace(hour=0, minute=0)
                assert (instants[0] - midnight) % timedelta(minutes=minutes) == timedelta(0)
    # Every divisor of an hour, and every whole number of hours that divides a day.
    assert accepted == {1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440}
