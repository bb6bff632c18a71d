"""Declaring JWT auth (portable/auth.py): what is refused and how, and how claims read as text and scopes."""

from __future__ import annotations

from typing import Any

import pytest

from portable import AppDefinitionError, http, jwt_auth
from portable.auth import CLAIMS_MAX_DEPTH, UnreadableClaims, auth_from_claims, check_token_claims, claim_text


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"issuer": "auth.example.com", "audiences": ["a"]}, "issuer must be the token issuer's URL"),
        ({"issuer": "https://auth.example.com/", "audiences": "a"}, "audiences must be a list of strings"),
        ({"issuer": "https://auth.example.com/", "audiences": []}, "audiences must name at least one audience"),
        ({"issuer": "https://auth.example.com/", "audiences": ["a"], "name": "two words"}, "name 'two words'"),
    ],
)
def test_a_wrong_jwt_auth_declaration_says_what_to_write(arguments: dict[str, Any], named: str) -> None:
    with pytest.raises(AppDefinitionError, match="jwt_auth") as refusal:
        jwt_auth(**arguments)
    assert named in str(refusal.value)


def test_auth_takes_only_a_jwt_auth() -> None:
    def handler(request: object) -> None:
        return None

    with pytest.raises(AppDefinitionError, match=r"auth= takes what portable\.jwt_auth"):
        http("GET /x", auth="users")(handler)  # type: ignore[arg-type]


def test_the_jwks_uri_defaults_to_the_issuers_well_known_path() -> None:
    assert jwt_auth("https://auth.example.com/", ["a"]).jwks_uri == "https://auth.example.com/.well-known/jwks.json"


def test_claims_read_as_api_gateway_renders_them() -> None:
    assert [claim_text(v) for v in ("x", 3, True, None, ["a", 1], {"k": "v"})] == [
        "x",
        "3",
        "true",
        "null",
        "[a 1]",
        '{"k":"v"}',
    ]
    assert auth_from_claims({"scope": "[a b]"}).scopes == ("a", "b")
    assert auth_from_claims({"scope": "a b"}, None).scopes == ("a", "b")
    assert auth_from_claims({"scope": "a"}, ["x"]).scopes == ("x",)


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("claims", "scopes", "named"),
    [
        ({"sub": "\ud800"}, None, "not valid Unicode"),
        ({"sub": "a", "\udc00": "b"}, None, "not valid Unicode"),
        ({"sub": "a"}, ["read", "\udfff"], "not valid Unicode"),
        ({"deep": nested(CLAIMS_MAX_DEPTH)}, None, f"more than {CLAIMS_MAX_DEPTH} deep"),
        ({"deep": nested(3000)}, None, f"more than {CLAIMS_MAX_DEPTH} deep"),
    ],
)
def test_claims_no_handler_could_be_handed_are_refused(claims: dict[str, Any], scopes: Any, named: str) -> None:
    with pytest.raises(UnreadableClaims, match=named):
        auth_from_claims(claims, scopes)


def test_claims_nested_within_the_limit_read_as_text() -> None:
    auth = auth_from_claims({"sub": {"id": 7}, "deep": nested(CLAIMS_MAX_DEPTH - 1)})
    assert auth.subject == '{"id":7}' and auth.claims["deep"].startswith("[[[")


@pytest.mark.parametrize("name", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("value", ["1700000000", True, "soon", [1]])
def test_a_tokens_times_must_be_numbers(name: str, value: Any) -> None:
    with pytest.raises(UnreadableClaims, match=f"'{name}' claim must be a number"):
        check_token_claims({name: value})


def test_a_tokens_other_claims_may_hold_any_json() -> None:
    check_token_claims({"exp": 1.5, "nbf": 0, "sub": {"id": 1}, "jti": 7, "aud": ["a", "b"]})


@pytest.mark.parametrize(
    ("issuer", "jwks_uri", "said"),
    [
        ("https://tenant.eu.auth0.com/", None, None),
        ("http://tenant.eu.auth0.com/", None, "is not an https URL"),
        ("https://localhost:8443/", None, "loopback"),
        ("https://auth.localhost/", None, "loopback"),
        ("https://127.0.0.1/", None, "loopback"),
        ("https://[::1]:9000/", None, "loopback"),
        ("https://0.0.0.0/", None, "loopback"),
        ("https://tenant.eu.auth0.com/", "http://keys.example.com/jwks.json", "its jwks_uri"),
    ],
)
def test_a_deployed_gateway_takes_only_https_issuers_it_can_reach(
    issuer: str, jwks_uri: str | None, said: str | None
) -> None:
    from portable.auth import deployed_refusal

    refusal = deployed_refusal(jwt_auth(issuer, ["api"], jwks_uri=jwks_uri))
    assert refusal is None if said is None else said in (refusal or "")
