"""Which data clients a runtime shim binds behind the bucket and table handles."""

from __future__ import annotations

import importlib
import os
from typing import Any

from portable.app import ResourceSpec
from portable.context import bind_clients
from portable.errors import ConfigurationError

PROVIDERS = ("aws", "gcp", "local")


def bind_provider_clients(cloud: str) -> None:
    """Bind `cloud`'s clients, or those PORTABLE_PROVIDER names (`local` runs a cloud shim on local data).

    The client module is imported on the first use of a handle, not here.
    """
    provider = os.environ.get("PORTABLE_PROVIDER") or cloud
    if provider not in PROVIDERS:
        raise ConfigurationError(f"PORTABLE_PROVIDER={provider!r} is unknown: use one of {', '.join(PROVIDERS)}")
    module_name = f"providers.{provider}.clients"

    def client_for(spec: ResourceSpec) -> Any:
        return importlib.import_module(module_name).client_for(spec)

    bind_clients(client_for)
