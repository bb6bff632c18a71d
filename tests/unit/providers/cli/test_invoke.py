"""`portable invoke` (providers/cli/invoke.py): one function through a shim, with generated or published events."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from portable.loading import load_app
from providers.cli.invoke import Invoker
from providers.cli.main import main
from providers.local.clients import open_table
from tests.conftest import ROOT


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_invoke_on_aws_prints_the_lambda_reply(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "invoke",
        "hello",
        "--cloud",
        "aws",
        "--body",
        '{"name": "Ada"}',
        "--state",
        str(tmp_path),
        "--show-event",
    )
    event_text, _, reply_text = out.partition("\n\n")
    event, reply = json.loads(event_text), json.loads(reply_text)
    assert code == 0 and event["version"] == "2.0" and event["routeKey"] == "POST /hello"
    assert reply["statusCode"] == 200 and json.loads(reply["body"]) == {"message": "Hello, Ada!"}
    assert (tmp_path / "tables" / "greetings.sqlite3").is_file(), "on the local data of --state"


def test_invoke_on_gcp_prints_the_functions_framework_reply(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "invoke", "hello", "--cloud", "gcp", "--state", str(tmp_path))
    assert code == 0
    assert out.startswith("HTTP 200 OK\n") and out.endswith('\n{"message": "Hello, World!"}\n')


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_invoke_generates_object_and_schedule_events(
    cloud: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "invoke",
        "make_thumbnail",
        "--cloud",
        cloud,
        "--key",
        "missing.jpg",
        "--state",
        str(tmp_path),
        "--show-event",
    )
    assert code == 0 and "the local bucket 'uploads' holds no 'missing.jpg'" in err
    assert ("ObjectCreated:Put" if cloud == "aws" else "ce-type: google.cloud.storage.object.v1.finalized") in out
    code, out, _ = run(
        capsys,
        "invoke",
        "nightly_report",
        "--cloud",
        cloud,
        "--at",
        "2026-11-28T02:00:00Z",
        "--state",
        str(tmp_path),
        "--show-event",
    )
    assert code == 0
    assert (
        '"time": "2026-11-28T02:00:00Z"' if cloud == "aws" else "X-CloudScheduler-ScheduleTime: 2026-11-28T02:00:00Z"
    ) in out
    assert code == 0 and run(capsys, "data", "ls", "reports", "--state", str(tmp_path))[1].endswith(
        "greetings/2026-11-27.json\n"
    )


MESSAGE_WIRE = {  # per cloud: what the generated event shows, what a success and a failure answer
    "aws": ('"eventSource": "aws:sqs"', '"batchItemFailures": []', '"itemIdentifier"'),
    "gcp": ('"deliveryAttempt": 1', "HTTP 204", "HTTP 500"),
}


@pytest.mark.parametrize("cloud", sorted(MESSAGE_WIRE))
def test_invoke_delivers_a_message_to_a_subscriber(cloud: str, tmp_path: Path, capsys: Any) -> None:
    shown, done, failed = MESSAGE_WIRE[cloud]
    state = ["--state", str(tmp_path)]
    code, out, _ = run(
        capsys, "invoke", "count_greeting", "--cloud", cloud, "--body", '{"name": "Ada"}', *state, "--show-event"
    )
    assert code == 0 and shown in out and done in out
    assert run(capsys, "data", "tables", *state)[1] == "name-counts\t1 items\nportable-idempotency\t1 items\n"
    code, out, _ = run(capsys, "invoke", "count_greeting", "--cloud", cloud, *state)
    assert code == 1 and failed in out, "a message without a name fails: the cloud would deliver it again"


def test_invoke_takes_a_published_event_from_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = str(ROOT / "tests" / "fixtures" / "gcp" / "storage" / "finalized-structured.json")
    state = ["--state", str(tmp_path)]
    code, out, _ = run(capsys, "invoke", "make_thumbnail", "--cloud", "gcp", "--event", fixture, *state)
    assert code == 1 and out.startswith("HTTP 400 BAD REQUEST\n"), "a 4xx reply: the call failed"
    assert "event from bucket 'some-bucket'; this function is bound to 'uploads'" in out
    monkeypatch.setenv("PORTABLE_BUCKET_UPLOADS", "some-bucket")
    code, out, err = run(capsys, "invoke", "make_thumbnail", "--cloud", "gcp", "--event", fixture, *state)
    assert (code, out) == (0, "HTTP 204 NO CONTENT\nX-Portable-Dead-Lettered: older than its max age of 3600 s\n")
    assert "older than its max age" in err, "a 2020 event: acknowledged as dead, as Eventarc would drop it"
    fresh = json.loads(Path(fixture).read_text()) | {"time": datetime.now(UTC).isoformat()}
    (tmp_path / "fresh.json").write_text(json.dumps(fresh))
    code, out, err = run(
        capsys, "invoke", "make_thumbnail", "--cloud", "gcp", "--event", str(tmp_path / "fresh.json"), *state
    )
    assert (code, out) == (0, "HTTP 204 NO CONTENT\n")
    assert '"message": "not an image name, skipped", ' in err and '"key": "folder/Test.cs"' in err


def test_invoke_refuses_what_it_cannot_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "invoke", "nope", "--cloud", "aws")
    assert (
        code == 1
        and (
            "no function named 'nope'; the App defines: count_greeting, hello, make_thumbnail, me, "
            "nightly_report, queue_welcome, receive_webhook, write_welcome"
        )
        in err
    )
    bad = tmp_path / "event.json"
    bad.write_text("[1, 2]")
    code, _, err = run(capsys, "invoke", "hello", "--cloud", "aws", "--event", str(bad))
    assert code == 1 and "holds no JSON object" in err


# Table changes: the change generated from the trigger and the stored item, in each cloud's shape --------------

CHANGES = "tests.apps.changes"


def invoke(cloud: str, function: str, **hints: str) -> tuple[int, str, str]:
    app = load_app(CHANGES)
    out, notes = io.StringIO(), io.StringIO()
    invoker = Invoker(app, app.function(function), out, notes, CHANGES)
    every = {"path": None, "body": None, "key": None, "at": None, **hints}
    runner = invoker.run_aws if cloud == "aws" else invoker.run_gcp
    return runner(None, every, True), out.getvalue(), notes.getvalue()


def calls(record: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def test_on_aws_a_dynamodb_streams_batch_of_one_change_from_the_stored_item(record: Path) -> None:
    open_table("stock").put("shelf/1", {"quantity": 1}, False, None)
    code, out, notes = invoke("aws", "record_stock", key="shelf/1", body='{"quantity": 4}')
    event_text, _, reply_text = out.partition("\n\n")
    [shown] = json.loads(event_text)["Records"]
    assert (code, json.loads(reply_text), notes) == (0, {"batchItemFailures": []}, "")
    assert (shown["eventSource"], shown["eventName"]) == ("aws:dynamodb", "MODIFY")
    assert shown["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert shown["dynamodb"]["NewImage"]["quantity"] == {"N": "4"}
    [change] = calls(record)
    assert (change["kind"], change["key"], change["old"], change["new"]) == (
        "updated",
        "shelf/1",
        {"quantity": 1},
        {"quantity": 4},
    )
    assert change["id"] == shown["eventID"]


def test_on_gcp_a_firestore_cloudevent_of_the_triggers_kind_within_its_prefix(record: Path) -> None:
    code, out, notes = invoke("gcp", "new_order")
    assert code == 0 and notes == ""
    assert "ce-type: google.cloud.firestore.document.v1.created" in out
    assert "ce-document: stock/orders%2Fexample" in out and out.endswith("HTTP 204 NO CONTENT\n")
    [change] = calls(record)
    assert (change["function"], change["kind"], change["key"], change["new"]) == (
        "new_order",
        "created",
        "orders/example",
        {},
    )


@pytest.mark.parametrize(("cloud", "failed"), [("aws", '"itemIdentifier"'), ("gcp", "HTTP 500")])
def test_a_failing_change_exits_1_with_the_native_failure(cloud: str, failed: str, record: Path) -> None:
    code, out, _ = invoke(cloud, "record_stock", key="shelf/2", body='{"fail": true}')
    assert code == 1 and failed in out
    assert [c["kind"] for c in calls(record)] == ["created"]


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_invoke_calls_an_auth_route_as_a_signed_in_caller(
    cloud: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = ["--state", str(tmp_path)]
    code, out, err = run(capsys, "invoke", "me", "--cloud", cloud, *state)
    assert code == 1 and "401" in out, "no caller: the route's 401, and a failed call"
    assert err.endswith(
        "\nnote: route 'GET /me' requires a signed-in caller (auth=users); call it as one with --subject WHO "
        "[--scopes 'read write'] [--claims JSON]\n"
    )
    code, out, err = run(
        capsys,
        "invoke",
        "me",
        "--cloud",
        cloud,
        "--subject",
        "ada",
        "--scopes",
        "photos:read photos:write",
        "--claims",
        '{"email": "ada@example.com"}',
        "--show-event",
        *state,
    )
    assert code == 0 and "note:" not in err
    answer = json.loads(out.rpartition("\n\n")[2] if cloud == "gcp" else json.loads(out.split("\n\n")[1])["body"])
    assert answer == {"subject": "ada", "scopes": ["photos:read", "photos:write"]}
    if cloud == "aws":  # as API Gateway's JWT authorizer hands the caller over
        claims = json.loads(out.split("\n\n")[0])["requestContext"]["authorizer"]["jwt"]["claims"]
        assert claims["sub"] == "ada" and claims["email"] == "ada@example.com" and claims["iss"]
    else:  # as API Gateway on GCP does, in its userinfo header
        assert "X-Apigateway-Api-Userinfo: " in out


def test_invoke_sends_headers_and_fails_on_a_4xx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "invoke",
        "hello",
        "--cloud",
        "aws",
        "--body",
        "[1, 2]",
        "--header",
        "X-Request-Id: abc-123",
        "--show-event",
        "--state",
        str(tmp_path),
    )
    event, reply = (json.loads(part) for part in out.split("\n\n"))
    assert event["headers"]["x-request-id"] == "abc-123" and event["headers"]["content-type"] == "application/json"
    assert reply["statusCode"] == 422 and code == 1, "the caller's fault is a failed call too"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["hello", "--subject", "ada"], "function 'hello' serves no route declared with auth=, so it has no signed-in"),
        (["me", "--scopes", "read"], "--scopes and --claims describe a signed-in caller: name it with --subject WHO"),
        (["me", "--subject", "ada", "--claims", "[1]"], "--claims takes a JSON object of claims, not list"),
        (["me", "--subject", "ada", "--claims", "{"], "--claims takes a JSON object, e.g."),
        (["hello", "--header", "no-colon"], "--header takes 'Name: value', e.g. --header 'X-Request-Id: abc'"),
        (["helo"], "no function named 'helo'; did you mean 'hello'?"),
    ],
)
def test_invoke_refuses_what_it_cannot_send(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "invoke", *argv, "--cloud", "aws", "--state", str(tmp_path))
    assert code == 1 and err.startswith(f"error: {message}")
