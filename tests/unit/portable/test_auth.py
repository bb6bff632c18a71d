"""Declaring CORS and JWT auth: what is refused and how; the local development issuer; what a cold start loads."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from werkzeug.test import Client

from portable import AppDefinitionError, cors, http, jwt_auth
from portable.auth import auth_from_claims, claim_text
from providers.local.runner import LocalApp
from providers.local.sqlite_files import using_local_dir
from providers.local.tokens import DevIssuer, TokenRefused
from tests.conftest import ROOT


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


PROBE = """
import json, sys
sys.path.insert(0, sys.argv[2])
from providers.aws.runtime import handler
reply = handler(json.loads(sys.argv[1]), None)
print(json.dumps({"reply": reply, "modules": sorted(sys.modules)}))
"""


def test_an_auth_route_cold_start_loads_no_jwt_library() -> None:
    """The gateway verified the token; the deployed function only reads the claims."""
    event = json.loads((ROOT / "tests/fixtures/aws/apigw-v2/jwt-cognito-id-token-scopes-null.json").read_text())
    env = {
        "PATH": "/usr/bin:/bin",
        "PORTABLE_FUNCTION": "whoami",
        "PORTABLE_MODULE": "tests.apps.edge.guarded",
    }
    done = subprocess.run(
        [sys.executable, "-S", "-E", "-c", PROBE, json.dumps(event), str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result = json.loads(done.stdout)
    assert json.loads(result["reply"]["body"])["auth"]["subject"] == "d2f50444-0041-7036-aea2-a955fca33d37"
    assert not [name for name in result["modules"] if name.split(".")[0] in ("jwt", "cryptography", "flask")]
