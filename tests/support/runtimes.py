"""What the archive tests share: published payloads, unpacking, and the real runtimes the archives run under.

A real runtime is a CPython of the stack's version (on PATH or installed by pyenv) and a
virtualenv of it holding what the cloud installs. Virtualenvs are kept under
.portable/cache/runtimes/, named by the interpreter and the exact requirements (which come
from requirements.lock), so a change of the lock makes a new one and repeated runs are fast.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from portable.app import ResourceSpec
from portable.context import physical_name_variable
from providers.deploy.bytecode import find_interpreter
from providers.deploy.packaging import DEFAULT_CACHE_DIR
from providers.installer import uv_binary
from tests.backends.fixtures import Backend, point_environment, provider_clients
from tests.conftest import FIXTURES
from tests.support.mocks import Deployment

_COMPLETE_MARKER = ".portable-complete"
_ZONE_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
import zoneinfo
for key in ("UTC", "Europe/Berlin"):
    try:
        zoneinfo.ZoneInfo(key)
        print(key)
    except zoneinfo.ZoneInfoNotFoundError:
        pass
"""


def fixture(path: str) -> dict[str, Any]:
    """A published payload from tests/fixtures/."""
    return dict(json.loads((FIXTURES / path).read_text()))


def unpack(archive: Path, into: Path) -> Path:
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(into)
    return into


@dataclass(frozen=True)
class Provisioned:
    """Fresh physical resources for a stack: by logical name, and by the variable that names each to a function.

    The variables replace the mocks' physical names in a function's environment, so runs never share data.
    """

    physical: dict[str, str]
    variables: dict[str, str]

    def renamed(self, deployed: dict[str, str]) -> dict[str, str]:
        """A function's environment as the deploy set it, naming these resources instead."""
        return {key: self.variables.get(key, value) for key, value in deployed.items()}


def on_loopback(
    provider: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    deployment: Deployment,
    **environment: str,
) -> Provisioned:
    """`provider`'s clients in this process on the loopback servers (with `environment` set), and fresh
    physical resources for every bucket, table, queue and topic of the stack."""
    point_environment(provider, request, monkeypatch)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    backend = Backend(provider, provider_clients(provider), monkeypatch)
    variables: dict[str, str] = {}
    for kind in ("bucket", "table"):
        for name in deployment.outputs[f"{kind}s"]:
            spec = ResourceSpec(kind, name)  # type: ignore[arg-type]
            variables[physical_name_variable(spec)] = backend.provision(spec)
    for variable in message_variables(deployment):
        kind, _, name = variable.removeprefix("PORTABLE_").partition("_")
        spec = ResourceSpec(kind.lower(), name.lower().replace("_", "-"))  # type: ignore[arg-type]
        variables[variable] = backend.provision(spec)
    return Provisioned(backend.created, variables)


def message_variables(deployment: Deployment) -> set[str]:
    """The variables naming a queue or topic in any function's environment."""
    found = set()
    for resource in deployment.resources:
        inputs = resource.inputs
        variables = (inputs.get("environment") or {}).get("variables") or (
            (inputs.get("serviceConfig") or {}).get("environmentVariables") or {}
        )
        found |= {name for name in variables if name.startswith(("PORTABLE_QUEUE_", "PORTABLE_TOPIC_"))}
    return found


def interpreter(version: str) -> Path:
    """A working CPython `version` ("3.12"), or a skip that says none was found."""
    found = find_interpreter(version)
    if found is None:
        pytest.skip(f"CPython {version}, the stack's runtime, is not installed here (not on PATH, not under pyenv)")
    return found


def cached_venv(python: Path, requirements: str, cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """A virtualenv of `python` into which uv installed `requirements` (requirements.txt text), as a cloud does."""
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version)"], capture_output=True, text=True, check=True
    ).stdout
    key = hashlib.sha256(json.dumps(["uv", str(python), version, requirements]).encode()).hexdigest()[:24]
    venv = cache_dir / "runtimes" / key
    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other test worker may be making the same one
        if not (venv / _COMPLETE_MARKER).exists():
            shutil.rmtree(venv, ignore_errors=True)
            uv = uv_binary()
            assert uv is not None, "the project's environment holds uv (requirements-dev.txt)"
            subprocess.run([uv, "venv", "--quiet", "--no-config", "--python", python, venv], check=True)
            (venv / "requirements.txt").write_text(requirements)
            subprocess.run(
                [
                    uv,
                    "pip",
                    "install",
                    "--quiet",
                    "--no-config",
                    "--python",
                    venv / "bin" / "python",
                    "-r",
                    venv / "requirements.txt",
                ],
                check=True,
            )
            (venv / _COMPLETE_MARKER).touch()
    return venv


def without_zone_data(python: list[str], archive: Path) -> dict[str, str]:
    """Variables under which `python` (with the unpacked `archive` first on its path) finds no time zone data:
    no system files, no tzdata package.

    Checked here, so that a function that runs under them is proven not to need zone data.
    """
    empty = archive.parent / "no-zoneinfo"
    empty.mkdir(exist_ok=True)
    variables = {"PYTHONTZPATH": str(empty)}
    probe = subprocess.run(
        [*python, "-c", _ZONE_PROBE, str(archive)],
        env={"PATH": os.environ.get("PATH", ""), **variables},
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.split() == [], f"{python[0]} still finds time zone data: {probe.stdout}"
    return variables


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
    raise AssertionError(f"nothing listened on port {port} within 30 s: {log.read_text()}")
