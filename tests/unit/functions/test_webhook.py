"""functions/webhook.py on every target: a signed body is accepted, anything else is 401, the key is a secret."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from portable.errors import ConfigurationError
from portable.testing import Kit

KEY = "whsec_test_0123456789"
BODY = json.dumps({"type": "payment.succeeded", "id": "evt_1"}).encode()


def signature(body: bytes, key: str = KEY) -> str:
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def test_a_body_signed_with_the_key_is_received(portable_app: Kit) -> None:
    portable_app.set_secret("webhook_key", KEY)
    reply = portable_app.http("POST", "/webhooks", body=BODY, headers={"X-Signature": signature(BODY)})
    assert (reply.status, reply.json()) == (200, {"received": True, "type": "payment.succeeded"})


@pytest.mark.parametrize("sent", [None, "sha256=00", signature(BODY, "another key"), signature(b"other body")])
def test_a_missing_or_wrong_signature_is_401(portable_app: Kit, sent: str | None) -> None:
    portable_app.set_secret("webhook_key", KEY)
    headers = {"X-Signature": sent} if sent is not None else {}
    reply = portable_app.http("POST", "/webhooks", body=BODY, headers=headers)
    assert reply.status == 401
    assert reply.json()["error"] == "the X-Signature header is not the HMAC-SHA256 of the body with the webhook key"
    assert KEY not in reply.text


def test_without_a_local_value_the_call_fails_and_the_log_names_the_fix(
    portable_app: Kit,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reply = portable_app.http("POST", "/webhooks", body=BODY, headers={"X-Signature": signature(BODY)})
    assert reply.status == 500
    logged = capsys.readouterr()
    assert "secrets/webhook_key or set PORTABLE_SECRET_VALUE_WEBHOOK_KEY" in logged.out + logged.err


def test_the_kit_sets_only_declared_secrets(portable_app: Kit) -> None:
    with pytest.raises(ConfigurationError, match="the App declares no secret 'stripe_key'; its secrets: webhook_key"):
        portable_app.set_secret("stripe_key", "x")
