"""The Lambda entry (providers/aws/runtime.py): bound once to its function; events of another kind or of no known
shape get a defined reply; the older handler reads the function from the environment on each call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from providers.aws.runtime import Broken, Entry, bind, handler
from tests.conftest import FIXTURES
from tests.support.published import published
from tests.support.recording import recording
from tests.support.targets import invoke_aws

KITCHEN = ("kitchen", "tests.apps.conformance.kitchen")


def test_mismatched_event_kinds_are_rejected_without_calling_handlers(tmp_path: Path) -> None:
    with recording(tmp_path) as seen:
        firing = published("aws", "eventbridge/scheduled-event.json")
        assert invoke_aws(firing, "record_created", KITCHEN[1])["status"] == 400
        assert invoke_aws(published("aws", "s3/docs-put-example.json"), "every_five", KITCHEN[1])["status"] == 400
        reply = invoke_aws(published("aws", "apigw-v2/get-root-no-authorizer-mtls.json"), "every_five", KITCHEN[1])
    assert reply["statusCode"] == 404
    assert seen == []


@pytest.mark.parametrize("event", [None, [], "text", {"unexpected": True}])
def test_events_of_unknown_shape_get_a_defined_reply(event: Any) -> None:
    reply = invoke_aws(event, *KITCHEN)
    assert reply["status"] == 400 and reply["error"]


def test_missing_function_name_is_a_500_for_http() -> None:
    event = published("aws", "apigw-v2/get-root-no-authorizer-mtls.json")
    reply = invoke_aws(event, "", KITCHEN[1])
    assert reply["statusCode"] == 500
    assert json.loads(reply["body"])["error"] == "function is misconfigured"


def hello_event() -> dict[str, Any]:
    event: dict[str, Any] = json.loads((FIXTURES / "aws/apigw-v2/docs-payload-v2-post.json").read_text())
    event.update(routeKey="POST /hello", rawPath="/hello", body='{"name": "Ada"}', isBase64Encoded=False)
    event["requestContext"]["http"].update(method="POST", path="/hello")
    return event


def test_bind_makes_the_entry_of_one_function_with_its_kind_and_codec() -> None:
    entry = bind("hello", "functions.hello", "local")
    assert isinstance(entry, Entry)
    assert entry.kind.__name__ == "portable.http_trigger" and entry.codec.__name__ == "providers.aws.http_codec"
    assert entry.after is None, "no act on the cloud after a reply, on local data"


def test_a_function_that_cannot_load_answers_each_call_with_why() -> None:
    entry = bind("nosuch", "functions.hello", "local")
    assert isinstance(entry, Broken) and "defines no function named 'nosuch'" in entry.reason
    reply = entry(hello_event())
    assert reply["statusCode"] == 500 and json.loads(reply["body"])["error"] == "function is misconfigured"


def test_the_environment_handler_binds_the_function_its_variables_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTABLE_PROVIDER", "local")
    monkeypatch.delenv("PORTABLE_FUNCTION", raising=False)
    monkeypatch.delenv("PORTABLE_MODULE", raising=False)
    refused = handler(hello_event())
    assert refused["statusCode"] == 500
    monkeypatch.setenv("PORTABLE_FUNCTION", "hello")
    monkeypatch.setenv("PORTABLE_MODULE", "functions.hello")
    reply = handler(hello_event())
    assert reply["statusCode"] == 200 and json.loads(reply["body"])["message"] == "Hello, Ada!"


def test_under_the_apps_cors_policy_every_reply_varies_by_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    """API Gateway adds the CORS headers, and nothing to a reply for no origin or another: the entry, bound with the
    policy the deploy hands an HTTP function in PORTABLE_CORS, says that every reply varies by Origin."""
    from portable.cors_policy import for_signed_urls, to_environment

    plain = bind("hello", "functions.hello", "local")
    assert "vary" not in {name.lower() for name in plain(hello_event())["headers"]}, "no policy, no Vary"
    monkeypatch.setenv("PORTABLE_CORS", to_environment(for_signed_urls(["https://app.example.com"])))
    entry = bind("hello", "functions.hello", "local")
    answered = entry(hello_event())
    assert answered["statusCode"] == 200 and answered["headers"]["vary"] == "Origin"
    malformed = entry({**hello_event(), "headers": {"x": 1}})
    assert malformed["statusCode"] == 400 and malformed["headers"]["vary"] == "Origin", "the caller's fault too"
