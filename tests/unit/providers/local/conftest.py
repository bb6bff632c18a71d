"""The local runner of the conformance app for these tests (`local`), stopped after each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from providers.local.runner import LocalApp
from tests.support.local_runner import conformance_runner


@pytest.fixture()
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalApp]:
    runner = conformance_runner(tmp_path, monkeypatch)
    yield runner
    runner.stop()
