"""The Lambda handler (providers/aws/runtime.py): events of another kind or of no known shape get a defined reply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.support.recording import recording
from tests.support.targets import invoke_aws

KITCHEN = ("kitchen", "tests.apps.conformance.kitchen")
AWS = FIXTURES / "aws"


def load(relative: str) -> dict[str, Any]:
    return json.loads((AWS / relative).read_text())  # type: ignore[no-any-return]


def test_mismatched_event_kinds_are_rejected_without_calling_handlers(tmp_path: Path) -> None:
    with recording(tmp_path) as seen:
        assert invoke_aws(load("eventbridge/scheduled-event.json"), "record_created", KITCHEN[1])["status"] == 400
        assert invoke_aws(load("s3/docs-put-example.json"), "every_five", KITCHEN[1])["status"] == 400
        reply = invoke_aws(load("apigw-v2/get-root-no-authorizer-mtls.json"), "every_five", KITCHEN[1])
    assert reply["statusCode"] == 404
    assert seen == []


@pytest.mark.parametrize("event", [None, [], "text", {"unexpected": True}])
def test_events_of_unknown_shape_get_a_defined_reply(event: Any) -> None:
    reply = invoke_aws(event, *KITCHEN)
    assert reply["status"] == 400 and reply["error"]


def test_missing_function_name_is_a_500_for_http() -> None:
    event = load("apigw-v2/get-root-no-authorizer-mtls.json")
    reply = invoke_aws(event, "", KITCHEN[1])
    assert reply["statusCode"] == 500
    assert json.loads(reply["body"])["error"] == "function is misconfigured"
