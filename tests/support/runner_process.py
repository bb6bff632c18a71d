"""The local runner as a process on a free loopback port, for tests that call it as a user's tools would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.backends.servers import free_port, wait_listening
from tests.conftest import ROOT


@contextmanager
def running_runner(
    project: Path, state: Path, package: str = "functions", *options: str, reload: bool = False
) -> Iterator[str]:
    """`python -m providers.local` serving `package` of `project` on its own state, with `options` (and under its
    reloader, with `reload`); yields its base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{project}:{ROOT}", "PORTABLE_LOCAL_DIR": str(state)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "providers.local",
            "--port",
            str(port),
            *([] if reload else ["--no-reload"]),
            "--no-schedules",
            "--package",
            package,
            *options,
        ],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_listening(process, port, "the runner")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        output = process.communicate(timeout=60)[0].decode()
    assert process.returncode == 0, output
