"""The registry of trigger kinds: one list, and the names each kind's code takes everywhere.

A kind is named after its trigger class (`HttpTrigger` is `http`). Its knowledge lives in one module
of `portable/`, `<kind>_trigger.py`: the trigger and how it is declared, the portable event a handler
receives, and the delivery rule (how the handler is called; what a failure, a retry and a dead
letter mean). Each target (aws, gcp, local) converts the kind's wire format in
`providers/<target>/<kind>_codec.py`, and each cloud deploys it in
`providers/<cloud>/deploy/<kind>_triggers.py`. The shims, the local runner, the test kit,
`portable invoke` and the deployers find a kind's code through `KINDS` and never test which kind a
function has; `tests/unit/portable/test_triggers.py` fails when a kind lacks a module for some target.
"""

from __future__ import annotations

import importlib

from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

KINDS = ("http", "object", "schedule", "message", "change")
TARGETS = ("aws", "gcp", "local")
CLOUDS = ("aws", "gcp")


def trigger_module(kind: str) -> ModuleType:
    """The module of `portable/` that holds `kind`."""
    if kind not in KINDS:
        raise ValueError(f"no trigger kind {kind!r}: the kinds are {', '.join(KINDS)}")
    return importlib.import_module(f"portable.{kind}_trigger")


def trigger_modules() -> list[ModuleType]:
    """Every kind's module of `portable/`, in the registry's order (imports them all: never on a cold start)."""
    return [trigger_module(kind) for kind in KINDS]


def codec_name(target: str, kind: str) -> str:
    """The module that converts `kind`'s wire format for `target` (`providers.aws.object_codec`)."""
    return f"providers.{target}.{kind}_codec"


def deploy_name(cloud: str, kind: str) -> str:
    """The module that deploys `kind`'s triggers on `cloud` (`providers.aws.deploy.object_triggers`)."""
    return f"providers.{cloud}.deploy.{kind}_triggers"
