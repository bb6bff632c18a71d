"""The test kit's pytest fixtures, registered by the `portable` package's pytest11 entry point.

    def test_hello(portable_app):
        reply = portable_app.http("POST", "/hello", json={"name": "Ada"})
        assert reply.json() == {"message": "Hello, Ada!"}

runs once per target: through the AWS shim, through the GCP shim, and through the local runner.
Narrow it with @pytest.mark.parametrize("portable_target", ["local"]).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from providers.testing.kit import Kit
from providers.testing.targets import TARGETS


@pytest.fixture(params=TARGETS)
def portable_target(request: pytest.FixtureRequest) -> str:
    """The target `portable_app` runs on: aws, gcp or local."""
    target: str = request.param
    return target


@pytest.fixture
def portable_app(portable_target: str, tmp_path: Path) -> Iterator[Kit]:
    """The project's functions/ on `portable_target`, with local data of its own in tmp_path."""
    with Kit(portable_target, state=tmp_path / "portable-state") as kit:
        yield kit
