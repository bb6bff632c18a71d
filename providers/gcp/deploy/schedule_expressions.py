"""Portable schedules as Cloud Scheduler job schedules (deploy time only)."""

from __future__ import annotations

from portable.schedules import Schedule


def cloud_scheduler_schedule(schedule: Schedule) -> tuple[str, str]:
    """The job's unix-cron `schedule` and its `time_zone`.

    The grammar only accepts what unix cron states exactly, rates included ('15 minutes' is
    '*/15 * * * *' in UTC), so every job is a unix-cron job and Cloud Scheduler sends the
    X-CloudScheduler-ScheduleTime header the shim reads the scheduled time from.
    """
    if schedule.cron is None:
        raise ValueError(f"{schedule.describe()} has no cron form; build it with parse_schedule()")
    return schedule.cron, schedule.timezone
