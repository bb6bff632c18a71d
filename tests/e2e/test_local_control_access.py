"""The control endpoints of a runner listening beyond this machine (`--host 0.0.0.0`), as processes: off by
default, and with `--expose-control` open to the token the reloader prints, the same token across a reload, to a
caller on another address too (this machine's own non-loopback address stands in for another machine)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from providers.cli.scaffold import scaffold
from tests.backends.servers import free_port, wait_listening
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
TOKEN_LINE = re.compile(r"any caller sending: Authorization: Bearer (\S+)")


def own_address() -> str | None:
    """This machine's address on its default route (no packet is sent), if it has one besides loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address


@pytest.fixture()
def runner(tmp_path: Path) -> Iterator[Callable[..., tuple[int, Callable[[], str]]]]:
    scaffold(tmp_path / "app")
    started: list[subprocess.Popen[str]] = []
    log = tmp_path / "runner.log"

    def start(*options: str) -> tuple[int, Callable[[], str]]:
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTABLE_LOCAL_DIR": str(tmp_path / "state")}
        command = [sys.executable, "-m", "providers.local", "--host", "0.0.0.0", "--port", str(port), *options]
        with log.open("w") as output:
            process = subprocess.Popen(command, cwd=tmp_path / "app", env=env, stdout=output, stderr=output, text=True)
        started.append(process)
        wait_listening(process, port, "the runner")  # type: ignore[arg-type]
        return port, log.read_text

    yield start
    for process in started:
        process.terminate()
        assert process.wait(timeout=60) == 0, log.read_text()


def until_logged(read: Callable[[], str], pattern: re.Pattern[str], count: int = 1) -> list[str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = pattern.findall(read())
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{pattern.pattern!r} not logged {count} times:\n{read()}")


def test_beyond_this_machine_the_control_endpoints_are_off_and_the_app_is_served(runner: Callable[..., Any]) -> None:
    port, read = runner()
    until_logged(read, re.compile(r"dashboard: off"))
    base = f"http://127.0.0.1:{port}"
    refused = requests.post(f"{base}/__portable/token?subject=a", timeout=30)
    assert refused.status_code == 404 and "--expose-control" in refused.json()["error"]
    assert requests.get(f"{base}/__portable/", timeout=30).status_code == 404, "the dashboard is off too"
    assert requests.post(f"{base}/hello", json={"name": "Ada"}, timeout=30).json() == {"message": "Hello, Ada!"}


def test_exposed_control_answers_the_printed_token_from_another_address_across_a_reload(
    runner: Callable[..., Any], tmp_path: Path
) -> None:
    address = own_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    port, read = runner("--expose-control")
    token = until_logged(read, TOKEN_LINE)[0]
    url = f"http://{address}:{port}/__portable/dead-letters"
    assert requests.get(url, timeout=30).status_code == 403
    assert requests.get(url, headers={"Authorization": "Bearer guess"}, timeout=30).status_code == 403
    (tmp_path / "app" / "functions" / "hello.py").write_text(
        (tmp_path / "app" / "functions" / "hello.py").read_text() + "\n# edited\n"
    )
    assert until_logged(read, TOKEN_LINE, count=2) == [token, token]  # the reloaded server prints the same token
    listed = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert (listed.status_code, listed.json()) == (200, {"dead_letters": []})
    dashboard = f"http://{address}:{port}/__portable/app"
    assert requests.get(dashboard, timeout=30).status_code == 403
    described = requests.get(dashboard, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert described.status_code == 200 and "functions" in described.json()
