"""The local runner of the conformance app, in this process, on a state folder of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.local.runner import LocalApp


def conformance_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalApp:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))  # no test inherits another's queued events
    return LocalApp(package="tests.apps.conformance")
