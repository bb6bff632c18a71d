"""Every AWS payload in tests/fixtures/aws goes through the AWS shim; the portable fields it
determines are asserted one by one. Where the payload carries no value, the field is None."""

from __future__ import annotations

import base64
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


HTTP_EXPECTED: dict[str, dict[str, Any]] = {
    "apigw-v2/docs-payload-v2-post.json": {
        "method": "POST",
        "path": "/my/path",
        "path_params": {"parameter1": "value1"},
        "query": {"parameter1": ["value1", "value2"], "parameter2": ["value"]},
        "headers": {"header1": ["value1"], "header2": ["value1", "value2"]},
        "cookies": {},
        "body": b"Hello from Lambda",
        "client_ip": "192.0.2.1",
        "request_id": "id",
    },
    "apigw-v2/function-url-post-base64-body.json": {
        "method": "POST",
        "path": "/",
        "path_params": {},
        "query": {},
        "headers": {"content-type": ["idk"]},
        "cookies": {},
        "body": b"<idk/>",
        "client_ip": "127.0.0.1",
        "request_id": "9701a3d4-36ad-40bd-bf0b-a525c987d27f",
    },
    "apigw-v2/function-url-post-json-cookies-query.json": {
        "method": "POST",
        "path": "/hello",
        "path_params": {"path": "hello"},
        "query": {"hello": ["world"], "foo": ["bar"]},
        "headers": {"header2": ["h1", "h2"]},
        "cookies": {"foo": "bar", "hello": "hello"},
        "body": b'{"hello": "world"}',
        "client_ip": "127.0.0.1",
        "request_id": "5bbd0e3e-fe7a-4299-9076-32d4de45391b",
    },
    "apigw-v2/get-cookies-multiple.json": {
        "method": "GET",
        "path": "/api/cookietests/TestCookie3",
        "path_params": {"proxy": "api/cookietests/TestCookie3"},
        "query": {},
        "cookies": {"TestCookie1": "TestValue1", "TestCookie2": "TestValue2", "TestCookie3": "TestValue3"},
        "body": b"",
        "client_ip": "192.182.149.40",
        "request_id": "J7jk9g-7oAMEJGw=",
    },
    "apigw-v2/get-default-stage-base64-flag-no-body.json": {
        "method": "GET",
        "path": "/nodejs-apig-function-1G3XMPLZXVXYI",
        "path_params": {"path": "nodejs-apig-function-1G3XMPLZXVXYI"},
        "query": {},
        "cookies": {"s_fid": "7AABXMPL1AFD9BBF-0643XMPL09956DE2", "regStatus": "pre-register"},
        "body": b"",
        "client_ip": "205.255.255.176",
        "request_id": "JKJaXmPLvHcESHA=",
    },
    "apigw-v2/get-encoded-slash-in-path.json": {
        "method": "GET",
        "path": "/api/resourcepath/encoding/a/b",
        "path_params": {"proxy": "api/resourcepath/encoding/a/b"},
        "query": {},
        "body": b"",
        "client_ip": "192.182.149.40",
        "request_id": "J7lbEgpRIAMEJKQ=",
    },
    "apigw-v2/get-named-stage-in-rawpath.json": {
        "method": "GET",
        "path": "/api/values",
        "path_params": {"proxy": "api/values"},
        "query": {},
        "client_ip": "192.182.149.40",
        "request_id": "J6vl3iNWoAMESOw=",
    },
    "apigw-v2/get-querystring-encoded-reserved-chars.json": {
        "method": "GET",
        "path": "/api/rawquerystring/json",
        "query": {"url": ["http://www.google.com"], "testDateTimeOffset": ["2019-03-12T16:06:06.549817+00:00"]},
    },
    "apigw-v2/get-querystring-multivalue-proxy-param.json": {
        "method": "GET",
        "path": "/api/querystring",
        "path_params": {"proxy": "api/querystring"},
        "query": {"firstName": ["Lewis"], "lastName": ["Meriwether"], "mv-test": ["value1", "value2"]},
    },
    "apigw-v2/get-root-no-authorizer-mtls.json": {
        "method": "GET",
        "path": "/",
        "path_params": {},
        "query": {},
        "cookies": {},
        "body": b"",
        "client_ip": "1.2.3.4",
        "request_id": "LV7fzho-PHcEJPw=",
    },
    "apigw-v2/get-space-in-path.json": {
        "method": "GET",
        "path": "/api/resourcepath/string/tmh/file name.xml",
        "path_params": {"proxy": "api/resourcepath/string/tmh/file name.xml"},
    },
    "apigw-v2/post-json-body-jwt.json": {
        "method": "POST",
        "path": "/my/path",
        "path_params": {"parameter1": "value1"},
        "query": {"parameter1": ["value1", "value2"], "parameter2": ["value"]},
        "headers": {"header1": ["value1"], "header2": ["value1", "value2"]},
        "body": b'{"message": "hello world", "username": "tom"}',
        "client_ip": "192.168.0.1/32",
    },
    "apigw-v2/put-json-body.json": {
        "method": "PUT",
        "path": "/api/bodytests",
        "path_params": {"proxy": "api/bodytests"},
        "headers": {"content-type": ["application/json"]},
        "body": b'{"firstName":"Smith","lastName": "Agent"}',
    },
    "apigw-v1/docs-rest-proxy-input.json": {
        "method": "GET",
        "path": "/my/path",
        "path_params": {"path": "my/path"},
        "query": {"parameter1": ["value1", "value2"], "parameter2": ["value"]},
        "headers": {"header1": ["value1"], "header2": ["value1", "value2"]},
        "body": b"Hello from Lambda!",
        "client_ip": "IP",
        "request_id": "id=",
    },
    "apigw-v1/rest-console-test-invoke-null-headers.json": {
        "method": "GET",
        "path": "/api/querystring",
        "path_params": {"proxy": "api/querystring"},
        "query": {"firstName": ["Lewis"], "lastName": ["Meriwether"]},
        "header_names": [],
        "cookies": {},
        "body": b"",
        "client_ip": "127.0.0.1",
        "request_id": "test-invoke-request",
    },
    "apigw-v1/rest-get-multivalue-headers-and-query.json": {
        "method": "GET",
        "path": "/my/path",
        "query": {"parameter1": ["value1", "value2"], "parameter2": ["value"]},
        "headers": {"header1": ["value1"], "header2": ["value1", "value2"]},
        "client_ip": "192.168.0.1/32",
    },
    "apigw-v1/rest-get-optional-keys-absent.json": {
        "method": "GET",
        "path": "/hello",
        "path_params": {"proxy": "hello"},
        "query": {"name": ["me"]},
        "headers": {"host": ["wt6mne2s9k.execute-api.us-west-2.amazonaws.com"]},
        "body": b"",
        "client_ip": "192.168.100.1",
        "request_id": "41b45ea3-70b5-11e6-b7bd-69b5aaebc7d9",
    },
    "apigw-v1/rest-get-prod-stage-cookie.json": {
        "method": "GET",
        "path": "/",
        "path_params": {},
        "query": {},
        "cookies": {"s_fid": "7AABXMPL1AFD9BBF-0643XMPL09956DE2", "regStatus": "pre-register"},
        "headers": {"host": ["70ixmpl4fl.execute-api.ca-central-1.amazonaws.com"]},
        "client_ip": "52.255.255.12",
    },
    "apigw-v1/rest-post-json-multivalue-query.json": {
        "method": "POST",
        "path": "/hello/world",
        "path_params": {"proxy": "hello/world"},
        "query": {"name": ["me"], "multiValueName": ["you", "me"]},
        "body": b'{\r\n\t"a": 1\r\n}',
        "client_ip": "192.168.196.186",
    },
    "apigw-v1/rest-post-proxy-custom-authorizer.json": {
        "method": "POST",
        "path": "/hello/world",
        "path_params": {"proxy": "hello/world"},
        "query": {"name": ["me"]},
        "body": b'{\r\n\t"a": 1\r\n}',
        "headers": {"content-type": ["application/json"]},
        "request_id": "deef4878-7910-11e6-8f14-25afc3e9ae33",
    },
}


def _decode_reply(event: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    assert reply["statusCode"] == 200, reply
    assert reply["isBase64Encoded"] is False
    if event.get("version") == "2.0":
        assert reply["headers"]["content-type"] == "application/json"
    else:
        assert reply["multiValueHeaders"]["Content-Type"] == ["application/json"]
    return json.loads(reply["body"])  # type: ignore[no-any-return]


@pytest.mark.parametrize("relative", sorted(HTTP_EXPECTED))
def test_api_gateway_payload_becomes_the_portable_request(relative: str) -> None:
    event = load(relative)
    view = _decode_reply(event, invoke_aws(event, *KITCHEN))
    view["body"] = base64.b64decode(view["body"])
    expected = dict(HTTP_EXPECTED[relative])
    header_expectations = expected.pop("headers", {})
    header_names = expected.pop("header_names", None)
    for field, value in expected.items():
        assert view[field] == value, field
    for name, values in header_expectations.items():
        received = [part.strip() for value in view["headers"][name] for part in value.split(",")]
        assert received == values, name
    if header_names is not None:
        assert sorted(view["headers"]) == header_names
    assert all(name == name.lower() for name in view["headers"]), "header names are folded to lower case"


def test_function_url_cookies_are_not_counted_twice() -> None:
    event = load("apigw-v2/function-url-post-json-cookies-query.json")
    assert "cookie" in event["headers"] and event["cookies"]
    view = _decode_reply(event, invoke_aws(event, *KITCHEN))
    assert view["cookies"] == {"foo": "bar", "hello": "hello"}


def test_binary_reply_is_base64_on_both_payload_versions() -> None:
    for relative in ("apigw-v2/get-root-no-authorizer-mtls.json", "apigw-v1/rest-get-optional-keys-absent.json"):
        event = load(relative)
        event["rawPath"] = event["path"] = "/bytes"
        event["pathParameters"] = {"path": "bytes"}
        reply = invoke_aws(event, *KITCHEN)
        assert reply["isBase64Encoded"] is True
        assert base64.b64decode(reply["body"]) == bytes(range(256))


def test_body_flagged_base64_that_is_not_base64_is_a_400() -> None:
    event = load("apigw-v2/function-url-post-base64-body.json")
    event["body"] = "Hello from Lambda!"
    reply = invoke_aws(event, *KITCHEN)
    assert reply["statusCode"] == 400
    body = json.loads(reply["body"])
    assert body["error"] == "request body is flagged base64 but is not valid base64"
    assert body["request_id"] == "9701a3d4-36ad-40bd-bf0b-a525c987d27f"


def test_v1_console_test_event_with_null_maps_is_served() -> None:
    event = load("apigw-v1/rest-console-test-invoke-null-headers.json")
    event["multiValueHeaders"] = None
    event["multiValueQueryStringParameters"] = None
    event["queryStringParameters"] = None
    view = _decode_reply(event, invoke_aws(event, *KITCHEN))
    assert view["headers"] == {} and view["query"] == {}


# S3 ------------------------------------------------------------------------

S3_EXPECTED: dict[str, list[dict[str, Any]]] = {
    "s3/docs-put-example.json": [
        {
            "key": "HappyFace.jpg",
            "kind": "created",
            "size": 1024,
            "etag": "d41d8cd98f00b204e9800998ecf8427e",
            "time": "1970-01-01T00:00:00+00:00",
            "content_type": None,
            "id": "mybucket/HappyFace.jpg@0055AED6DCD90281E5",
        }
    ],
    "s3/put-lambda-docs-capture.json": [
        {
            "key": "b21b84d653bb07b05b1e6b33684dc11b",
            "kind": "created",
            "size": 1305107,
            "etag": "b21b84d653bb07b05b1e6b33684dc11b",
            "time": "2019-09-03T19:37:27.192000+00:00",
            "content_type": None,
            "id": "lambda-artifacts-deafc19498e3f2df/b21b84d653bb07b05b1e6b33684dc11b@0C0F6F405D6ED209E1",
        }
    ],
    "s3/delete.json": [
        {
            "key": "b21b84d653bb07b05b1e6b33684dc11b",
            "kind": "deleted",
            "size": None,
            "etag": None,
            "time": "2019-09-03T19:37:27.192000+00:00",
            "content_type": None,
            "id": "lambda-artifacts-deafc19498e3f2df/b21b84d653bb07b05b1e6b33684dc11b@0C0F6F405D6ED209E1",
        }
    ],
    "s3/put-multiple-records-plus-encoded-key.json": [
        {
            "key": "HappyFace.jpg",
            "kind": "created",
            "size": 1024,
            "id": "sourcebucket/HappyFace.jpg@0A1B2C3D4E5F678901",
        },
        {"key": "New File.jpg", "kind": "created", "size": 1024, "id": "sourcebucket/New+File.jpg@0A1B2C3D4E5F678901"},
    ],
    "s3/put-percent20-encoded-key.json": [
        {
            "key": "Happy Face.jpg",
            "kind": "created",
            "size": 1024,
            "time": "1970-01-01T00:00:00.123000+00:00",
        }
    ],
}


def _deliver_s3(event: dict[str, Any], function: str, tmp_path: Path) -> tuple[Any, list[dict[str, Any]]]:
    physical = event["Records"][0]["s3"]["bucket"]["name"] if "Records" in event else "inbox"
    with recording(tmp_path) as seen:
        reply = invoke_aws(event, function, KITCHEN[1], PORTABLE_BUCKET_INBOX=physical)
    return reply, seen


@pytest.mark.parametrize("relative", sorted(S3_EXPECTED))
def test_s3_notification_is_one_call_per_record(relative: str, tmp_path: Path) -> None:
    event = load(relative)
    function = "record_deleted" if "delete" in relative else "record_created"
    reply, seen = _deliver_s3(event, function, tmp_path)
    assert reply == {"status": 200, "delivered": len(S3_EXPECTED[relative])}
    assert len(seen) == len(S3_EXPECTED[relative])
    for record, expected in zip(seen, S3_EXPECTED[relative], strict=True):
        assert record["bucket"] == "inbox", "the handler sees the logical bucket name"
        for field, value in expected.items():
            assert record[field] == value, field


def test_s3_key_with_utf8_percent_escapes_is_decoded_once(tmp_path: Path) -> None:
    # No published S3 payload has a non-ASCII key (SOURCES.md, gap 1): this one is built from
    # docs-put-example.json the way S3 encodes keys (form encoding of the UTF-8 bytes).
    event = load("s3/docs-put-example.json")
    event["Records"][0]["s3"]["object"]["key"] = "caf%C3%A9+menu%2B%252F.jpg"
    _, seen = _deliver_s3(event, "record_created", tmp_path)
    assert [record["key"] for record in seen] == ["café menu+%2F.jpg"]


def test_s3_test_event_is_acknowledged_without_calling_the_handler(tmp_path: Path) -> None:
    reply, seen = _deliver_s3(load("s3/docs-test-event.json"), "record_created", tmp_path)
    assert reply == {"status": 200, "ignored": "s3:TestEvent"}
    assert seen == []


def test_s3_records_outside_the_trigger_are_not_delivered(tmp_path: Path) -> None:
    created = load("s3/docs-put-example.json")
    reply, seen = _deliver_s3(created, "record_deleted", tmp_path)
    assert reply == {"status": 200, "delivered": 0} and seen == []
    reply, seen = _deliver_s3(created, "on_upload", tmp_path)
    assert reply == {"status": 200, "delivered": 0} and seen == [], "prefix in/ and suffix .txt filter it out"


def test_s3_record_from_another_bucket_is_refused(tmp_path: Path) -> None:
    event = load("s3/docs-put-example.json")
    with recording(tmp_path) as seen:
        reply = invoke_aws(event, "record_created", KITCHEN[1], PORTABLE_BUCKET_INBOX="some-other-bucket")
    assert reply == {"status": 200, "delivered": 0}
    assert seen == []


def test_failed_record_fails_the_invocation_after_the_others_ran(tmp_path: Path) -> None:
    from portable.errors import EventFailed

    event = load("s3/put-multiple-records-plus-encoded-key.json")
    event["Records"][0]["s3"]["object"]["key"] = "in/fail.txt"
    event["Records"][1]["s3"]["object"]["key"] = "in/ok.txt"
    with recording(tmp_path) as seen, pytest.raises(EventFailed, match="1 of 2 records failed"):
        invoke_aws(event, "on_upload", KITCHEN[1], PORTABLE_BUCKET_INBOX="sourcebucket")
    assert [record["key"] for record in seen] == ["in/ok.txt"]


# Schedules -----------------------------------------------------------------

SCHEDULE_EXPECTED = {
    "eventbridge/scheduled-event.json": "2015-10-08T16:53:06+00:00",
    "eventbridge/scheduled-event-lambda-docs.json": "2019-03-01T01:23:45+00:00",
    "eventbridge/scheduled-event-java-libs.json": "2020-09-30T15:58:34+00:00",
    "eventbridge-scheduler/scheduled-event-default-input.json": "2025-02-20T16:03:00+00:00",
}


@pytest.mark.parametrize("relative", sorted(SCHEDULE_EXPECTED))
def test_scheduled_event_carries_the_due_time_and_a_retry_stable_id(relative: str, tmp_path: Path) -> None:
    event = load(relative)
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
        reply = invoke_aws(load("eventbridge/ec2-state-change-with-replay-name.json"), "every_five", KITCHEN[1])
    assert reply["status"] == 400 and "unknown event shape" in reply["error"]
    assert seen == []


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


# What the test kit and `portable invoke` send: the encoders give back what the decoders read ---------------


def test_api_gateway_request_encoding_round_trips() -> None:
    from portable.request import Headers, Query, Request
    from providers.aws import http_events

    sent = Request(
        method="POST",
        path="/files/a b/ü.txt",
        path_params={"path": "a b/ü.txt"},
        query=Query([("tag", "x"), ("tag", "y+z"), ("empty", "")]),
        headers=Headers([("Content-Type", "application/octet-stream"), ("Cookie", "a=1; b=2")]),
        body=b"\xff\x00binary",
        client_ip="203.0.113.4",
        request_id="req-round-trip",
    )
    event = http_events.encode_request(sent, "ANY /files/{path+}")
    assert set(load("apigw-v2/docs-payload-v2-post.json")) - set(event) == {"stageVariables"}
    got = http_events.decode_request(event, True, None)
    for field in ("method", "path", "path_params", "query", "cookies", "body", "client_ip", "request_id"):
        assert getattr(got, field) == getattr(sent, field), field
    assert got.headers.get("content-type") == "application/octet-stream"


def test_s3_notification_encoding_round_trips() -> None:
    from datetime import UTC, datetime

    from portable.events import ObjectEvent
    from providers.aws import s3_events

    for kind in ("created", "deleted"):
        sent = ObjectEvent(
            bucket="inbox",
            key="in/Grüße a+b.txt",
            kind=kind,
            id="0055AED6DCD90281E5",
            time=datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
            size=12,
            etag="abc",
        )
        notification = s3_events.encode(sent, "inbox-physical")
        [record] = notification["Records"]
        assert set(record) == set(load("s3/docs-put-example.json")["Records"][0])
        physical, got = s3_events.object_event(record, "inbox")
        assert physical == "inbox-physical" and got is not None
        expected_size = (12, "abc") if kind == "created" else (None, None)
        assert got == sent._replace(
            id="inbox-physical/in/Gr%C3%BC%C3%9Fe+a%2Bb.txt@0055AED6DCD90281E5",
            size=expected_size[0],
            etag=expected_size[1],
        )


def test_scheduler_event_encoding_round_trips() -> None:
    from datetime import UTC, datetime

    from portable.events import schedule_firing
    from providers.aws import schedule_events

    due = datetime(2026, 3, 29, 1, 5, tzinfo=UTC)
    event = schedule_events.encode("every_five", due)
    assert set(event) == set(load("eventbridge-scheduler/scheduled-event-default-input.json"))
    assert schedule_events.is_scheduled(event)
    assert schedule_events.schedule_event(event, "every_five") == schedule_firing("every_five", due)
