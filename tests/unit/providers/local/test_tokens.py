"""The local JWT verifier and development issuer (providers/local/tokens.py): tokens the runner mints and its JWKS
verifies, what minting refuses, the development key, and a real issuer's JWKS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from werkzeug.test import Client

from portable import jwt_auth
from providers.local.runner import LocalApp
from providers.local.sqlite_files import using_local_dir
from providers.local.tokens import DevIssuer, TokenRefused


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[LocalApp]:
    with using_local_dir(tmp_path / "state"):  # its workers are not started: nothing to stop
        yield LocalApp(package="tests.apps.edge")


def test_the_runner_mints_tokens_its_jwks_verifies(runner: LocalApp) -> None:
    client = Client(runner)
    minted = client.post("/__portable/token?subject=alice&scope=notes:read")
    assert minted.status_code == 200
    body = minted.get_json()
    assert (body["auth"], body["issuer"], body["audience"]) == (
        "members",
        "https://issuer.example.com/",
        "conformance-api",
    )
    jwks = client.get("/__portable/jwks.json").get_json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(body["token"])["kid"]]
    claims = jwt.decode(body["token"], key.key, algorithms=["RS256"], audience="conformance-api")
    assert (claims["sub"], claims["scope"], claims["iss"]) == ("alice", "notes:read", "https://issuer.example.com/")
    reply = client.get("/whoami", headers={"Authorization": f"Bearer {body['token']}"})
    assert reply.status_code == 200 and reply.get_json()["auth"]["subject"] == "alice"


@pytest.mark.parametrize(
    ("query", "status", "named"),
    [
        ("", 400, "say who the token is for"),
        ("subject=a&auth=admins", 404, "no jwt_auth named 'admins'; the App's routes require: members"),
    ],
)
def test_minting_without_what_it_needs_says_what_to_send(runner: LocalApp, query: str, status: int, named: str) -> None:
    reply = Client(runner).post(f"/__portable/token?{query}")
    assert reply.status_code == status and named in reply.get_json()["error"]


def test_a_web_page_cannot_mint_tokens(runner: LocalApp) -> None:
    reply = Client(runner).post("/__portable/token?subject=a", headers={"Origin": "https://evil.example"})
    assert reply.status_code == 403


def test_the_development_key_survives_a_restart_and_a_wiped_folder_makes_a_new_one(tmp_path: Path) -> None:
    auth = jwt_auth("https://issuer.example.com/", ["api"])
    token = DevIssuer(tmp_path).mint(auth, "alice")
    assert DevIssuer(tmp_path).verify(token, auth)["sub"] == "alice"
    assert oct((tmp_path / "dev-issuer-key.pem").stat().st_mode & 0o777) == "0o600"
    with pytest.raises(TokenRefused, match="signature does not match"):
        DevIssuer(tmp_path / "other").verify(token, auth)


def test_a_token_of_a_real_issuer_is_checked_against_its_jwks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not the development key: the key comes from the issuer's jwks_uri (its fetch stubbed: no network in tests)."""
    issuer = DevIssuer(tmp_path / "issuer")
    jwks = issuer.jwks()
    jwks["keys"][0]["kid"] = "real-key"
    auth = jwt_auth("https://issuer.example.com/", ["api"], jwks_uri="https://issuer.example.com/keys")
    token = jwt.encode(
        {"iss": auth.issuer, "aud": "api", "sub": "bob", "exp": 4102444800},
        issuer.key(),
        algorithm="RS256",
        headers={"kid": "real-key"},
    )
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda self: jwks)
    assert DevIssuer(tmp_path / "runner").verify(token, auth)["sub"] == "bob"
