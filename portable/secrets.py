"""Secret handles: `stripe = secret("stripe_key")`, declared with `reads=[stripe]`, read with `stripe.value()`.

The value lives in the provider's secret store (Secrets Manager, Secret Manager, or locally a file or an
environment variable); a deployed function's environment holds only the secret's name. It is fetched on
first use and kept in memory for `SECRET_CACHE_SECONDS` per instance, so a rotated value arrives within
that time. Portable never logs it, and the handle's repr shows only the name.
"""

from __future__ import annotations

import re
import threading
import time
from weakref import WeakKeyDictionary

from portable.context import current_invocation, physical_name
from portable.handles import Handle, check_name
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Protocol

    from portable.context import ClientFactory

    class SecretClient(Protocol):
        """What a provider puts behind a secret handle."""

        def fetch(self) -> str:
            """The secret's current value; NotFound when it has none."""


SECRET_CACHE_SECONDS = 300
# The Pulumi config namespace of secret values: `pulumi config set --secret secrets:<name> <value>`.
CONFIG_NAMESPACE = "secrets"
# Lower-case letters, digits and '_': valid as a Secrets Manager name, a Secret Manager id, a Pulumi config key
# and, upper-cased, an environment variable name (so no two secrets share PORTABLE_SECRET_<NAME>).
_SECRET_NAME = re.compile(r"[a-z][a-z0-9_]{2,39}")


class Secret(Handle):
    """A secret, by its logical name: what `secret(name)` returns. Its `value()` works inside a running function
    that declares it in `reads=`; its value is set per stack with `pulumi config set --secret secrets:<name> ...`."""

    kind = "secret"

    def __init__(self, name: str) -> None:
        super().__init__(name)
        # Per set of clients (one per provider in an instance), per physical secret: (expiry, value).
        self._cache: WeakKeyDictionary[ClientFactory, dict[str, tuple[float, str]]] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def _check_name(self, name: str) -> None:
        check_name(name, self.kind, _SECRET_NAME, "_")

    def value(self) -> str:
        """The secret's value, fetched on first use and cached for SECRET_CACHE_SECONDS by this instance."""
        self._authorize("read")
        invocation = current_invocation.get()
        factory = invocation.clients if invocation else None
        physical = physical_name(self.spec)
        now = time.monotonic()
        cached = self._cache.get(factory, {}).get(physical) if factory is not None else None
        if cached is not None and cached[0] > now:
            return cached[1]
        client: SecretClient = self._client()
        value = client.fetch()
        if factory is not None:
            with self._lock:
                self._cache.setdefault(factory, {})[physical] = (now + SECRET_CACHE_SECONDS, value)
        return value


def set_command(name: str) -> str:
    """The command that gives secret `name` its value in a stack."""
    return f"pulumi config set --secret {CONFIG_NAMESPACE}:{name} <value>"


def no_value(name: str) -> str:
    """What a deployed secret without a value means, and its fix."""
    return f"the secret has no value; give it one with `{set_command(name)}` and deploy"


def secret(name: str) -> Secret:
    """A handle on the secret `name`; functions that read it declare reads=[handle]."""
    return Secret(name)
