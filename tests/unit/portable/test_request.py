"""The portable request's accessors (portable/request.py): headers, query, cookies, JSON and text."""

from __future__ import annotations

import pytest

from portable import Headers, HttpError, Query, Request
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


def test_a_codec_s_request_is_the_request_the_constructor_makes_with_every_field_set() -> None:
    """`decoded_request` sets the slots itself (every request's path): the same request as `Request(...)`, no slot
    left unset, so a field added to Request but not to it fails here."""
    from portable.request import Headers, Query, Request, decoded_request

    fields = {
        "method": "post",
        "path": "/notes/7",
        "path_params": {"id": "7"},
        "query": Query([("limit", "2")]),
        "headers": Headers([("Cookie", "a=1")]),
        "cookies": {"a": "1"},
        "body": b'{"x": 1}',
        "client_ip": "203.0.113.7",
        "request_id": "r-1",
    }
    made = decoded_request(*fields.values())
    expected = Request(**fields)  # type: ignore[arg-type]
    assert made.as_dict() == expected.as_dict()
    assert made.method == "POST"
    assert made.json() == {"x": 1}
    for slot in Request.__slots__:
        getattr(made, slot)  # AttributeError for a slot decoded_request leaves unset
