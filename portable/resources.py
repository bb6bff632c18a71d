"""Bucket and table handles, declared by logical name in `functions/`.

A handle is plain description at import time; its data methods reach a client that
the active provider binds (see `bind_clients`), so no cloud SDK loads at cold start.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from portable.app import FunctionSpec, ObjectTrigger, ResourceSpec, register_resource
from portable.decorators import Handler, ResourceRef, make_registrar
from portable.errors import AppDefinitionError, ConfigurationError

current_function: ContextVar[FunctionSpec | None] = ContextVar("portable_current_function", default=None)

ClientFactory = Callable[[ResourceSpec], Any]
_client_factory: ClientFactory | None = None


def bind_clients(factory: ClientFactory | None) -> None:
    """Called by a provider's runtime: how to build the client behind each handle."""
    global _client_factory
    _client_factory = factory


def physical_name_variable(spec: ResourceSpec) -> str:
    """The environment variable the deploy half sets to the resource's physical name."""
    return f"PORTABLE_{spec.kind.upper()}_{spec.name.upper().replace('-', '_')}"


def physical_name(spec: ResourceSpec) -> str:
    """The cloud's name for a logical resource: set by the deploy half, else the logical name."""
    return os.environ.get(physical_name_variable(spec)) or spec.name


def _check_name(name: str, kind: str) -> None:
    valid = 3 <= len(name) <= 40 and name[0].isalpha() and all(c.isalnum() or c == "-" for c in name)
    if not valid or name != name.lower():
        raise AppDefinitionError(
            f"{kind} name {name!r} is not valid: use 3 to 40 lower-case letters, digits and '-', "
            "starting with a letter"
        )


class _Handle:
    kind: str

    def __init__(self, name: str) -> None:
        _check_name(name, self.kind)
        self.name = name
        self.spec = register_resource(self.kind, name)  # type: ignore[arg-type]

    def _client(self) -> Any:
        if _client_factory is None:
            raise ConfigurationError(
                f"{self.kind} {self.name!r} was used outside a running function: no provider is bound. "
                "Run handlers through a provider (locally: python -m providers.local)"
            )
        return _client_factory(self.spec)

    def __repr__(self) -> str:
        return f"{self.kind}({self.name!r})"


class Bucket(_Handle):
    kind = "bucket"

    def _on(self, kind: str, prefix: str, suffix: str, **options: Any) -> Callable[[Handler], Handler]:
        trigger = ObjectTrigger(self.name, kind, prefix, suffix)  # type: ignore[arg-type]
        return make_registrar(trigger, trigger_resources=[self.spec], **options)

    def on_created(
        self,
        *,
        prefix: str = "",
        suffix: str = "",
        name: str | None = None,
        reads: Iterable[ResourceRef] = (),
        writes: Iterable[ResourceRef] = (),
        requires: Iterable[str] = (),
        memory_mb: int = 256,
        timeout_seconds: int = 60,
        allow_self_trigger: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Call the decorated function once for each object created under prefix/suffix."""
        return self._on(
            "created", prefix, suffix, name=name, reads=reads, writes=writes, requires=requires,
            memory_mb=memory_mb, timeout_seconds=timeout_seconds, allow_self_trigger=allow_self_trigger,
        )

    def on_deleted(
        self,
        *,
        prefix: str = "",
        suffix: str = "",
        name: str | None = None,
        reads: Iterable[ResourceRef] = (),
        writes: Iterable[ResourceRef] = (),
        requires: Iterable[str] = (),
        memory_mb: int = 256,
        timeout_seconds: int = 60,
        allow_self_trigger: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Call the decorated function once for each object deleted under prefix/suffix."""
        return self._on(
            "deleted", prefix, suffix, name=name, reads=reads, writes=writes, requires=requires,
            memory_mb=memory_mb, timeout_seconds=timeout_seconds, allow_self_trigger=allow_self_trigger,
        )


class Table(_Handle):
    kind = "table"


def bucket(name: str) -> Bucket:
    """Declare (or refer to) the bucket with this logical name."""
    return Bucket(name)


def table(name: str) -> Table:
    """Declare (or refer to) the table with this logical name."""
    return Table(name)
