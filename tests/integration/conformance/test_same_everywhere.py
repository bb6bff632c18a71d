"""The same HTTP call gives the same portable request and the same reply on every target."""

from __future__ import annotations

import base64
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from portable.routes import parse_route
from portable.testing import TARGETS as KIT_TARGETS
from portable.testing import Kit
from tests.support.targets import (
    MAIN,
    FunctionsFrameworkProcess,
    HttpCall,
    Result,
    function_env,
    invoke_aws,
    result_from_v1,
    result_from_v2,
    v1_event,
    v2_event,
    werkzeug_call,
)

KITCHEN = ("kitchen", "tests.apps.conformance.kitchen")
HELLO = ("hello", "functions.hello")
TARGETS = ["aws-v2", "aws-v1", "gcp-test-client", "gcp-process", "local"]
Send = Callable[[HttpCall], Result]


def _aws_sender(function: tuple[str, str], version: str) -> Send:
    route = parse_route("ANY /{path+}") if function == KITCHEN else None

    def send(call: HttpCall) -> Result:
        params = route.match(call.path) if route else None
        if version == "2.0":
            return result_from_v2(invoke_aws(v2_event(call, params), *function))
        return result_from_v1(invoke_aws(v1_event(call, params), *function))

    return send


def _test_client_sender(function: tuple[str, str]) -> Send:
    import functions_framework

    with function_env(*function):
        client = functions_framework.create_app(target=function[0], source=str(MAIN)).test_client(use_cookies=False)
    return lambda call: werkzeug_call(client, call)


def _local_sender() -> Send:
    from providers.local.runner import LocalApp

    client = Client(LocalApp(package="tests.apps.conformance"), use_cookies=False)
    return lambda call: werkzeug_call(client, call)


@pytest.fixture(scope="module")
def kitchen_process() -> Iterator[FunctionsFrameworkProcess]:
    process = FunctionsFrameworkProcess(
        "kitchen", {"PORTABLE_FUNCTION": KITCHEN[0], "PORTABLE_MODULE": KITCHEN[1], "PORTABLE_PROVIDER": "local"}
    )
    yield process
    process.stop()


@pytest.fixture(scope="module")
def senders(kitchen_process: FunctionsFrameworkProcess) -> dict[str, Send]:
    return {
        "aws-v2": _aws_sender(KITCHEN, "2.0"),
        "aws-v1": _aws_sender(KITCHEN, "1.0"),
        "gcp-test-client": _test_client_sender(KITCHEN),
        "gcp-process": kitchen_process.call,
        "local": _local_sender(),
    }


CALLS = {
    "query-headers-cookies": HttpCall(
        "GET",
        "/users/42",
        query=[("tag", "a"), ("tag", "b"), ("empty", ""), ("plus", "a+b c"), ("sym", "%&=?")],
        headers=[("X-Multi", "one"), ("X-Multi", "two"), ("Accept", "application/json")],
        cookies=[("session", "s3cr3t"), ("theme", "dark")],
    ),
    "json-body-utf8": HttpCall(
        "POST",
        "/orders/new",
        headers=[("Content-Type", "application/json")],
        body=json.dumps({"name": "Zoë", "items": [1, 2]}, ensure_ascii=False).encode(),
    ),
    "binary-body": HttpCall(
        "PUT",
        "/blobs/raw",
        headers=[("Content-Type", "application/octet-stream")],
        body=bytes(range(256)),
    ),
    "space-and-unicode-in-path": HttpCall("GET", "/files/my report/Grüße.txt"),
    "delete-no-body": HttpCall("DELETE", "/items/7"),
}


def _view(result: Result) -> dict[str, Any]:
    assert result.status == 200, result.body
    view: dict[str, Any] = json.loads(result.body)
    view["body"] = base64.b64decode(view["body"])
    return view


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_target_hands_the_handler_the_same_request(name: str, senders: dict[str, Send]) -> None:
    call = CALLS[name]
    views = {target: _view(senders[target](call)) for target in TARGETS}
    expected_path_params = {"path": call.path.lstrip("/")}
    for target, view in views.items():
        assert view["method"] == call.method, target
        assert view["path"] == call.path, target
        assert view["path_params"] == expected_path_params, target
        assert view["body"] == call.body, target
        assert view["client_ip"] == call.client_ip, target
        assert view["cookies"] == dict(call.cookies), target
        query: dict[str, list[str]] = {}
        for key, value in call.query:
            query.setdefault(key, []).append(value)
        assert view["query"] == query, target
        sent: dict[str, list[str]] = {}
        for key, value in call.headers:
            sent.setdefault(key.lower(), []).append(value)
        for header, values in sent.items():
            received = [part.strip() for v in view["headers"][header] for part in v.split(",")]
            assert received == values, (target, header)
        assert view["request_id"], target


def _error(result: Result) -> dict[str, Any]:
    assert result.header("content-type") == "application/json"
    body: dict[str, Any] = json.loads(result.body)
    assert body.pop("request_id"), "every error names its request id"
    return body


REPLIES: dict[str, tuple[HttpCall, Callable[[Result], Any]]] = {
    "text": (HttpCall("GET", "/text"), lambda r: (r.status, r.header("content-type"), r.body)),
    "bytes": (HttpCall("GET", "/bytes"), lambda r: (r.status, r.header("content-type"), r.body)),
    "none-is-204": (HttpCall("GET", "/none"), lambda r: (r.status, r.body)),
    "response": (
        HttpCall("POST", "/response"),
        lambda r: (
            r.status,
            r.header("content-type"),
            r.header("x-custom"),
            r.header("cache-control"),
            sorted(r.cookies),
            json.loads(r.body),
        ),
    ),
    "http-error": (HttpCall("GET", "/http-error/418"), lambda r: (r.status, _error(r))),
    "raise-is-500": (HttpCall("GET", "/raise"), lambda r: (r.status, _error(r))),
    "unserializable-is-500": (HttpCall("GET", "/unserializable"), lambda r: (r.status, _error(r))),
    "invalid-json-is-400": (
        HttpCall("POST", "/json", headers=[("Content-Type", "application/json")], body=b'{"name": '),
        lambda r: (r.status, _error(r)),
    ),
    "empty-json-is-400": (HttpCall("POST", "/json"), lambda r: (r.status, _error(r))),
    "valid-json": (
        HttpCall("POST", "/json", body=b'{"n": [1, 2.5, null, "\\u00e9"]}'),
        lambda r: (r.status, json.loads(r.body)),
    ),
}

EXPECTED_REPLIES: dict[str, Any] = {
    "text": (200, "text/plain; charset=utf-8", b"plain text"),
    "bytes": (200, "application/octet-stream", bytes(range(256))),
    "none-is-204": (204, b""),
    "response": (
        201,
        "application/json",
        "yes",
        "no-store",
        [
            "session=abc123; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax",
            "theme=dark; Path=/; Secure; SameSite=Lax",
        ],
        {"created": True},
    ),
    "http-error": (418, {"error": "teapot trouble", "status": 418}),
    "raise-is-500": (500, {"error": "internal error", "status": 500}),
    "unserializable-is-500": (500, {"error": "internal error", "status": 500}),
    "invalid-json-is-400": (
        400,
        {"error": "request body is not valid JSON: Expecting value at line 1 column 10", "status": 400},
    ),
    "empty-json-is-400": (400, {"error": "request body is empty; send a JSON document", "status": 400}),
    "valid-json": (200, {"received": {"n": [1, 2.5, None, "é"]}}),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REPLIES))
def test_every_target_gives_the_same_reply(name: str, senders: dict[str, Send]) -> None:
    call, summarize = REPLIES[name]
    for target in TARGETS:
        assert summarize(senders[target](call)) == EXPECTED_REPLIES[name], target


@pytest.mark.slow
def test_handler_failure_details_stay_out_of_the_reply(senders: dict[str, Send]) -> None:
    for target in TARGETS:
        body = senders[target](HttpCall("GET", "/raise")).body
        assert b"secret detail" not in body and b"Traceback" not in body, target


@pytest.fixture(scope="module")
def hello_senders() -> Iterator[dict[str, Send]]:
    process = FunctionsFrameworkProcess(
        "hello", {"PORTABLE_FUNCTION": HELLO[0], "PORTABLE_MODULE": HELLO[1], "PORTABLE_PROVIDER": "local"}
    )
    from providers.local.runner import LocalApp

    local = Client(LocalApp(), use_cookies=False)
    yield {
        "aws-v2": _aws_sender(HELLO, "2.0"),
        "aws-v1": _aws_sender(HELLO, "1.0"),
        "gcp-test-client": _test_client_sender(HELLO),
        "gcp-process": process.call,
        "local": lambda call: werkzeug_call(local, call),
        **{f"kit-{target}": _kit_sender(target) for target in KIT_TARGETS},
    }
    process.stop()


def _kit_sender(target: str) -> Send:
    """A call through the test kit, as a user's test makes it (portable.testing.Kit on `target`)."""

    def send(call: HttpCall) -> Result:
        with tempfile.TemporaryDirectory() as state, Kit(target, state=Path(state)) as kit:
            reply = kit.http(call.method, call.path, body=call.body, headers=call.headers)
        headers: dict[str, list[str]] = {}
        for name, value in reply.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        return Result(reply.status, headers, [], reply.body)

    return send


@pytest.mark.slow
@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (b'{"name": "Alice"}', 200, {"message": "Hello, Alice!"}),
        (b"{}", 200, {"message": "Hello, World!"}),
        (b"", 200, {"message": "Hello, World!"}),
        (
            b"not json",
            400,
            {"error": "request body is not valid JSON: Expecting value at line 1 column 1", "status": 400},
        ),
        (
            b'["Alice"]',
            422,
            {
                "error": "the request does not fit the route: body: Input should be a dictionary or an instance of "
                "HelloIn",
                "status": 422,
                "errors": [
                    {
                        "location": "body",
                        "message": "Input should be a dictionary or an instance of HelloIn",
                        "type": "dataclass_type",
                    }
                ],
            },
        ),
        (
            b'{"name": 5}',
            422,
            {
                "error": "the request does not fit the route: body.name: Input should be a valid string",
                "status": 422,
                "errors": [
                    {"location": "body.name", "message": "Input should be a valid string", "type": "string_type"}
                ],
            },
        ),
    ],
)
def test_hello_answers_the_same_on_every_target(
    hello_senders: dict[str, Send], body: bytes, status: int, expected: dict[str, Any]
) -> None:
    call = HttpCall("POST", "/hello", headers=[("Content-Type", "application/json")], body=body)
    for target in [*TARGETS, *(f"kit-{target}" for target in KIT_TARGETS)]:
        result = hello_senders[target](call)
        assert result.status == status, (target, result.body)
        assert result.header("content-type") == "application/json", target
        payload = json.loads(result.body)
        if status >= 400:
            assert payload.pop("request_id")
        assert payload == expected, target
