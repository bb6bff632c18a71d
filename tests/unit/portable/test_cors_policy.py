"""Declaring CORS (portable/cors_policy.py): what is refused, naming the place and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from portable import AppDefinitionError, cors


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"allow_origins": "https://a.example"}, "takes a list, got the string"),
        ({"allow_origins": []}, "allow_origins= is empty"),
        ({"allow_origins": ["https://a.example/"]}, "is not an origin"),
        ({"allow_origins": ["a.example"]}, "is not an origin"),
        ({"allow_origins": ["*"], "allow_credentials": True}, "allow_credentials=True with the origin '*'"),
        ({"allow_origins": ["*"], "allow_methods": ["FETCH"]}, "allow_methods has 'FETCH'"),
        ({"allow_origins": ["*"], "allow_headers": ["x y"]}, "is not an HTTP header name"),
        ({"allow_origins": ["*"], "max_age": 86401}, "max_age must be whole seconds from 0 to 86400"),
    ],
)
def test_a_wrong_cors_declaration_names_the_place_and_the_fix(options: dict[str, Any], named: str) -> None:
    with pytest.raises(AppDefinitionError) as refusal:
        cors(**options)
    assert named in str(refusal.value) and f"{__file__}:" in str(refusal.value)


@pytest.mark.parametrize(
    ("origin", "said"),
    [
        ("https://*.example.com", "is not a host name"),
        ("https://a.example .evil", "no path, query, user or space"),
        ("https://a.example?x", "no path, query, user or space"),
        ("https://a.example#top", "no path, query, user or space"),
        ("https://user@a.example", "no path, query, user or space"),
        ("https://a.example/", "no path, query, user or space"),
        ("https://App.Example.com", "in lower case"),
        ("https://a.example:443", "leave out https's default port 443"),
        ("http://a.example:80", "leave out http's default port 80"),
        ("https://a.example:99999", "is not a port number"),
        ("https://a..example", "is not a host name"),
        ("https://a.example.", "is not a host name"),
        ("https://-a.example", "is not a host name"),
        ("https://bücher.example", "ASCII form (xn--...)"),
        ("http://[::1", "is not an IPv6 address"),
        ("wss://a.example", "must start with https:// or http://"),
        ("a.example", "must start with https:// or http://"),
    ],
)
def test_an_origin_follows_the_grammar_of_the_origin_header(origin: str, said: str) -> None:
    with pytest.raises(AppDefinitionError) as refusal:
        cors(allow_origins=[origin])
    message = str(refusal.value)
    assert f"origin {origin!r} is not an origin as browsers send it" in message and said in message


@pytest.mark.parametrize(
    "origin",
    [
        "*",
        "https://app.example.com",
        "http://localhost:3000",
        "http://127.0.0.1:8080",
        "http://[::1]:5173",
        "https://xn--bcher-kva.example",
        "https://a-b.c-d.example:8443",
    ],
)
def test_origins_browsers_send_are_taken(origin: str) -> None:
    assert cors(allow_origins=[origin]).allow_origins == (origin,)


def test_the_stacks_origins_follow_the_same_grammar() -> None:
    policy = cors(allow_origins=["https://app.example.com"])
    with pytest.raises(AppDefinitionError, match=r"portable:corsAllowOrigins: origin 'https://\*.example.com'"):
        policy.with_origins(["https://*.example.com"], "portable:corsAllowOrigins")
