"""Local secrets (providers/local/secrets.py): a value from the state folder, within the limit."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from portable import TooLarge, secret
from portable.app import FunctionSpec
from portable.context import Invocation, current_invocation, setting
from portable.http_trigger import HttpTrigger
from portable.limits import SECRET_VALUE_MAX_BYTES
from portable.routes import parse_route
from tests.backends.fixtures import Backend

stripe = secret("stripe_key")
HTTP = HttpTrigger(parse_route("POST /pay"))


def reading(backend: Backend, reads: frozenset[str] = frozenset({"stripe_key"})) -> AbstractContextManager[None]:
    spec = FunctionSpec("pay", "tests.fake", "functions/pay.py", HTTP, reads)
    return setting(current_invocation, Invocation(spec, backend.client_for))


def test_a_local_value_comes_from_the_state_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from providers.local.clients import client_for

    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path))
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "stripe_key").write_text("sk_from_file\n")
    backend = Backend("local", client_for, monkeypatch)
    with reading(backend):
        assert stripe.value() == "sk_from_file"
    (tmp_path / "secrets" / "stripe_key").write_text("x" * (SECRET_VALUE_MAX_BYTES + 1))
    with reading(Backend("local", lambda spec: client_for(spec), monkeypatch)), pytest.raises(TooLarge):
        stripe.value()
