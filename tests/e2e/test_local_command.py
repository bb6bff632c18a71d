"""`python -m providers.local` as a process: what it refuses and how it stops, before it serves anything.
The reloader in its processes is in test_local_reload.py, the kill -9 proof in test_local_durability.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_cli_fires_a_schedule_and_refuses_unknown_ones(tmp_path: Path) -> None:
    env = {**os.environ, "PORTABLE_LOCAL_DIR": str(tmp_path)}
    unknown = subprocess.run(
        [sys.executable, "-m", "providers.local", "--fire", "nope"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unknown.returncode == 2
    assert "no schedule named 'nope'; schedules:" in unknown.stderr


def test_without_the_reloader_an_app_that_cannot_load_stops_the_command(tmp_path: Path) -> None:
    (tmp_path / "broken_here").mkdir()
    (tmp_path / "broken_here" / "__init__.py").write_text("")
    (tmp_path / "broken_here" / "hello.py").write_text("def hello(:\n")
    done = subprocess.run(
        [sys.executable, "-m", "providers.local", "--no-reload", "--port", "0", "--package", "broken_here"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}:{ROOT}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "hello.py, line 1: SyntaxError: " in done.stderr
