"""hello (functions/hello.py) through the Lambda handler: the caller's faults are 4xx, never 500s, and bad input
never poisons stored data."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portable import table
from portable.context import using_clients
from portable.limits import REQUEST_BODY_MAX_BYTES, REQUEST_HEADERS_MAX_BYTES
from providers.local.clients import client_for
from tests.conftest import FIXTURES, aws_handler

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
    reply = aws_handler(event, None)
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
    reply = aws_handler(event, None)
    assert reply["statusCode"] == 431
    assert json.loads(reply["body"])["status"] == 431
