"""EventBridge's scheduled events in tests/fixtures/aws through the AWS shim (providers/aws/schedule_codec.py): the
due time and a retry-stable id, other events refused, and both directions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.support.published import published
from tests.support.recording import recording
from tests.support.targets import invoke_aws

KITCHEN = ("kitchen", "tests.apps.conformance.kitchen")
AWS = FIXTURES / "aws"


SCHEDULE_EXPECTED = {
    "eventbridge/scheduled-event.json": "2015-10-08T16:53:06+00:00",
    "eventbridge/scheduled-event-lambda-docs.json": "2019-03-01T01:23:45+00:00",
    "eventbridge/scheduled-event-java-libs.json": "2020-09-30T15:58:34+00:00",
    "eventbridge-scheduler/scheduled-event-default-input.json": "2025-02-20T16:03:00+00:00",
}


@pytest.mark.parametrize("relative", sorted(SCHEDULE_EXPECTED))
def test_scheduled_event_carries_the_due_time_and_a_retry_stable_id(relative: str, tmp_path: Path) -> None:
    event = published("aws", relative)
    with recording(tmp_path) as seen:
        first = invoke_aws(event, "every_five", KITCHEN[1])
        retry = invoke_aws(event, "every_five", KITCHEN[1])
    assert first == retry == {"status": 200, "delivered": 1}
    due = SCHEDULE_EXPECTED[relative]
    assert seen[0] == {
        "kind": "schedule",
        "name": "every_five",
        "time": due,
        "id": f"every_five@{due.replace('+00:00', 'Z')}",
    }
    assert seen[1] == seen[0], "a redelivery of the same firing has the same id"


def test_non_scheduled_eventbridge_event_is_rejected(tmp_path: Path) -> None:
    with recording(tmp_path) as seen:
        reply = invoke_aws(
            published("aws", "eventbridge/ec2-state-change-with-replay-name.json"), "every_five", KITCHEN[1]
        )
    assert reply["status"] == 400 and "unknown event shape" in reply["error"]
    assert seen == []


def test_scheduler_event_encoding_round_trips() -> None:
    from datetime import UTC, datetime

    from portable.schedule_trigger import ScheduleTrigger, schedule_firing
    from providers.aws import schedule_codec
    from tests.support.codecs import aws_events, bound

    due = datetime(2026, 3, 29, 1, 5, tzinfo=UTC)
    trigger = ScheduleTrigger("*/5 * * * *", None, "UTC", "here")
    event = schedule_codec.encode(schedule_firing("every_five", due), bound(trigger, "every_five").spec)
    assert set(event) == set(published("aws", "eventbridge-scheduler/scheduled-event-default-input.json"))
    assert schedule_codec.recognises(event)
    assert aws_events(schedule_codec, event, trigger) == [schedule_firing("under_test", due)]
