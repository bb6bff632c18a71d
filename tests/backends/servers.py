"""Loopback servers the data tests talk to, each started and stopped by the tests.

moto (S3, DynamoDB) and gcp-storage-emulator run in threads of the test process; the
Firestore emulator is the npm package @firestore-emulator/server on Node.
"""

from __future__ import annotations

import contextlib
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


@contextmanager
def _serving(server: Any, port: int) -> Iterator[str]:
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def moto_server() -> contextlib.AbstractContextManager[str]:
    """An S3 + DynamoDB endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    return _serving(ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False), port)


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
