"""Which data clients a runtime shim puts behind the bucket and table handles."""

from __future__ import annotations

import importlib
import os

from portable.app import ResourceSpec
from portable.errors import ConfigurationError
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from portable.context import ClientFactory

PROVIDERS = ("aws", "gcp", "local")


def client_factory(provider: str) -> ClientFactory:
    """`provider`'s data clients; the client module is imported on the first use of a handle, not here."""
    if provider not in PROVIDERS:
        raise ConfigurationError(f"provider {provider!r} is unknown: use one of {', '.join(PROVIDERS)}")
    module_name = f"providers.{provider}.clients"

    def client_for(spec: ResourceSpec) -> Any:
        return importlib.import_module(module_name).client_for(spec)

    return client_for


def provider_for(cloud: str) -> str:
    """The cloud's own provider, unless PORTABLE_PROVIDER names another (`local` runs a cloud shim on local data)."""
    provider = os.environ.get("PORTABLE_PROVIDER") or cloud
    if provider not in PROVIDERS:
        raise ConfigurationError(f"PORTABLE_PROVIDER={provider!r} is unknown: use one of {', '.join(PROVIDERS)}")
    return provider
