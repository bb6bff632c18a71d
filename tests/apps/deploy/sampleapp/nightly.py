"""Schedules: a cron in a time zone that reads and writes, and a fixed rate."""

import json

from portable import RetryPolicy, ScheduleEvent, bucket, schedule, table

greetings = table("greetings")
reports = bucket("reports")


@schedule(
    "30 2 * * 1-5",
    timezone="Europe/Berlin",
    reads=[greetings],
    writes=[reports],
    retries=RetryPolicy(attempts=1, max_age_seconds=21600),
)
def nightly_report(event: ScheduleEvent) -> None:
    print(json.dumps({"handled": "nightly_report", "time": event.time.isoformat(), "id": event.id}))


@schedule(every="15 minutes", writes=[greetings])
def tick(event: ScheduleEvent) -> None:
    print(json.dumps({"handled": "tick", "time": event.time.isoformat()}))
