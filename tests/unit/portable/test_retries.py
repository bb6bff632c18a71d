"""The portable retry policy: its default, its backoff, its age limit, and how a function declares it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portable import AppDefinitionError, RetryPolicy, load_app
from portable.retries import DEFAULT_RETRIES
from tests.support.packages import make_package


def test_the_default_is_three_attempts_within_an_hour() -> None:
    assert DEFAULT_RETRIES == RetryPolicy() == RetryPolicy(attempts=3, max_age_seconds=3600)


def test_the_backoff_is_lambdas_one_then_two_minutes_doubling_up_to_ten() -> None:
    policy = RetryPolicy()
    assert [policy.delay_before(attempt) for attempt in range(1, 8)] == [0, 60, 120, 240, 480, 600, 600]


def test_an_event_expires_once_it_is_older_than_the_max_age() -> None:
    policy = RetryPolicy(max_age_seconds=600)
    happened = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert not policy.expired(happened, happened + timedelta(seconds=600))
    assert policy.expired(happened, happened + timedelta(seconds=600, milliseconds=1))
    assert not policy.expired(happened, happened - timedelta(minutes=5)), "a clock behind the event's is not age"


def test_object_and_schedule_functions_carry_their_policy_or_the_default(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        jobs="""
        from portable import RetryPolicy, bucket, http, schedule

        inbox = bucket("inbox")

        @inbox.on_created(retries=RetryPolicy(attempts=1, max_age_seconds=60))
        def once(event):
            pass

        @schedule(every="1 hour", retries=RetryPolicy(attempts=2, max_age_seconds=21600))
        def hourly(event):
            pass

        @inbox.on_deleted()
        def forget(event):
            pass

        @http("GET /ping")
        def ping(request):
            return {}
    """,
    )
    app = load_app(package)
    assert app.function("once").retries == RetryPolicy(1, 60)
    assert app.function("hourly").retries == RetryPolicy(2, 21600)
    assert app.function("forget").retries == DEFAULT_RETRIES


REFUSED = {
    "no attempt": (
        "RetryPolicy(attempts=0)",
        r"RetryPolicy\(attempts=0\) cannot run on AWS, where Lambda tries an "
        r"event at most 3 times; use a whole number from 1 \(no retry\) to 3",
    ),
    "more than Lambda": ("RetryPolicy(attempts=4)", r"RetryPolicy\(attempts=4\) cannot run on AWS"),
    "not a number": ("RetryPolicy(attempts='3')", r"RetryPolicy\(attempts='3'\) cannot run on AWS"),
    "a bool": ("RetryPolicy(attempts=True)", r"RetryPolicy\(attempts=True\) cannot run on AWS"),
    "younger than a minute": (
        "RetryPolicy(max_age_seconds=59)",
        r"RetryPolicy\(max_age_seconds=59\) cannot run on "
        r"AWS, where Lambda keeps an event from 60 s to 21600 s \(6 hours\)",
    ),
    "older than six hours": ("RetryPolicy(max_age_seconds=21601)", r"RetryPolicy\(max_age_seconds=21601\)"),
    "a float": ("RetryPolicy(max_age_seconds=600.5)", r"RetryPolicy\(max_age_seconds=600.5\)"),
    "a plain tuple": ("(2, 600)", r" takes a RetryPolicy, got \(2, 600\); write retries=RetryPolicy\("),
}


@pytest.mark.parametrize("trigger", ["@inbox.on_created(retries={})", "@schedule(every='1 hour', retries={})"])
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_policy_some_cloud_cannot_run_is_refused_at_load(case: str, trigger: str, tmp_path: Path) -> None:
    policy, message = REFUSED[case]
    package = make_package(
        tmp_path,
        jobs=f"""
        from portable import RetryPolicy, bucket, schedule

        inbox = bucket("inbox")

        {trigger.format(policy)}
        def job(event):
            pass
    """,
    )
    with pytest.raises(AppDefinitionError, match=r"jobs.py:6 \(job\): retries=" + message):
        load_app(package)


def test_an_http_function_refuses_retries(tmp_path: Path) -> None:
    package = make_package(
        tmp_path,
        api="""
        from portable import RetryPolicy, http

        @http("GET /ping", retries=RetryPolicy())
        def ping(request):
            return {}
    """,
    )
    with pytest.raises(
        AppDefinitionError,
        match=r"api.py:4 \(ping\): an HTTP function takes no retries=: its "
        r"caller gets the error and decides whether to call again; remove retries=",
    ):
        load_app(package)
