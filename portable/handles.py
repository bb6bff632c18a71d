"""The resource handle every kind of resource builds on (buckets, tables, queues, topics, secrets): its name checked
and registered, the running function's data client, and the access rule. Apart from `resources.py`, so that a
function that only sends messages or reads a secret does not load the bucket and table code at its cold start."""

from __future__ import annotations

import re

from portable.app import ResourceKind, caller_location, register_resource
from portable.context import current_invocation
from portable.errors import AccessNotDeclared, AppDefinitionError, ConfigurationError
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, ClassVar, Literal

_RESOURCE_NAME = re.compile(r"[a-z][a-z0-9-]{2,39}")


def check_name(name: str, kind: str, pattern: re.Pattern[str] = _RESOURCE_NAME, separator: str = "-") -> None:
    """Refuse a name outside `pattern` (3 to 40 lower-case letters, digits and `separator`), suggesting one, or one a
    cloud reserves (limits.RESERVED_NAME_PREFIXES, RESERVED_BUCKET_NAME_PARTS)."""
    if not isinstance(name, str) or not pattern.fullmatch(name):
        suggestion = name.lower().replace("_", separator).replace("-", separator) if isinstance(name, str) else ""
        example = f", e.g. {kind}({suggestion!r})" if pattern.fullmatch(suggestion) else ""
        raise AppDefinitionError(
            f"{caller_location()}: {kind} name {name!r} is not valid: use 3 to 40 lower-case letters, digits "
            f"and {separator!r}, starting with a letter{example}"
        )
    from portable.limits import RESERVED_BUCKET_NAME_PARTS, RESERVED_NAME_PREFIXES

    reserved = next((prefix for prefix in RESERVED_NAME_PREFIXES.get(kind, ()) if name.startswith(prefix)), None)
    part = next((part for part in RESERVED_BUCKET_NAME_PARTS if part in name), None) if kind == "bucket" else None
    if reserved or part:
        said = f"starts with {reserved!r}" if reserved else f"contains {part!r}"
        raise AppDefinitionError(
            f"{caller_location()}: {kind} name {name!r} {said}, which the clouds keep for themselves (Cloud Storage "
            f"and Pub/Sub refuse names starting with 'goog' or holding 'google', S3 those starting with 'xn--', "
            f"'sthree-' or 'amzn-s3-demo-'); choose another name"
        )


class Handle:
    """What every resource handle shares: its checked name, its registration in the App, the data client of the
    running function, and the access rule the clouds' IAM enforces."""

    kind: ClassVar[ResourceKind]

    def __init__(self, name: str) -> None:
        self._check_name(name)
        self.name = name
        self.spec = register_resource(self.kind, name)

    def _check_name(self, name: str) -> None:
        check_name(name, self.kind)

    def _client(self) -> Any:
        invocation = current_invocation.get()
        factory = invocation.clients if invocation else None
        if factory is None:
            raise ConfigurationError(
                f"{self.kind} {self.name!r} was used outside a running function: no provider is bound. "
                "Run handlers through a provider (locally: python -m providers.local), or wrap the code in "
                "portable.context.using_clients(...). In a thread the handler starts, run the thread's work "
                "with contextvars.copy_context().run(...)"
            )
        return factory(self.spec)

    def _authorize(self, access: Literal["read", "write"]) -> None:
        """Refuse what the running function did not declare: the same rule the clouds' IAM enforces."""
        invocation = current_invocation.get()
        function = invocation.function if invocation else None
        if function is None:
            return
        allowed = function.readable if access == "read" else function.writes
        if self.name in allowed:
            return
        option = "reads" if access == "read" else "writes"
        raise AccessNotDeclared(
            self.name,
            f"function {function.name!r} {access}s {self.kind} {self.name!r} without declaring it; add "
            f"{option}=[{self.kind}({self.name!r})] to its decorator at {function.where}",
        )

    def __repr__(self) -> str:
        return f"{self.kind}({self.name!r})"
