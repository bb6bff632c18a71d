"""Test kits of one App on every target at once, for the conformance tests that compare them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from providers.testing.kit import Kit
from providers.testing.targets import TARGETS


@contextmanager
def kits_on_every_target(package: str) -> Iterator[dict[str, Kit]]:
    """A kit of `package` per target (the AWS shim, the GCP shim, the local runner), by target; closed at the end."""
    opened = {target: Kit(target, package=package) for target in TARGETS}
    try:
        yield opened
    finally:
        for kit in opened.values():
            kit.close()
