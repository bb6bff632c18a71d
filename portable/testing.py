"""The test kit: your functions through the real AWS and GCP shims (or the local runner), on local data.

    def test_hello(portable_app):          # the pytest fixture: one run per target (aws, gcp, local)
        reply = portable_app.http("POST", "/hello", json={"name": "Ada"})
        assert reply.json() == {"message": "Hello, Ada!"}

    from portable.testing import Kit      # the same, outside pytest
    with Kit("gcp") as kit: ...

A developer tool, not runtime code: its names load the kit from `providers.testing` on first use, so
importing `portable` never reaches `providers/`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "Kit": "kit",
    "KitBucket": "kit",
    "KitTable": "kit",
    "HttpReply": "kit",
    "Delivery": "targets",
    "TARGETS": "targets",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'portable.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"providers.testing.{home}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from providers.testing.kit import HttpReply as HttpReply
    from providers.testing.kit import Kit as Kit
    from providers.testing.kit import KitBucket as KitBucket
    from providers.testing.kit import KitTable as KitTable
    from providers.testing.targets import TARGETS as TARGETS
    from providers.testing.targets import Delivery as Delivery
