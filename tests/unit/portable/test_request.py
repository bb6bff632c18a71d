"""The portable request's accessors and the rendering of handler results."""

from __future__ import annotations

import json

import pytest

from portable import Headers, HttpError, Query, Request, Response
from portable.invoke import render
from portable.request import parse_cookie_header


def request(body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> Request:
    return Request(method="post", path="/x", body=body, headers=Headers(headers or []), request_id="r1")


def test_headers_are_case_insensitive_and_split_lists() -> None:
    headers = Headers([("X-Multi", "a, b"), ("x-multi", "c"), ("User-Agent", "Mozilla/5.0 (X11, Linux)")])
    assert headers["X-MULTI"] == "a, b"
    assert headers.get_all("x-multi") == ["a", "b", "c"]
    assert headers.get("user-agent") == "Mozilla/5.0 (X11, Linux)"
    assert "USER-AGENT" in headers and "nope" not in headers


def test_query_keeps_order_and_repeats() -> None:
    query = Query([("a", "1"), ("b", "2"), ("a", "3")])
    assert query["a"] == "1" and query.get_all("a") == ["1", "3"] and list(query) == ["a", "b"]
    assert query.get("missing") is None and query.get_all("missing") == []


@pytest.mark.parametrize(
    ("header", "cookies"),
    [
        ("a=1; b=2", {"a": "1", "b": "2"}),
        ("a=1;b=2;", {"a": "1", "b": "2"}),
        ('a="quoted"; a=second', {"a": "quoted"}),
        ("bare; c=3", {"c": "3"}),
        ("", {}),
        (None, {}),
    ],
)
def test_cookie_header_parsing(header: str | None, cookies: dict[str, str]) -> None:
    assert parse_cookie_header(header) == cookies


def test_cookies_come_from_the_cookie_header_by_default() -> None:
    assert request(headers=[("Cookie", "sid=abc")]).cookies == {"sid": "abc"}


def test_json_and_text() -> None:
    assert request(b'{"a": [1]}').json() == {"a": [1]}
    assert request("Grüße".encode()).text == "Grüße"
    with pytest.raises(HttpError) as empty:
        request(b"  ").json()
    assert empty.value.status == 400
    with pytest.raises(HttpError, match="not valid JSON: Expecting ',' delimiter at line 1 column 7"):
        request(b"[1, 2 3]").json()
    with pytest.raises(HttpError, match="not UTF-8"):
        _ = request(b"\xff\xfe").text


@pytest.mark.parametrize(
    ("result", "status", "content_type", "body", "binary"),
    [
        ({"a": "é"}, 200, "application/json", '{"a": "é"}'.encode(), False),
        ([1, 2], 200, "application/json", b"[1, 2]", False),
        ("hi", 200, "text/plain; charset=utf-8", b"hi", False),
        (b"\x00", 200, "application/octet-stream", b"\x00", True),
        (None, 204, None, b"", False),
        (Response("<p>", status=202, content_type="text/html"), 202, "text/html", b"<p>", False),
        (Response(status=304), 304, None, b"", False),
    ],
)
def test_render(result: object, status: int, content_type: str | None, body: bytes, binary: bool) -> None:
    reply = render(result)
    assert (reply.status, reply.header("content-type")) == (status, content_type)
    assert (reply.body, reply.binary) == (body, binary)


def test_response_headers_override_defaults_and_cookies_are_kept() -> None:
    response = Response({"ok": True}, headers=[("Content-Type", "application/problem+json"), ("X-A", "1")])
    response.set_cookie("a", "1", max_age=5, same_site="Strict", domain="example.com")
    reply = render(response)
    assert reply.headers == [("Content-Type", "application/problem+json"), ("X-A", "1")]
    assert reply.cookies == ["a=1; Max-Age=5; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Strict"]
    assert json.loads(reply.body) == {"ok": True}


def test_unrenderable_result_says_what_to_return() -> None:
    with pytest.raises(TypeError, match="returned int; return a dict, list, str, bytes, None or a Response"):
        render(42)


@pytest.mark.parametrize("status", [200, 302, 600])
def test_http_error_needs_an_error_status(status: int) -> None:
    with pytest.raises(ValueError, match="4xx or 5xx"):
        HttpError(status, "x")
