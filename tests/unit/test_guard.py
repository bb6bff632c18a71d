"""The unit tier's guard (tests/unit/conftest.py) refuses every way of starting a process or listening on a socket,
and lets unix sockets through."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import socket
import subprocess
import tempfile
from collections.abc import Callable

import pytest

from tests.unit.conftest import GUARD, MOVE, UnitTierViolation


def refused(attempt: Callable[[], object]) -> str:
    """What the guard said when `attempt` tried; the violation is then forgiven, so that this test passes."""
    with pytest.raises(UnitTierViolation) as caught:
        attempt()
    assert GUARD.violations == [str(caught.value)]
    GUARD.violations.clear()
    return str(caught.value)


def fork() -> None:
    if os.fork() == 0:  # only if the guard let it through: the child leaves at once
        os._exit(0)


def spawn() -> None:
    os.waitpid(os.posix_spawn("/bin/true", ["true"], dict(os.environ)), 0)


def start_process() -> None:
    process = multiprocessing.get_context("spawn").Process(target=print)
    process.start()
    process.join()


@pytest.mark.parametrize(
    ("attempt", "named"),
    [
        (lambda: subprocess.run(["true"], check=True), "started a process (subprocess)"),
        (lambda: subprocess.Popen(["true"]).wait(), "started a process (subprocess)"),
        (fork, "started a process (os.fork)"),
        (spawn, "started a process (os.posix_spawn)"),
        (lambda: os.system("true"), "started a process (os.system)"),
        (start_process, "started a process (multiprocessing)"),
    ],
    ids=["subprocess.run", "subprocess.Popen", "os.fork", "os.posix_spawn", "os.system", "multiprocessing"],
)
def test_starting_a_process_is_refused_naming_where_the_test_belongs(attempt: Callable[[], object], named: str) -> None:
    message = refused(attempt)
    assert named in message and MOVE in message


def test_listening_on_a_network_socket_is_refused() -> None:
    with socket.socket() as bound:
        assert "bound a socket to ('127.0.0.1', 0)" in refused(lambda: bound.bind(("127.0.0.1", 0)))
    with socket.socket() as unbound:  # listen() alone binds an ephemeral port
        assert "listened on a socket" in refused(unbound.listen)


def test_a_grpc_server_is_refused() -> None:
    import grpc

    assert "started a gRPC server" in refused(lambda: grpc.server(None))


def test_a_unix_socket_and_a_connecting_client_are_allowed() -> None:
    with (
        tempfile.TemporaryDirectory() as folder,  # a short path: unix socket paths are at most ~100 bytes
        socket.socket(socket.AF_UNIX) as server,
        socket.socket(socket.AF_UNIX) as client,
    ):
        server.bind(f"{folder}/s")
        server.listen()
        client.connect(f"{folder}/s")
    assert GUARD.violations == []


def test_a_violation_the_code_under_test_hides_still_fails_the_test() -> None:
    # A phase of a unit test, whose code catches everything, as careless code under test might.
    with pytest.raises(pytest.fail.Exception, match=MOVE), GUARD.arming(), contextlib.suppress(BaseException):
        subprocess.run(["true"], check=True)
    assert GUARD.armed and GUARD.violations == []
