"""Every API Gateway payload in tests/fixtures/aws through the AWS shim (providers/aws/http_codec.py): the portable
request's fields asserted one by one (None where the payload carries no value), the replies, and both directions."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.support.published import published
from tests.support.targets import invoke_aws

KITCHEN = ("kitchen", "tests.apps.conformance.kitchen")
AWS = FIXTURES / "aws"


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
    event = published("aws", relative)
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
    event = published("aws", "apigw-v2/function-url-post-json-cookies-query.json")
    assert "cookie" in event["headers"] and event["cookies"]
    view = _decode_reply(event, invoke_aws(event, *KITCHEN))
    assert view["cookies"] == {"foo": "bar", "hello": "hello"}


def test_binary_reply_is_base64_on_both_payload_versions() -> None:
    for relative in ("apigw-v2/get-root-no-authorizer-mtls.json", "apigw-v1/rest-get-optional-keys-absent.json"):
        event = published("aws", relative)
        event["rawPath"] = event["path"] = "/bytes"
        event["pathParameters"] = {"path": "bytes"}
        reply = invoke_aws(event, *KITCHEN)
        assert reply["isBase64Encoded"] is True
        assert base64.b64decode(reply["body"]) == bytes(range(256))


def test_body_flagged_base64_that_is_not_base64_is_a_400() -> None:
    event = published("aws", "apigw-v2/function-url-post-base64-body.json")
    event["body"] = "Hello from Lambda!"
    reply = invoke_aws(event, *KITCHEN)
    assert reply["statusCode"] == 400
    body = json.loads(reply["body"])
    assert body["error"] == "request body is flagged base64 but is not valid base64"
    assert body["request_id"] == "9701a3d4-36ad-40bd-bf0b-a525c987d27f"


def test_v1_console_test_event_with_null_maps_is_served() -> None:
    event = published("aws", "apigw-v1/rest-console-test-invoke-null-headers.json")
    event["multiValueHeaders"] = None
    event["multiValueQueryStringParameters"] = None
    event["queryStringParameters"] = None
    view = _decode_reply(event, invoke_aws(event, *KITCHEN))
    assert view["headers"] == {} and view["query"] == {}


def test_api_gateway_request_encoding_round_trips() -> None:
    from portable.http_trigger import HttpTrigger
    from portable.request import Headers, Query, Request
    from portable.routes import parse_route
    from providers.aws import http_codec
    from tests.support.codecs import bound

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
    files = bound(HttpTrigger(parse_route("ANY /files/{path+}")))
    event = http_codec.encode(sent, files.spec)
    assert set(published("aws", "apigw-v2/docs-payload-v2-post.json")) - set(event) == {"stageVariables"}
    got = http_codec.decode(event, files, None)
    assert isinstance(got, Request)
    for field in ("method", "path", "path_params", "query", "cookies", "body", "client_ip", "request_id"):
        assert getattr(got, field) == getattr(sent, field), field
    assert got.headers.get("content-type") == "application/octet-stream"
