"""A loopback stand-in for Google Secret Manager's REST API (v1), for google-cloud-secret-manager's REST transport.

No emulator of Secret Manager installs from a registry here, so this speaks the few calls Portable and its tests
make, in the shapes the client library sends and parses:

- `POST /v1/projects/{project}/secrets?secretId={id}`: create a secret (409 if it exists);
- `POST /v1/projects/{project}/secrets/{id}:addVersion` with `{"payload": {"data": base64}}`: a new version;
- `GET /v1/projects/{project}/secrets/{id}/versions/{version|latest}:access`: the version's payload.

Errors use Google's JSON error shape, so the client raises its own NotFound, AlreadyExists, etc.
What it does not do: IAM (every caller may read every secret), version states (disable, destroy),
replication, checksums, etags, and any other method of the API.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_SECRETS = re.compile(r"/v1/(projects/[^/]+)/secrets")
_ADD_VERSION = re.compile(r"/v1/(projects/[^/]+/secrets/[^/:]+):addVersion")
_ACCESS = re.compile(r"/v1/(projects/[^/]+/secrets/[^/]+)/versions/([^/:]+):access")
_STATUS = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 409: "ALREADY_EXISTS"}


class _Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.versions: dict[str, list[bytes]] = {}  # secret name -> the payloads of its versions 1, 2, ...


class _Handler(BaseHTTPRequestHandler):
    store: _Store

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test output is not the place for an access log."""

    def _reply(self, status: int, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._reply(status, {"error": {"code": status, "message": message, "status": _STATUS[status]}})

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        document: dict[str, Any] = json.loads(self.rfile.read(length) or b"{}")
        return document

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        body = self._body()
        with self.store.lock:
            if (match := _ADD_VERSION.fullmatch(path)) is not None:
                name = match[1]
                if name not in self.store.versions:
                    return self._error(404, f"Secret [{name}] not found.")
                data = base64.b64decode(body.get("payload", {}).get("data", ""))
                self.store.versions[name].append(data)
                return self._reply(
                    200, {"name": f"{name}/versions/{len(self.store.versions[name])}", "state": "ENABLED"}
                )
            if (match := _SECRETS.fullmatch(path)) is not None:
                secret_id = dict(part.split("=", 1) for part in query.split("&") if "=" in part).get("secretId")
                if not secret_id:
                    return self._error(400, "secretId is required")
                name = f"{match[1]}/secrets/{secret_id}"
                if name in self.store.versions:
                    return self._error(409, f"Secret [{name}] already exists.")
                self.store.versions[name] = []
                return self._reply(200, {"name": name, "replication": {"automatic": {}}})
        return self._error(404, f"no method at {path}")

    def do_GET(self) -> None:
        match = _ACCESS.fullmatch(self.path.partition("?")[0])
        if match is None:
            return self._error(404, f"no method at {self.path}")
        name, version = match[1], match[2]
        with self.store.lock:
            versions = self.store.versions.get(name)
            if versions is None:
                return self._error(404, f"Secret [{name}] not found or has no versions.")
            number = len(versions) if version == "latest" else int(version) if version.isdigit() else 0
            if not 1 <= number <= len(versions):
                return self._error(404, f"Secret Version [{name}/versions/{version}] not found.")
            data = versions[number - 1]
        self._reply(200, {"name": f"{name}/versions/{number}", "payload": {"data": base64.b64encode(data).decode()}})


@contextmanager
def secret_manager_server() -> Iterator[str]:
    """A Secret Manager endpoint host:port on loopback (SECRET_MANAGER_EMULATOR_HOST)."""
    handler = type("Handler", (_Handler,), {"store": _Store()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
