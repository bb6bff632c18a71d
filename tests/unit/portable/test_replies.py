"""Rendering handler results into replies (portable/replies.py)."""

from __future__ import annotations

import json

import pytest

from portable import Response
from portable.replies import render


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
    assert (reply.status, reply.headers.get("content-type")) == (status, content_type)
    assert (reply.body, reply.binary) == (body, binary)


def test_response_headers_override_defaults_and_cookies_are_kept() -> None:
    response = Response({"ok": True}, headers=[("Content-Type", "application/problem+json"), ("X-A", "1")])
    response.set_cookie("a", "1", max_age=5, same_site="Strict", domain="example.com")
    reply = render(response)
    assert reply.headers.pairs == [("Content-Type", "application/problem+json"), ("X-A", "1")]
    assert reply.cookies == ["a=1; Max-Age=5; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Strict"]
    assert json.loads(reply.body) == {"ok": True}


def test_unrenderable_result_says_what_to_return() -> None:
    with pytest.raises(TypeError, match="returned int; return a dict, list, str, bytes, None or a Response"):
        render(42)
