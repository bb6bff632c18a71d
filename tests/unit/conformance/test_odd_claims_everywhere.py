"""Tokens whose claims are odd get the same answer on AWS, GCP and locally: the local runner and the test kit's
stand-ins of the gateways read a token's claims by the rule the shims apply (portable/auth.py), so a claim of any
JSON type reads as the same text everywhere, a time that is text is refused as the gateways refuse it, and claims no
handler could be handed (text that is not Unicode, nesting thousands deep) get 401, never a 500."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from providers.local.tokens import ALGORITHM, KEY_ID, DevIssuer
from providers.testing.kit import Kit
from tests.support.kits import kits_on_every_target

PACKAGE = "tests.apps.edge"


@pytest.fixture(scope="module")
def kits() -> Iterator[dict[str, Kit]]:
    with kits_on_every_target(PACKAGE) as opened:
        yield opened


def signed(kit: Kit, payload: bytes) -> str:
    """A token of the kit's development issuer whose payload is exactly `payload` (JSON json.dumps cannot write)."""
    return jwt.api_jws.PyJWS().encode(payload, DevIssuer(Path(kit.state)).key(), ALGORITHM, headers={"kid": KEY_ID})


def claims_text(overrides: dict[str, str]) -> bytes:
    """The JSON of a valid token's claims with some values replaced by raw JSON text."""
    now = int(time.time())
    fields = {
        "iss": '"https://issuer.example.com/"',
        "aud": '"conformance-api"',
        "sub": '"user-1"',
        "iat": str(now),
        "exp": str(now + 600),
    }
    fields.update(overrides)
    return ("{" + ",".join(f'"{name}":{value}' for name, value in fields.items()) + "}").encode()


def whoami(kit: Kit, token: str) -> Any:
    return kit.http("GET", "/whoami", headers={"Authorization": f"Bearer {token}"})


def test_a_subject_of_any_json_type_reads_as_the_same_text_everywhere(kits: dict[str, Kit]) -> None:
    subjects = {}
    for target, kit in kits.items():
        reply = whoami(kit, kit.token("ignored", claims={"sub": {"id": 7, "tags": ["a", "b"]}}))
        assert reply.status == 200, (target, reply.body)
        subjects[target] = reply.json()["auth"]["subject"]
    assert set(subjects.values()) == {'{"id":7,"tags":["a","b"]}'}, subjects


@pytest.mark.parametrize(
    ("case", "overrides", "named"),
    [
        ("exp as text", {"exp": f'"{int(time.time()) + 600}"'}, "'exp' claim must be a number"),
        ("nbf as text", {"nbf": '"0"'}, "'nbf' claim must be a number"),
        ("lone surrogate in sub", {"sub": '"\\ud800"'}, "not valid Unicode"),
        ("lone surrogate in scope", {"scope": '"read \\udfff"'}, "not valid Unicode"),
        ("nested 3,000 deep", {"extra": "[" * 3000 + "]" * 3000}, ""),
    ],
)
def test_claims_no_gateway_hands_on_get_401_everywhere(
    kits: dict[str, Kit], case: str, overrides: dict[str, str], named: str
) -> None:
    for target, kit in kits.items():
        reply = whoami(kit, signed(kit, claims_text(overrides)))
        assert reply.status == 401, (target, case, reply.body[:200])
        assert reply.headers["www-authenticate"].startswith("Bearer"), (target, case)
        if target == "local":
            assert named in reply.json()["error"], case


def test_an_es256_token_claiming_the_development_key_gets_401_not_a_crash(kits: dict[str, Kit]) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    payload = json.loads(claims_text({}))
    token = jwt.encode(payload, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": KEY_ID})
    for target, kit in kits.items():
        reply = whoami(kit, token)
        assert reply.status == 401 and reply.json()["status" if target == "local" else "message"], target
