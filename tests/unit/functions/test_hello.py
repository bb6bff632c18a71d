"""The caller's faults are 4xx on every entry, never 500s, and bad input never poisons stored data."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from portable import table
from portable.context import using_clients
from portable.limits import REQUEST_BODY_MAX_BYTES, REQUEST_HEADERS_MAX_BYTES
from providers.aws import runtime
from providers.local.clients import client_for
from tests.backends.pipeline_kit import report_due_after
from tests.conftest import FIXTURES

greetings = table("greetings")
HELLO_EVENT = json.loads((FIXTURES / "aws/apigw-v2/put-json-body.json").read_text())


@pytest.fixture(autouse=True)
def local_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path))
    monkeypatch.setenv("PORTABLE_PROVIDER", "local")
    with using_clients(client_for):
        yield


def call_hello(monkeypatch: pytest.MonkeyPatch, body: bytes, request_id: str = "req-1") -> tuple[int, Any]:
    monkeypatch.setenv("PORTABLE_FUNCTION", "hello")
    monkeypatch.setenv("PORTABLE_MODULE", "functions.hello")
    event = json.loads(json.dumps(HELLO_EVENT))
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/hello"
    event["requestContext"]["http"]["method"] = "POST"
    event["requestContext"]["requestId"] = request_id
    event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    reply = runtime.handler(event, None)
    return reply["statusCode"], json.loads(reply["body"])


def stored_names() -> list[Any]:
    return [item.value.get("name") for item in greetings.query()]


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply"),
        (b'{"name": ' + b"7" * 5000 + b"}", 400, "cannot be read"),
        (b'{"name": "\\ud800"}', 400, "lone surrogate"),
        (b'{"name": "\\udc00 and more"}', 400, "lone surrogate"),
        (json.dumps({"name": "x" * 420 * 1024}).encode(), 413, "too long"),
        (b"x" * (REQUEST_BODY_MAX_BYTES + 1), 413, "over 6291456 bytes"),
    ],
)
def test_hello_answers_caller_faults_with_4xx_and_stores_nothing(
    body: bytes, status: int, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, reply = call_hello(monkeypatch, body)
    assert code == status and says in reply["error"], reply
    assert stored_names() == []


@pytest.mark.parametrize("request_id", ["a" * 500, "tab\there", "../../etc", "é", ""])
def test_an_unsafe_request_id_is_replaced_and_the_greeting_still_stored(
    request_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, reply = call_hello(monkeypatch, b'{"name": "Alice"}', request_id)
    assert code == 200 and reply == {"message": "Hello, Alice!"}
    [item] = list(greetings.query())
    assert request_id not in item.key or not request_id
    assert len(item.key.rsplit("/", 1)[1]) == 32, "a fresh request id: 32 hex digits"


def test_valid_surrogate_pairs_are_text(monkeypatch: pytest.MonkeyPatch) -> None:
    code, reply = call_hello(monkeypatch, b'{"name": "\\ud83d\\ude00"}')
    assert code == 200 and reply == {"message": "Hello, \N{GRINNING FACE}!"}


def test_oversized_headers_get_431_with_the_portable_body(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTABLE_FUNCTION", "hello")
    monkeypatch.setenv("PORTABLE_MODULE", "functions.hello")
    event = json.loads(json.dumps(HELLO_EVENT))
    event["headers"]["x-big"] = "b" * REQUEST_HEADERS_MAX_BYTES
    reply = runtime.handler(event, None)
    assert reply["statusCode"] == 431
    assert json.loads(reply["body"])["status"] == 431


def test_the_nightly_report_survives_any_stored_greeting(monkeypatch: pytest.MonkeyPatch) -> None:
    day = datetime.now(UTC).date()
    odd = [
        {"name": "Alice", "at": f"{day}T01:00:00+00:00"},
        {"at": 5},
        {"name": {"nested": [1, None]}},
        {"name": None, "at": None},
        {"name": 'comma, "quote"\nnewline', "at": "x"},
        {},
    ]
    for index, value in enumerate(odd):
        greetings.put(f"{day}/00:00:0{index}/id{index}", value)
    monkeypatch.setenv("PORTABLE_FUNCTION", "nightly_report")
    monkeypatch.setenv("PORTABLE_MODULE", "functions.report")
    due = report_due_after(day).isoformat().replace("+00:00", "Z")
    event = json.loads((FIXTURES / "aws/eventbridge-scheduler/scheduled-event-default-input.json").read_text())
    event["time"] = due
    assert runtime.handler(event, None) == {"status": 200, "delivered": 1}
    from portable import bucket

    summary = json.loads(bucket("reports").get(f"greetings/{day}.json"))
    assert summary["total"] == len(odd)


def _s3_created(key: str) -> dict[str, Any]:
    event = json.loads((FIXTURES / "aws/s3/put-percent20-encoded-key.json").read_text())
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = "uploads"
    record["s3"]["object"]["key"] = key
    return event


@pytest.mark.parametrize(
    ("key", "logged"),
    [
        ("gone.jpg", "upload deleted before its thumbnail was made"),
        ("bad%00name.jpg", "upload key cannot be read back"),
    ],
)
def test_the_thumbnail_treats_a_vanished_or_unreadable_upload_as_done(
    key: str, logged: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORTABLE_FUNCTION", "make_thumbnail")
    monkeypatch.setenv("PORTABLE_MODULE", "functions.thumbnail")
    assert runtime.handler(_s3_created(key), None) == {"status": 200, "delivered": 1}
    assert logged in capsys.readouterr().err


def _log_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_every_log_line_of_a_call_names_the_function_trigger_and_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORTABLE_FUNCTION", "make_thumbnail")
    monkeypatch.setenv("PORTABLE_MODULE", "functions.thumbnail")
    event = _s3_created("notes.txt")
    runtime.handler(event, None)
    [line] = [line for line in _log_lines(capsys.readouterr().err) if line["message"] == "not an image name, skipped"]
    record = event["Records"][0]
    assert line["function"] == "make_thumbnail" and line["trigger"] == "object"
    assert line["event_id"] == f"uploads/notes.txt@{record['s3']['object']['sequencer']}"
    assert line["key"] == "notes.txt" and line["severity"] == "INFO"

    monkeypatch.setenv("PORTABLE_FUNCTION", "hello")
    monkeypatch.setenv("PORTABLE_MODULE", "functions.hello")
    http_event = json.loads(json.dumps(HELLO_EVENT))
    http_event["headers"]["x-big"] = "b" * REQUEST_HEADERS_MAX_BYTES
    runtime.handler(http_event, None)
    [refused] = [line for line in _log_lines(capsys.readouterr().err) if line["message"] == "request refused"]
    assert (refused["function"], refused["trigger"]) == ("hello", "http")
    assert refused["request_id"] == HELLO_EVENT["requestContext"]["requestId"]


def test_gcp_log_lines_carry_the_trace_cloud_logging_recognises(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import functions_framework

    from providers.gcp.runtime import exporting
    from tests.conftest import ROOT

    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "demo-project")
    with exporting("functions", "local"):
        client = functions_framework.create_app(target="hello", source=str(ROOT / "main.py")).test_client()
    reply = client.post(
        "/hello",
        headers={
            "X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000/1;o=1",
            "X-Big": "b" * REQUEST_HEADERS_MAX_BYTES,
        },
    )
    assert reply.status_code == 431
    [refused] = [line for line in _log_lines(capsys.readouterr().err) if line["message"] == "request refused"]
    assert refused["logging.googleapis.com/trace"] == "projects/demo-project/traces/105445aa7843bc8bf206b12000100000"
    assert (refused["function"], refused["trigger"], refused["severity"]) == ("hello", "http", "WARNING")
