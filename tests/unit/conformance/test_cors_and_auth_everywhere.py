"""CORS and JWT auth are the same on AWS (API Gateway's HTTP API in front of the Lambda shim), GCP (API Gateway
in front of the functions-framework shim) and locally (the runner): the same preflight replies, the same CORS
headers on actual replies, 401 for every bad token, and the same `request.auth` for a good one."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from providers.testing.kit import HttpReply, Kit
from tests.support.kits import kits_on_every_target

PACKAGE = "tests.apps.edge"
ORIGIN = "https://app.example.com"


@pytest.fixture(scope="module")
def kits() -> Iterator[dict[str, Kit]]:
    with kits_on_every_target(PACKAGE) as opened:
        yield opened


def cors_headers(reply: HttpReply) -> dict[str, str]:
    return {
        name: value for name, value in reply.headers.items() if name.startswith("access-control-") or name == "vary"
    }


def on_every_target(kits: dict[str, Kit], method: str, path: str, **options: Any) -> dict[str, HttpReply]:
    return {target: kit.http(method, path, **options) for target, kit in kits.items()}


def preflight(origin: str, method: str = "POST", headers: str = "content-type") -> dict[str, Any]:
    return {
        "headers": {
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        }
    }


@pytest.mark.parametrize("path", ["/open", "/whoami"])
def test_an_allowed_preflight_gets_the_same_204_and_headers_everywhere(kits: dict[str, Kit], path: str) -> None:
    replies = on_every_target(kits, "OPTIONS", path, **preflight(ORIGIN, "POST", "Content-Type, X-Trace"))
    expected = {
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-methods": "GET,POST",
        "access-control-allow-headers": "authorization,content-type,x-trace",
        "access-control-max-age": "300",
        "access-control-allow-credentials": "true",
        "vary": "Origin",
    }
    for target, reply in replies.items():
        assert (reply.status, reply.body, cors_headers(reply)) == (204, b"", expected), target


@pytest.mark.parametrize(
    ("origin", "method", "asked", "named"),
    [
        ("https://evil.example", "POST", "content-type", "origin 'https://evil.example' may not call this API"),
        (ORIGIN, "DELETE", "content-type", "method 'DELETE' is not allowed"),
        (ORIGIN, "POST", "x-secret", "header 'x-secret' is not allowed"),
    ],
)
def test_a_refused_preflight_gets_403_naming_the_fix_and_no_cors_headers(
    kits: dict[str, Kit],
    origin: str,
    method: str,
    asked: str,
    named: str,
) -> None:
    for target, reply in on_every_target(kits, "OPTIONS", "/open", **preflight(origin, method, asked)).items():
        assert reply.status == 403 and cors_headers(reply) == {}, target
        assert named in reply.json()["error"] and "portable.cors(" in reply.json()["error"], target


def test_actual_replies_carry_cors_headers_for_allowed_origins_only(kits: dict[str, Kit]) -> None:
    allowed = on_every_target(kits, "POST", "/open", json={}, headers={"Origin": "https://admin.example.com"})
    for target, reply in allowed.items():
        assert reply.status == 200, target
        assert cors_headers(reply) == {
            "access-control-allow-origin": "https://admin.example.com",
            "access-control-expose-headers": "x-request-id",
            "access-control-allow-credentials": "true",
            "vary": "Origin",
        }, target
    for headers in ({"Origin": "https://evil.example"}, {}):
        for target, reply in on_every_target(kits, "POST", "/open", json={}, headers=headers).items():
            # no CORS headers, but a cache must still keep this reply apart from those to allowed origins
            assert reply.status == 200 and cors_headers(reply) == {"vary": "Origin"}, (target, headers)


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", "/whoami", {}, 401),
        ("GET", "/nowhere", {}, 404),
        ("DELETE", "/open", {}, 405),
        ("POST", "/open", {"Content-Type": "application/json"}, 200),
    ],
)
def test_every_reply_under_cors_varies_by_origin_whoever_writes_it(
    kits: dict[str, Kit], method: str, path: str, headers: dict[str, str], status: int
) -> None:
    """API Gateway on AWS, the shims and the local runner; GCP's gateway answers a missing token and a path or method
    no operation serves itself, with no CORS headers at all (docs/http.md says so)."""
    for origin in ("https://app.example.com", "https://evil.example", None):
        sent = {**headers, **({"Origin": origin} if origin else {})}
        for target, reply in on_every_target(kits, method, path, headers=sent).items():
            assert reply.status == status, (target, origin)
            if target == "gcp" and status != 200:
                assert "access-control-allow-origin" not in reply.headers, "GCP's gateway's own reply"
                continue
            assert reply.headers.get("vary") == "Origin", (target, origin, reply.headers)
            allowed = reply.headers.get("access-control-allow-origin")
            assert allowed == (origin if origin == "https://app.example.com" else None), (target, origin)


def test_a_good_token_gives_the_handler_the_same_request_auth_everywhere(kits: dict[str, Kit]) -> None:
    seen = {}
    times = {"iat": 1700000000, "nbf": 1700000000, "exp": int(time.time()) + 600}  # one set of times for all three
    for target, kit in kits.items():
        token = kit.token(
            "user-42",
            ["notes:read", "notes:write"],
            claims={"email_verified": True, "groups": ["admin", "ops"], **times},
        )
        reply = kit.http("GET", "/whoami", headers={"Authorization": f"Bearer {token}", "Origin": ORIGIN})
        assert reply.status == 200 and reply.headers["access-control-allow-origin"] == ORIGIN, target
        seen[target] = reply.json()["auth"]
    assert seen["aws"] == seen["gcp"] == seen["local"]
    auth = seen["local"]
    assert auth["subject"] == "user-42" and auth["scopes"] == ["notes:read", "notes:write"]
    claims = auth["claims"]
    assert claims["iss"] == "https://issuer.example.com/" and claims["aud"] == "conformance-api"
    # Every claim reads as text, as API Gateway's JWT authorizer gives it on AWS.
    assert (claims["email_verified"], claims["groups"], claims["iat"]) == ("true", "[admin ops]", "1700000000")
    assert claims["scope"] == "notes:read notes:write"


def test_a_token_for_the_second_audience_is_accepted_too(kits: dict[str, Kit]) -> None:
    for target, kit in kits.items():
        token = kit.token("user-7", claims={"aud": "other-api"})
        reply = kit.http("GET", "/whoami", headers={"Authorization": f"Bearer {token}"})
        assert reply.status == 200 and reply.json()["auth"]["scopes"] == [], target


BAD_TOKENS: dict[str, tuple[dict[str, Any] | None, str]] = {
    "missing": (None, "send Authorization: Bearer <token>"),
    "expired": ({"exp": int(time.time()) - 60}, "the token has expired"),
    "wrong audience": ({"aud": "someone-else"}, "this API accepts conformance-api, other-api"),
    "wrong issuer": ({"iss": "https://impostor.example.com/"}, "accepts tokens of https://issuer.example.com/"),
    "malformed": ({}, "the token is malformed"),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_a_missing_or_bad_token_gets_401_everywhere_and_the_portable_error_locally(
    kits: dict[str, Kit],
    case: str,
) -> None:
    claims, reason = BAD_TOKENS[case]
    for target, kit in kits.items():
        headers = {}
        if claims is not None:
            token = kit.token("user-42", claims=claims)
            headers["Authorization"] = "Bearer " + (token[:-12] + "." if case == "malformed" else token)
        reply = kit.http("GET", "/whoami", headers=headers)
        assert reply.status == 401 and reply.headers["www-authenticate"].startswith("Bearer"), (target, case)
        if target == "local":
            body = reply.json()
            assert set(body) == {"error", "status", "request_id"} and body["status"] == 401
            assert reason in body["error"], case


def test_an_open_route_sees_no_auth_even_with_a_token_or_a_forged_userinfo_header(kits: dict[str, Kit]) -> None:
    forged = "eyJzdWIiOiJhZG1pbiJ9"  # {"sub":"admin"}
    for target, kit in kits.items():
        token = kit.token("user-42")
        headers = {"Authorization": f"Bearer {token}", "X-Apigateway-Api-Userinfo": forged}
        assert kit.http("POST", "/open", json={}, headers=headers).json() == {"auth": None}, target


def test_a_forged_userinfo_header_does_not_get_past_the_gateway(kits: dict[str, Kit]) -> None:
    for target in ("gcp", "local"):
        reply = kits[target].http("GET", "/whoami", headers={"X-Apigateway-Api-Userinfo": "eyJzdWIiOiJhZG1pbiJ9"})
        assert reply.status == 401, target
