"""The unit tier's rule, enforced: a unit test starts no process and listens on no socket (unix sockets aside).

While a test of tests/unit is set up, runs and is torn down (fixtures of every scope included, and any thread it
starts), starting a process (`subprocess`, `os.fork`, `os.posix_spawn`, `os.system`, `multiprocessing`) or
listening on a socket (`bind` or `listen` of a socket that is not a unix socket, a gRPC server) raises
`UnitTierViolation`, which says where the test belongs. A violation the code under test catches and hides still
fails the test when it ends. The guard is installed by the hooks below, so that it also covers the session and
module fixtures a unit test sets up, which an autouse fixture would come too late for.
"""

from __future__ import annotations

import multiprocessing.process
import os
import socket
import subprocess
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import croniter  # noqa: F401  (its import runs `file` through platform.architecture(): done here, unguarded)
import pytest

MOVE = "move this test to tests/integration or tests/e2e"


class UnitTierViolation(BaseException):
    """A unit test started a process or listened on a socket. A BaseException, so that `except Exception` in the
    code under test does not swallow it."""


class Guard:
    """The patches, installed once per test process and armed only while a unit test runs."""

    def __init__(self) -> None:
        self.armed = False
        self.violations: list[str] = []
        self._lock = threading.Lock()

    def refuse(self, what: str) -> None:
        if not self.armed:
            return
        message = f"a unit test {what}: {MOVE} (tests/unit starts no process and listens on no socket)"
        with self._lock:
            self.violations.append(message)
        raise UnitTierViolation(message)

    @contextmanager
    def arming(self) -> Iterator[None]:
        """Armed within; a violation that was caught and hidden fails the phase when it ends."""
        was_armed, self.armed, self.violations = self.armed, True, []
        try:
            yield
        finally:
            self.armed = was_armed
        if self.violations:
            hidden, self.violations = self.violations, []
            pytest.fail("\n".join(hidden), pytrace=False)

    def install(self) -> None:
        def refusing(original: Callable[..., Any], what: str) -> Callable[..., Any]:
            def guarded(*args: Any, **kwargs: Any) -> Any:
                self.refuse(what)
                return original(*args, **kwargs)

            return guarded

        subprocess.Popen._execute_child = refusing(  # type: ignore[attr-defined]
            subprocess.Popen._execute_child,  # type: ignore[attr-defined]
            "started a process (subprocess)",
        )
        for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system"):
            if hasattr(os, name):
                setattr(os, name, refusing(getattr(os, name), f"started a process (os.{name})"))
        multiprocessing.process.BaseProcess.start = refusing(  # type: ignore[method-assign]
            multiprocessing.process.BaseProcess.start, "started a process (multiprocessing)"
        )
        bind, listen = socket.socket.bind, socket.socket.listen

        def guarded_bind(sock: socket.socket, address: Any) -> None:
            if sock.family != socket.AF_UNIX:
                self.refuse(f"bound a socket to {address!r}")
            bind(sock, address)

        def guarded_listen(sock: socket.socket, *backlog: int) -> None:
            if sock.family != socket.AF_UNIX:
                self.refuse("listened on a socket")
            listen(sock, *backlog)

        socket.socket.bind = guarded_bind  # type: ignore[method-assign]
        socket.socket.listen = guarded_listen  # type: ignore[method-assign]
        try:  # gRPC servers listen from C, past the socket module
            import grpc
            import grpc.aio
        except ImportError:
            return
        grpc.server = refusing(grpc.server, "started a gRPC server")
        grpc.aio.server = refusing(grpc.aio.server, "started a gRPC server")


GUARD = Guard()
GUARD.install()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    with GUARD.arming():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    with GUARD.arming():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    with GUARD.arming():
        return (yield)
