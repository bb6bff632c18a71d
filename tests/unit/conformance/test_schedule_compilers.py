"""The translations in the README table, and what each cloud's validator makes of them."""

from __future__ import annotations

import pytest
from aws_croniter import AwsCroniter
from croniter import croniter

from portable.schedules import parse_schedule
from providers.aws.deploy.schedule_expressions import scheduler_expression
from providers.gcp.deploy.schedule_expressions import cloud_scheduler_schedule

TABLE = [
    # (cron, every, timezone, EventBridge expression, Cloud Scheduler schedule)
    ("30 2 * * MON-FRI", None, "Europe/Berlin", "cron(30 2 ? * 2-6 *)", "30 2 * * 1-5"),
    ("0 9 * * SUN", None, "America/New_York", "cron(0 9 ? * 1 *)", "0 9 * * 0"),
    ("0 9 * * 7", None, "UTC", "cron(0 9 ? * 1 *)", "0 9 * * 0"),
    ("0 0 * * */2", None, "UTC", "cron(0 0 ? * 1,3,5,7 *)", "0 0 * * */2"),
    ("0 6 1,15 * *", None, "Asia/Tokyo", "cron(0 6 1,15 * ? *)", "0 6 1,15 * *"),
    ("*/10 8-17 * JAN-MAR *", None, "UTC", "cron(0/10 8-17 * 1-3 ? *)", "*/10 8-17 * 1-3 *"),
    ("5/20 * * * *", None, "UTC", "cron(5,25,45 * * * ? *)", "5,25,45 * * * *"),
    ("5/10 * * * *", None, "UTC", "cron(5/10 * * * ? *)", "5-55/10 * * * *"),
    ("0 0 1 */3 *", None, "UTC", "cron(0 0 1 1/3 ? *)", "0 0 1 */3 *"),
    ("0 12 * * *", None, "UTC", "cron(0 12 * * ? *)", "0 12 * * *"),
    (None, "1 minute", "UTC", "cron(* * * * ? *)", "* * * * *"),
    (None, "15 minutes", "UTC", "cron(0/15 * * * ? *)", "*/15 * * * *"),
    (None, "30 minutes", "UTC", "cron(0,30 * * * ? *)", "0,30 * * * *"),
    (None, "1 hour", "UTC", "cron(0 * * * ? *)", "0 * * * *"),
    (None, "6 hours", "UTC", "cron(0 0/6 * * ? *)", "0 */6 * * *"),
    (None, "1 day", "UTC", "cron(0 0 * * ? *)", "0 0 * * *"),
]


@pytest.mark.parametrize(("cron", "every", "timezone", "aws", "gcp"), TABLE)
def test_translations(cron: str | None, every: str | None, timezone: str, aws: str, gcp: str) -> None:
    schedule = parse_schedule(cron, every, timezone)
    assert scheduler_expression(schedule) == (aws, timezone)
    assert cloud_scheduler_schedule(schedule) == (gcp, timezone)
    AwsCroniter(aws[len("cron(") : -1])  # raises on anything EventBridge's grammar rejects
    assert croniter.is_valid(gcp)


def test_compilers_refuse_hand_built_schedules_without_fields() -> None:
    from portable.schedules import Schedule

    bare = Schedule(cron=None, every_minutes=None)
    with pytest.raises(ValueError, match="parse_schedule"):
        scheduler_expression(bare)
    with pytest.raises(ValueError, match="parse_schedule"):
        cloud_scheduler_schedule(bare)
