"""Secrets on every backend: the value from the store, cached per instance for a while, declared access only.

AWS runs against moto's Secrets Manager, GCP against the loopback Secret Manager stand-in
(tests/backends/secret_manager.py), local against the environment and the state folder.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import pytest

from portable import AccessNotDeclared, NotFound, secret
from portable.app import FunctionSpec
from portable.context import Invocation, current_invocation, setting
from portable.http_trigger import HttpTrigger
from portable.routes import parse_route
from portable.secrets import SECRET_CACHE_SECONDS
from tests.backends.fixtures import Backend

stripe = secret("stripe_key")
HTTP = HttpTrigger(parse_route("POST /pay"))


def reading(backend: Backend, reads: frozenset[str] = frozenset({"stripe_key"})) -> AbstractContextManager[None]:
    spec = FunctionSpec("pay", "tests.fake", "functions/pay.py", HTTP, reads)
    return setting(current_invocation, Invocation(spec, backend.client_for))


def test_a_declared_secret_reads_its_value(backend: Backend) -> None:
    backend.provision_secret(stripe.spec, "sk_test_ünïcode 42")
    with reading(backend):
        assert stripe.value() == "sk_test_ünïcode 42"


def test_the_value_is_cached_per_instance_until_the_ttl_passes(
    backend: Backend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend.provision_secret(stripe.spec, "first")
    clock = [1000.0]
    monkeypatch.setattr("portable.secrets.time.monotonic", lambda: clock[0])
    with reading(backend):
        assert stripe.value() == "first"
        backend.set_secret(stripe.spec, "rotated")
        clock[0] += SECRET_CACHE_SECONDS - 1
        assert stripe.value() == "first", "fetched again within the TTL"
        clock[0] += 2
        assert stripe.value() == "rotated", "not fetched again after the TTL"


def test_a_secret_without_a_value_is_not_found_with_the_fix(backend: Backend) -> None:
    backend.provision_secret(stripe.spec, None)
    with reading(backend), pytest.raises(NotFound) as caught:
        stripe.value()
    fix = {
        "local": "write it to",
        "gcp": "give it one with `pulumi config set --secret secrets:stripe_key <value>`",
        "aws": "deploy the stack, or check the PORTABLE_BUCKET_*/PORTABLE_TABLE_*/PORTABLE_SECRET_* variable",
    }[backend.provider]
    assert fix in str(caught.value)


def test_undeclared_use_is_refused_before_the_store_is_asked(backend: Backend) -> None:
    backend.provision_secret(stripe.spec, "sk")
    with reading(backend, reads=frozenset()), pytest.raises(AccessNotDeclared) as caught:
        stripe.value()
    assert "reads=[secret('stripe_key')]" in str(caught.value)


def test_the_handle_never_shows_the_value(backend: Backend) -> None:
    backend.provision_secret(stripe.spec, "sk_live_hidden")
    with reading(backend):
        stripe.value()
    assert "sk_live_hidden" not in repr(stripe) + str(vars(stripe).keys())
    assert repr(stripe) == "secret('stripe_key')"
