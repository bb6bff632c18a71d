"""What the running invocation knows: which function runs, and how to reach its buckets and tables.

Kept apart from the handles so that a shim can set both without importing them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portable.app import FunctionSpec, ResourceSpec

current_function: ContextVar[FunctionSpec | None] = ContextVar("portable_current_function", default=None)

ClientFactory = Callable[["ResourceSpec"], Any]
_client_factory: ClientFactory | None = None


def bind_clients(factory: ClientFactory | None) -> None:
    """Called by a provider's runtime: how to build the client behind each handle."""
    global _client_factory
    _client_factory = factory


def bound_clients() -> ClientFactory | None:
    return _client_factory


def physical_name_variable(spec: ResourceSpec) -> str:
    """The environment variable the deploy half sets to the resource's physical name."""
    return f"PORTABLE_{spec.kind.upper()}_{spec.name.upper().replace('-', '_')}"


def physical_name(spec: ResourceSpec) -> str:
    """The cloud's name for a logical resource: set by the deploy half, else the logical name."""
    return os.environ.get(physical_name_variable(spec)) or spec.name
