"""Loopback servers the data tests talk to, each started and stopped by the tests.

moto (S3, DynamoDB) and gcp-storage-emulator run in threads of the test process; the
Firestore emulator is the npm package @firestore-emulator/server on Node; Pub/Sub is the stand-in of
pubsub_standin.py, in a thread too, unless PORTABLE_PUBSUB_EMULATOR=google asks for Google's emulator.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_listening(process: subprocess.Popen[bytes], port: int, what: str, timeout: float = 30) -> None:
    """Return once `process` accepts connections on loopback `port`; RuntimeError with its output if it exits
    or is still not listening after `timeout` seconds (then it is stopped)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{output}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{what} did not start listening within {timeout:.0f} s")


@contextmanager
def _serving(server: Any, port: int) -> Iterator[str]:
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def moto_server() -> contextlib.AbstractContextManager[str]:
    """An S3 + DynamoDB endpoint URL."""
    port = free_port()
    return _serving(_atomic_writes_moto_server(port), port)


def _atomic_writes_moto_server(port: int) -> Any:
    """moto's threaded server, with DynamoDB's writes one at a time.

    DynamoDB applies each write to an item atomically (an `ADD` never loses a concurrent one);
    moto's backend does not lock, so under its threaded server two increments can read the same
    value. Serialising the write calls gives back the guarantee the contract tests rely on.
    """
    import threading

    from moto.moto_server.threaded_moto_server import MotoRequestHandler, ThreadedMotoServer
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    writes = threading.Lock()
    serialised = {f"DynamoDB_20120810.{action}" for action in ("PutItem", "UpdateItem", "DeleteItem")}

    class AtomicWrites:
        def __init__(self, app: Any) -> None:
            self.app = app

        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            if environ.get("HTTP_X_AMZ_TARGET") not in serialised:
                return self.app(environ, start_response)
            with writes:
                return list(self.app(environ, start_response))

    class Server(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = AtomicWrites(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
            self._server_ready_event.set()
            self._server.serve_forever()

    return Server(ip_address="127.0.0.1", port=port, verbose=False)


def storage_emulator() -> contextlib.AbstractContextManager[str]:
    """A Cloud Storage endpoint (host:port, as STORAGE_EMULATOR_HOST wants it with http://)."""
    from gcp_storage_emulator.server import create_server

    port = free_port()
    return _serving(create_server("127.0.0.1", port, in_memory=True), port)


@contextmanager
def firestore_emulator() -> Iterator[str]:
    """A Firestore gRPC endpoint host:port (FIRESTORE_EMULATOR_HOST)."""
    node = shutil.which("node")
    script = ROOT / "tests" / "backends" / "firestore_emulator.js"
    if node is None or not (ROOT / "node_modules" / "@firestore-emulator" / "server").is_dir():
        raise RuntimeError("the Firestore emulator needs Node.js and `npm ci` in the project root (./dev test does it)")
    process = subprocess.Popen([node, str(script), "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("listening "):
            raise RuntimeError(f"the Firestore emulator did not start (said {line!r})")
        yield f"127.0.0.1:{line.split()[1]}"
    finally:
        process.terminate()
        process.wait(timeout=10)


PUBSUB_EMULATOR = Path("/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator")


@contextmanager
def pubsub_emulator() -> Iterator[str]:
    """A Pub/Sub endpoint host:port (PUBSUB_EMULATOR_HOST): the stand-in of tests/backends/pubsub_standin.py, or,
    with PORTABLE_PUBSUB_EMULATOR=google, Google's emulator from the Google Cloud CLI's apt package
    google-cloud-cli-pubsub-emulator (Java)."""
    choice = os.environ.get("PORTABLE_PUBSUB_EMULATOR", "")
    if choice not in ("", "google"):
        raise RuntimeError(f"PORTABLE_PUBSUB_EMULATOR={choice!r}: unset for the stand-in, or 'google'")
    if not choice:
        from tests.backends import pubsub_standin

        with pubsub_standin.serving() as host:
            yield host
        return
    emulator = shutil.which("cloud-pubsub-emulator") or (str(PUBSUB_EMULATOR) if PUBSUB_EMULATOR.exists() else None)
    if emulator is None or shutil.which("java") is None:
        raise RuntimeError(
            "the Pub/Sub emulator needs Java and the package google-cloud-cli-pubsub-emulator "
            "(apt-get install google-cloud-cli-pubsub-emulator openjdk-17-jre-headless)"
        )
    port = free_port()
    process = subprocess.Popen(
        [emulator, "--host=127.0.0.1", f"--port={port}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_listening(process, port, "the Pub/Sub emulator", timeout=60)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
