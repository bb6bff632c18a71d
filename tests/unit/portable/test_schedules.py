"""The portable schedule grammar: what it accepts, how it normalises, and how it refuses."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from portable import AppDefinitionError, load_app
from portable.app import load_function
from portable.schedules import ScheduleError, parse_schedule
from tests.support.packages import make_package


@pytest.mark.parametrize(
    ("cron", "canonical"),
    [
        ("30 2 * * MON-FRI", "30 2 * * 1-5"),
        ("0 9 * * mon,wed,fri", "0 9 * * 1,3,5"),
        ("0 0 1 JAN,jul *", "0 0 1 1,7 *"),
        ("*/15 * * * *", "*/15 * * * *"),
        ("0-59/15 * * * *", "*/15 * * * *"),
        ("5/10 * * * *", "5-55/10 * * * *"),
        ("0 8-18/2 * * *", "0 8-18/2 * * *"),
        ("0 0 * * 7", "0 0 * * 0"),
        ("0 0 * * 0-7", "0 0 * * *"),
        ("0 0 * * SUN,SAT", "0 0 * * 0,6"),
        ("0 0 * * */2", "0 0 * * */2"),
        ("0 0 1-31 * *", "0 0 * * *"),
        ("1,2,3,10 * * * *", "1-3,10 * * * *"),
        ("  0   12  *  *  * ", "0 12 * * *"),
    ],
)
def test_cron_is_normalised_to_numeric_unix_cron(cron: str, canonical: str) -> None:
    assert parse_schedule(cron, None, "UTC").cron == canonical


def test_fields_hold_the_expanded_values() -> None:
    fields = parse_schedule("0,30 9-11 * JAN-MAR sat,sun", None, "Europe/Berlin").fields
    assert fields is not None
    assert fields.minutes == {0, 30}
    assert fields.hours == {9, 10, 11}
    assert fields.months == {1, 2, 3}
    assert fields.days_of_week == {0, 6}
    assert fields.matches(datetime(2026, 1, 3, 9, 30))  # a Saturday
    assert not fields.matches(datetime(2026, 1, 5, 9, 30))  # a Monday


@pytest.mark.parametrize(
    ("every", "cron"),
    [
        ("1 minute", "* * * * *"),
        ("15 minutes", "*/15 * * * *"),
        ("30 Minutes", "0,30 * * * *"),
        ("60 minutes", "0 * * * *"),
        ("1 hour", "0 * * * *"),
        ("6 hours", "0 */6 * * *"),
        ("8 hours", "0 */8 * * *"),
        ("20 minutes", "*/20 * * * *"),
        ("12 hours", "0 0,12 * * *"),
        ("24 hours", "0 0 * * *"),
        ("1 day", "0 0 * * *"),
        ("1440 minutes", "0 0 * * *"),
    ],
)
def test_rates_become_utc_cron_anchored_at_midnight(every: str, cron: str) -> None:
    parsed = parse_schedule(None, every, "UTC")
    assert (parsed.cron, parsed.timezone) == (cron, "UTC")
    assert parsed.every_minutes is not None and 1440 % parsed.every_minutes == 0


@pytest.mark.parametrize(
    ("cron", "every", "timezone", "fragments"),
    [
        ("* * * *", None, "UTC", ["4 fields", "write 5"]),
        ("0 * * * * *", None, "UTC", ["6 fields", "seconds or year"]),
        ("60 * * * *", None, "UTC", ["minute field", "60 is out of range", "0-59"]),
        ("0 24 * * *", None, "UTC", ["hour field", "24", "0-23"]),
        ("0 0 0 * *", None, "UTC", ["day-of-month field", "1-31"]),
        ("0 0 32 * *", None, "UTC", ["day-of-month field", "32"]),
        ("0 0 * 13 *", None, "UTC", ["month field", "13"]),
        ("0 0 * * 8", None, "UTC", ["day-of-week field", "0-7"]),
        ("0 0 * FOO *", None, "UTC", ["month field", "'FOO'", "JAN-DEC"]),
        ("0 0 * * MONDAY", None, "UTC", ["day-of-week field", "SUN-SAT"]),
        ("0 0 * * FRI-MON", None, "UTC", ["runs backwards", "FRI-SAT,SUN-MON"]),
        ("50-10 * * * *", None, "UTC", ["runs backwards", "50-59,0-10"]),
        ("*/0 * * * *", None, "UTC", ["minute field", "step '0'"]),
        ("*/60 * * * *", None, "UTC", ["minute field", "step 60"]),
        ("*/x * * * *", None, "UTC", ["step 'x'"]),
        ("0 0 L * *", None, "UTC", ["day-of-month field", "not portable"]),
        ("0 0 ? * MON", None, "UTC", ["day-of-month field", "not portable"]),
        ("0 0 * * MON#2", None, "UTC", ["day-of-week field", "not portable"]),
        ("0 0 1 * MON", None, "UTC", ["both restricted", "'0 0 1 * *'", "'0 0 * * MON'"]),
        ("0 0 */2 * 1-5", None, "UTC", ["both restricted"]),
        ("0 0 30,31 2 *", None, "UTC", ["never occurs", "never fire"]),
        ("0 9 * * *", None, "Mars/Olympus", ["'Mars/Olympus'", "IANA"]),
        ("0 9 * * *", None, "", ["IANA"]),
        ("30 2 * * *", None, "Europe/Berlin", ["02:30", "skips", "02:00-03:00", "timezone='UTC'"]),
        ("30 1 * * *", None, "America/New_York", ["01:30", "repeats", "01:00-02:00"]),
        ("0 * * * *", None, "Europe/London", ["daylight saving"]),
        (None, "0 minutes", "UTC", ["positive"]),
        (None, "-5 minutes", "UTC", ["positive"]),
        (None, "fortnightly", "UTC", ["not a rate", "15 minutes"]),
        (None, "5 seconds", "UTC", ["not a rate"]),
        (None, "90 minutes", "UTC", ["90-minute", "divides an hour", "or a day"]),
        (None, "7 hours", "UTC", ["420-minute"]),
        (None, "2 days", "UTC", ["2880-minute"]),
        (None, "45 minutes", "UTC", ["45-minute"]),
        (None, "15 minutes", "Europe/Berlin", ["takes no time zone", "drop timezone="]),
        ("0 * * * *", "15 minutes", "UTC", ["either", "not both"]),
        (None, None, "UTC", ["either", "neither"]),
    ],
)
def test_bad_schedules_are_refused_naming_the_fault(
    cron: str | None, every: str | None, timezone: str, fragments: list[str]
) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(cron, every, timezone)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_daylight_saving_refusal_depends_on_the_date_not_only_the_hour() -> None:
    # Berlin's clocks change on Sundays: 02:30 on Mondays always exists, exactly once.
    assert parse_schedule("30 2 * * MON", None, "Europe/Berlin").cron == "30 2 * * 1"
    assert parse_schedule("30 2 * 1-2,4-9,11-12 *", None, "Europe/Berlin").cron == "30 2 * 1-2,4-9,11-12 *"
    with pytest.raises(ScheduleError, match="skips"):
        parse_schedule("30 2 * * SUN", None, "Europe/Berlin")


def test_zones_without_daylight_saving_accept_every_hour() -> None:
    for zone in ("UTC", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu"):
        assert parse_schedule("*/5 * * * *", None, zone).timezone == zone


def test_loading_the_app_names_the_function_and_the_field(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        jobs="""
        from portable import schedule

        @schedule("0 25 * * *")
        def nightly_cleanup(event):
            pass
    """,
    )
    with pytest.raises(AppDefinitionError) as caught:
        load_app(package)
    message = str(caught.value)
    assert "jobs.py:4 (nightly_cleanup)" in message and "hour field" in message and "0-23" in message


def test_loading_the_app_refuses_unknown_time_zones(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        jobs="""
        from portable import schedule

        @schedule("0 9 * * MON", timezone="Europe/Berlinn")
        def weekly_digest(event):
            pass
    """,
    )
    with pytest.raises(AppDefinitionError, match=r"(?s)weekly_digest.*'Europe/Berlinn'"):
        load_app(package)


def test_a_deployed_function_loads_without_parsing_its_schedule(tmp_path: Path) -> None:
    """The deploy checked the expression; the cold start of the function itself never parses it."""
    package = make_package(
        tmp_path,
        jobs="""
        from portable import schedule

        @schedule("0 25 * * *")
        def broken(event):
            pass
    """,
    )
    spec, _ = load_function("broken", f"{package}.jobs")
    assert spec.trigger.cron == "0 25 * * *"
