"""Portable schedules as EventBridge Scheduler expressions (deploy time only)."""

from __future__ import annotations

from portable.schedules import DAY_OF_MONTH, HOUR, MINUTE, MONTH, Schedule, format_field


def scheduler_expression(schedule: Schedule) -> tuple[str, str]:
    """The `ScheduleExpression` and `ScheduleExpressionTimezone` that fire when `schedule` does.

    EventBridge cron has six fields (a year last), needs '?' in one of the two day fields and
    numbers weekdays 1-7 from Sunday. Rates are compiled to cron too: `rate(...)` would start
    counting from the moment the schedule is created, not from midnight UTC.
    """
    fields = schedule.fields
    if fields is None:
        raise ValueError(f"{schedule.describe()} has no parsed fields; build it with parse_schedule()")
    minutes = format_field(fields.minutes, MINUTE.low, MINUTE.high, star_steps=False)
    hours = format_field(fields.hours, HOUR.low, HOUR.high, star_steps=False)
    months = format_field(fields.months, MONTH.low, MONTH.high, star_steps=False)
    if fields.day_of_week_restricted:
        days_of_month = "?"
        # EventBridge has no steps in day-of-week: list and ranges only, Sunday = 1.
        days_of_week = format_field(frozenset(day + 1 for day in fields.days_of_week), 1, 7, star_steps=False)
        if "/" in days_of_week:
            days_of_week = ",".join(str(day + 1) for day in sorted(fields.days_of_week))
    else:
        days_of_month = format_field(fields.days_of_month, DAY_OF_MONTH.low, DAY_OF_MONTH.high, star_steps=False)
        days_of_week = "?"
    return f"cron({minutes} {hours} {days_of_month} {months} {days_of_week} *)", schedule.timezone
