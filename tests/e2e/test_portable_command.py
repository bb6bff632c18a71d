"""The `portable` command as a process: `python -m portable`, a new app passing its own tests on every target, and
`portable dev` serving an app with its state folder. The commands in-process are in tests/unit/providers/cli/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from providers.cli.scaffold import framework_version, scaffold
from tests.backends.servers import free_port, wait_listening
from tests.conftest import ROOT


def test_python_m_portable_is_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "portable", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == f"portable {framework_version()}\n"


@pytest.mark.slow
def test_a_new_app_passes_its_own_tests_on_every_target(tmp_path: Path) -> None:
    """The scaffold's test, with this checkout on the path instead of an installed framework."""
    scaffold(tmp_path / "app")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PORTABLE_LOCAL_DIR")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "providers.testing.plugin", "-p", "no:cacheprovider"],
        cwd=tmp_path / "app",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
    assert not (tmp_path / "app" / ".portable").exists(), "the test kit keeps its data elsewhere"


@pytest.mark.slow
def test_dev_serves_the_app_with_its_state_folder(tmp_path: Path) -> None:
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name != "PORTABLE_LOCAL_DIR"}
    env["PYTHONPATH"] = str(ROOT)  # as if installed; it runs from a folder inside the project
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "portable",
            "dev",
            "--port",
            str(port),
            "--state",
            str(tmp_path),
            "--no-schedules",
            "--debug",
        ],
        cwd=ROOT / "functions",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_listening(process, port, "portable dev")
        reply = requests.post(f"http://127.0.0.1:{port}/hello", json={"name": "Dev"}, timeout=10)
        assert reply.json() == {"message": "Hello, Dev!"}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert b" hello http POST /hello -> 200 (" in output, "its line on the console"
    assert (tmp_path / "tables" / "greetings.sqlite3").is_file(), "its data in --state"


@pytest.mark.parametrize("command", [["portable", "dev"], ["providers.local"]])
def test_dev_outside_an_app_exits_at_once_naming_what_is_missing(tmp_path: Path, command: list[str]) -> None:
    """In a folder with no Pulumi.yaml here or above (the issue: `cd "$(mktemp -d)/.." && portable dev`), nothing is
    served or watched: the command says so and exits 2."""
    nowhere = tmp_path / "not-an-app"
    (nowhere / "functions").mkdir(parents=True)  # a functions/ alone is no app
    assert not any((folder / "Pulumi.yaml").exists() for folder in (nowhere, *nowhere.parents))
    done = subprocess.run(
        [sys.executable, "-m", *command, "--port", str(free_port())],
        cwd=nowhere,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"error: no Pulumi.yaml in {nowhere} or any folder above it, so there is no app here for `portable dev`: run "
        "it in your app's folder (the one holding Pulumi.yaml and functions/), or make an app with `portable new DIR`\n"
    )
