"""Cloud Scheduler's calls through the GCP shim under functions-framework (providers/gcp/schedule_codec.py): the
due time in UTC, both directions, and what is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from portable.schedule_trigger import ScheduleTrigger, schedule_firing
from providers.gcp import schedule_codec
from tests.conftest import FIXTURES
from tests.support.codecs import bound, gcp_events
from tests.support.published import published
from tests.support.recording import recording
from tests.support.targets import MAIN, function_env

MODULE = "tests.apps.conformance.kitchen"
GCP = FIXTURES / "gcp"


@pytest.fixture(scope="module")
def clients() -> Iterator[dict[str, Any]]:
    import functions_framework

    built = {}
    for name in ("record_created", "every_five"):
        with function_env(name, MODULE, PORTABLE_BUCKET_INBOX="some-bucket"):
            built[name] = functions_framework.create_app(target=name, source=str(MAIN)).test_client()
    yield built


def binary(event: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    """The CloudEvents HTTP binding: each attribute a ce- header, data the body (SOURCES.md gap 5)."""
    attributes = {k: v for k, v in event.items() if k not in ("data", "datacontenttype")}
    headers = {f"ce-{name}": str(value) for name, value in attributes.items()}
    headers["Content-Type"] = event.get("datacontenttype", "application/json")
    return headers, json.dumps(event["data"]).encode()


def scheduler_headers(schedule_time: str | None) -> dict[str, str]:
    contract = published("gcp", "scheduler/http-target-request.documented-contract.json")["headers"]
    headers = {
        "User-Agent": contract["User-Agent"]["value"],
        "X-CloudScheduler": contract["X-CloudScheduler"]["value"],
        "X-CloudScheduler-JobName": "every_five",
        "Content-Type": contract["Content-Type"]["value"],
    }
    if schedule_time is not None:
        headers["X-CloudScheduler-ScheduleTime"] = schedule_time
    return headers


@pytest.mark.parametrize("stamp", ["2026-03-29T01:05:00Z", "2026-03-29T03:05:00+02:00", "2026-03-28T20:05:00-05:00"])
def test_scheduler_call_carries_the_due_time_in_utc(stamp: str, clients: dict[str, Any], tmp_path: Path) -> None:
    with function_env("x", MODULE), recording(tmp_path) as seen:
        first = clients["every_five"].post("/", headers=scheduler_headers(stamp))
        retry = clients["every_five"].post("/", headers=scheduler_headers(stamp))
    assert first.status_code == retry.status_code == 204
    assert seen[0] == {
        "kind": "schedule",
        "name": "every_five",
        "time": "2026-03-29T01:05:00+00:00",
        "id": "every_five@2026-03-29T01:05:00Z",
    }
    assert seen[1] == seen[0]


@pytest.mark.parametrize(
    "due", [datetime(2026, 3, 29, 1, 5, tzinfo=UTC), datetime(2026, 3, 29, 3, 5, tzinfo=ZoneInfo("Europe/Berlin"))]
)
def test_scheduler_call_encoding_round_trips(due: datetime) -> None:
    trigger = ScheduleTrigger("*/5 * * * *", None, "UTC", "here")
    _, _, headers, body = schedule_codec.encode(schedule_firing("every_five", due), bound(trigger, "every_five").spec)
    documented = {name: value for name, value in scheduler_headers(None).items() if name != "Content-Type"}
    assert documented.items() <= headers.items(), "the documented header values"
    assert gcp_events(schedule_codec, headers, body, trigger) == [schedule_firing("under_test", due)]


def test_scheduler_call_without_schedule_time_is_a_firing_due_now(clients: dict[str, Any], tmp_path: Path) -> None:
    from datetime import UTC, datetime

    before = datetime.now(UTC).replace(microsecond=0)
    with function_env("x", MODULE), recording(tmp_path) as seen:
        assert clients["every_five"].post("/", headers=scheduler_headers(None)).status_code == 204
    due = datetime.fromisoformat(seen[0]["time"])
    assert before <= due <= datetime.now(UTC)


def test_malformed_schedule_time_is_a_400(clients: dict[str, Any], tmp_path: Path) -> None:
    with function_env("x", MODULE), recording(tmp_path) as seen:
        for stamp in ("yesterday", "2026-03-29T01:05:00"):
            response = clients["every_five"].post("/", headers=scheduler_headers(stamp))
            assert response.status_code == 400
            assert "X-CloudScheduler-ScheduleTime" in response.get_json()["error"]
    assert seen == []


def test_scheduler_cloudevent_is_refused_by_a_schedule_function(clients: dict[str, Any], tmp_path: Path) -> None:
    # SchedulerJobData is what Eventarc would send for Scheduler-via-Eventarc; Portable's jobs call
    # their function over plain HTTP, so the shim refuses it rather than guess a due time.
    event = {
        "specversion": "1.0",
        "type": "google.cloud.scheduler.job.v1.executed",
        "id": "job-1",
        "source": "//cloudscheduler.googleapis.com/projects/p/locations/l/jobs/every_five",
        "datacontenttype": "application/json",
        "data": published("gcp", "scheduler/cloudevent-data/SchedulerJobData-simple.json"),
    }
    with function_env("x", MODULE), recording(tmp_path) as seen:
        response = clients["every_five"].post("/", headers=binary(event)[0], data=binary(event)[1])
        assert clients["record_created"].post("/", headers=binary(event)[0], data=binary(event)[1]).status_code == 400
    assert response.status_code == 400
    assert "google.cloud.scheduler.job.v1.executed" in response.get_json()["error"]
    assert seen == []


def test_schedule_handler_failure_is_a_500(tmp_path: Path) -> None:
    import functions_framework

    with function_env("every_five", MODULE):
        client = functions_framework.create_app(target="every_five", source=str(MAIN)).test_client()
    with function_env("x", MODULE, PORTABLE_TEST_RECORD=str(tmp_path)):  # a directory: writing fails
        response = client.post("/", headers=scheduler_headers("2026-01-01T00:00:00Z"))
    assert response.status_code == 500 and response.get_json()["request_id"]
