"""Log lines (portable/log.py): each names the function, its trigger and the call's id, and on GCP the trace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portable.context import using_clients
from portable.limits import REQUEST_HEADERS_MAX_BYTES
from providers.local.clients import client_for
from tests.conftest import FIXTURES, aws_handler

HELLO_EVENT = json.loads((FIXTURES / "aws/apigw-v2/put-json-body.json").read_text())


@pytest.fixture(autouse=True)
def local_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path))
    monkeypatch.setenv("PORTABLE_PROVIDER", "local")
    with using_clients(client_for):
        yield


def _s3_created(key: str) -> dict[str, Any]:
    event = json.loads((FIXTURES / "aws/s3/put-percent20-encoded-key.json").read_text())
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = "uploads"
    record["s3"]["object"]["key"] = key
    return event


def _log_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_every_log_line_of_a_call_names_the_function_trigger_and_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORTABLE_FUNCTION", "make_thumbnail")
    monkeypatch.setenv("PORTABLE_MODULE", "functions.thumbnail")
    event = _s3_created("notes.txt")
    aws_handler(event, None)
    [line] = [line for line in _log_lines(capsys.readouterr().err) if line["message"] == "not an image name, skipped"]
    record = event["Records"][0]
    assert line["function"] == "make_thumbnail" and line["trigger"] == "object"
    assert line["event_id"] == f"uploads/notes.txt@{record['s3']['object']['sequencer']}"
    assert line["key"] == "notes.txt" and line["severity"] == "INFO"

    monkeypatch.setenv("PORTABLE_FUNCTION", "hello")
    monkeypatch.setenv("PORTABLE_MODULE", "functions.hello")
    http_event = json.loads(json.dumps(HELLO_EVENT))
    http_event["headers"]["x-big"] = "b" * REQUEST_HEADERS_MAX_BYTES
    aws_handler(http_event, None)
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
