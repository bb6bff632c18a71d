"""A loopback stand-in for the Lambda Runtime API, which a Lambda runtime polls for its events.

The runtime (here the official Runtime Interface Client, awslambdaric) asks
GET /2018-06-01/runtime/invocation/next for an event, and posts the handler's result to
/2018-06-01/runtime/invocation/{id}/response or its failure to .../{id}/error; a handler that
cannot even load is posted to /2018-06-01/runtime/init/error.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PREFIX = "/2018-06-01/runtime"


@dataclass(frozen=True)
class Outcome:
    """What the runtime posted for one invocation: `response` or `error`, and the JSON body."""

    kind: str
    body: Any


class RuntimeApi:
    def __init__(self, function_arn: str) -> None:
        self.function_arn = function_arn
        self.events: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.outcomes: queue.Queue[tuple[str, Outcome]] = queue.Queue()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path != f"{PREFIX}/invocation/next":
                    return self._reply(404, b'{"errorType": "NotFound"}')
                request_id, body = api.events.get()
                deadline = int((time.time() + 60) * 1000)
                return self._reply(
                    200,
                    body,
                    {
                        "Lambda-Runtime-Aws-Request-Id": request_id,
                        "Lambda-Runtime-Deadline-Ms": str(deadline),
                        "Lambda-Runtime-Invoked-Function-Arn": api.function_arn,
                        "Lambda-Runtime-Trace-Id": f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Sampled=0",
                    },
                )

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = self.path.removeprefix(PREFIX + "/").split("/")
                if parts == ["init", "error"]:
                    api.outcomes.put(("init", Outcome("init-error", json.loads(body or b"null"))))
                elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                    api.outcomes.put((parts[1], Outcome(parts[2], json.loads(body or b"null"))))
                else:
                    return self._reply(404, b'{"errorType": "NotFound"}')
                return self._reply(202, b'{"status": "OK"}')

            def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the runtime's own output is what a failing test shows."""

        return Handler


class LambdaRuntime:
    """A runtime process of one function and the Runtime API it polls."""

    def __init__(self, api: RuntimeApi, process: subprocess.Popen[bytes], log: Path) -> None:
        self.api = api
        self.process = process
        self.log = log

    def invoke(self, event: dict[str, Any]) -> Outcome:
        """Hand `event` to the runtime and wait for what it posts back."""
        request_id = str(uuid.uuid4())
        self.api.events.put((request_id, json.dumps(event).encode()))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                posted_for, outcome = self.api.outcomes.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    raise AssertionError(f"the runtime exited ({self.process.returncode}):\n{self.output()}") from None
                continue
            if posted_for in (request_id, "init"):
                return outcome
        raise AssertionError(f"no reply to invocation {request_id} within 60 s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text()


@contextmanager
def lambda_runtime(
    command: list[str], task_root: Path, environment: dict[str, str], function_arn: str, log: Path
) -> Iterator[LambdaRuntime]:
    """Run `command` (the runtime) in `task_root` with `environment`, polling a fresh Runtime API on loopback."""
    api = RuntimeApi(function_arn)
    threading.Thread(target=api.server.serve_forever, daemon=True).start()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=task_root,
            env={**environment, "AWS_LAMBDA_RUNTIME_API": api.address},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        yield LambdaRuntime(api, process, log)
    finally:
        process.terminate()
        process.wait(timeout=10)
        api.server.shutdown()
        api.server.server_close()
