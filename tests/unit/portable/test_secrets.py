"""The secret handle (portable/secrets.py): its name and where it may be declared are checked."""

from __future__ import annotations

import pytest

from portable import AppDefinitionError, http, secret

stripe = secret("stripe_key")


def test_secret_names_and_declarations_are_checked() -> None:
    with pytest.raises(AppDefinitionError, match=r"e\.g\. secret\('stripe_key'\)"):
        secret("stripe-key")
    with pytest.raises(AppDefinitionError, match="move it to reads="):
        http("POST /leak", name="leak", writes=[stripe])(lambda request: None)
