"""From nothing to a served, tested and previewed app, as a new user gets there: install this checkout into
a virtualenv, `portable new` an app outside this repository, run the app's own `./dev test` (which makes the
app's .venv from its pinned requirements), serve hello with `./dev serve` on a loopback port, edit hello while it
serves and get the new reply without a restart, and preview both stacks. Each step is timed; the timings are
printed and recorded as the test's properties.

The framework's virtualenv (with the deploy extra and pytest) is cached under .portable/cache/, keyed by the
project's requirements; each run reinstalls the framework itself into it from this checkout.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from providers.installer import uv_binary
from tests.backends.servers import free_port, wait_listening
from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

TEMPLATE = ROOT / "providers" / "cli" / "template"
KEYED_BY = [ROOT / "pyproject.toml", TEMPLATE / "requirements.txt.tmpl", TEMPLATE / "requirements-dev.txt.tmpl"]


class Steps:
    """Runs commands as a user would, each with a deadline, and keeps how long each step took."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.env = {
            name: value
            for name, value in os.environ.items()
            if name not in ("PORTABLE_LOCAL_DIR", "PYTHONPATH", "VIRTUAL_ENV")
        }

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        start = time.monotonic()
        yield
        self.seconds[step] = round(time.monotonic() - start, 1)

    def run(self, step: str, command: list[str], cwd: Path, timeout: float) -> str:
        with self.timed(step):
            done = subprocess.run(
                command, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
            )
        assert done.returncode == 0, f"{step}: {' '.join(command)}\n{done.stdout}\n{done.stderr}"
        return done.stdout


def framework_venv(steps: Steps) -> Path:
    """A virtualenv holding this checkout with the deploy extra, and pytest: made once per requirements."""
    key = hashlib.sha256(b"".join(path.read_bytes() for path in KEYED_BY) + sys.version.encode()).hexdigest()[:16]
    venv = ROOT / ".portable" / "cache" / f"e2e-venv-{key}"
    uv = uv_binary()
    assert uv is not None, "the project's environment holds uv (requirements-dev.txt)"
    install = [uv, "pip", "install", "--quiet", "--no-config", "--python", str(venv / "bin" / "python")]
    if not (venv / ".complete").exists():
        for stale in venv.parent.glob("e2e-venv-*"):
            shutil.rmtree(stale)
        steps.run(
            "make the framework's venv (first run only)",
            [uv, "venv", "--quiet", "--no-config", "--python", sys.executable, str(venv)],
            ROOT,
            120,
        )
        steps.run(
            "install the framework's dependencies (first run only)", [*install, f"{ROOT}[deploy]", "pytest"], ROOT, 600
        )
        (venv / ".complete").touch()
    leftovers = [ROOT / "build", ROOT / "portable_serverless.egg-info"]  # what building from the checkout writes
    existing = [path for path in leftovers if path.exists()]
    steps.run("install this checkout", [*install, "--no-deps", "--reinstall", str(ROOT)], ROOT, 300)
    for path in leftovers:
        if path not in existing:
            shutil.rmtree(path, ignore_errors=True)
    return venv


def until_reply(url: str, expected: object, timeout: float) -> bool:
    """Whether POST `url` answers `expected` within `timeout` seconds (the reloader's new server takes over)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if requests.post(url, json={"name": "Ada"}, timeout=10).json() == expected:
            return True
        time.sleep(0.05)
    return False


def test_a_new_app_from_nothing(tmp_path: Path, record_property: pytest.RecordProperty) -> None:
    steps = Steps()
    venv = framework_venv(steps)
    steps.run("portable new", [str(venv / "bin" / "portable"), "new", "notes"], tmp_path, 60)
    app = tmp_path / "notes"
    assert f"portable-serverless @ {ROOT.as_uri()}" in (app / "requirements-dev.txt").read_text()

    tested = steps.run(
        "./dev test (first run: makes .venv)", ["./dev", "test", "-q", "-p", "no:cacheprovider"], app, 600
    )
    assert "3 passed" in tested, tested
    tested = steps.run("./dev test (again)", ["./dev", "test", "-q", "-p", "no:cacheprovider"], app, 120)
    assert "3 passed" in tested, tested

    port = free_port()
    url = f"http://127.0.0.1:{port}/hello"
    server = subprocess.Popen(
        ["./dev", "serve", "--port", str(port), "--no-schedules"],
        cwd=app,
        env=steps.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        with steps.timed("./dev serve until POST /hello answers"):
            wait_listening(server, port, "./dev serve", timeout=60)
            reply = requests.post(url, json={"name": "Ada"}, timeout=10)
        assert reply.json() == {"message": "Hello, Ada!"}
        hello = app / "functions" / "hello.py"
        with steps.timed("edit hello.py until POST /hello answers the new reply"):
            hello.write_text(hello.read_text().replace('f"Hello, {name}!"', 'f"Hi, {name}!"'))
            reloaded = until_reply(url, {"message": "Hi, Ada!"}, timeout=60)
        assert reloaded, "the edit was not served within 60 s"
    finally:
        server.terminate()
        output = server.communicate(timeout=60)[0].decode()
    assert "Portable local: functions/hello.py changed, reloading" in output, output

    portable = str(venv / "bin" / "portable")
    shown = steps.run("portable preview --stack aws", [portable, "preview", "--stack", "aws"], app, 300)
    assert "aws:lambda/function:Function  hello" in shown and "routeKey: POST /hello" in shown
    preview = json.loads(
        steps.run(
            "portable preview --stack gcp --json",
            [portable, "preview", "--stack", "gcp", "--json", "-c", "gcp:project=demo-project"],
            app,
            300,
        )
    )
    types = {resource["type"] for resource in preview["resources"]}
    assert {"gcp:cloudfunctionsv2/function:Function", "gcp:apigateway/gateway:Gateway"} <= types
    [archive] = (app / ".portable" / "build" / "aws").glob("hello-*.zip")
    names = zipfile.ZipFile(archive).namelist()
    assert {"providers/aws/runtime.py", "portable/__init__.py", "functions/hello.py"} <= set(names)
    assert not [name for name in names if name.startswith((".venv/", "providers/gcp/", "providers/deploy/"))]
    [archive] = (app / ".portable" / "build" / "gcp").glob("hello-*.zip")
    names = zipfile.ZipFile(archive).namelist()
    assert {"main.py", "requirements.txt", "providers/gcp/runtime.py", "functions/hello.py"} <= set(names)
    assert not [name for name in names if name.startswith((".venv/", "providers/aws/", "providers/deploy/"))]

    for step, seconds in steps.seconds.items():
        record_property(step, seconds)
    print("\n".join(f"{seconds:7.1f} s  {step}" for step, seconds in steps.seconds.items()))
