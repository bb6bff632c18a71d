"""Send one HTTP call through every target and read back what came out, in one shape.

Targets: the AWS shim with an API Gateway 2.0 event and with a REST (1.0) event, the
GCP shim through functions-framework's test client and through a real
`functions-framework` process on a loopback port, and the local runner.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import subprocess
import sys
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from tests.backends.servers import free_port, wait_listening
from tests.conftest import aws_handler

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "main.py"


@dataclass
class HttpCall:
    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    client_ip: str = "203.0.113.7"

    def all_headers(self) -> list[tuple[str, str]]:
        extra = [("X-Forwarded-For", self.client_ip)]
        if self.cookies:
            extra.append(("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies)))
        return self.headers + extra


@dataclass
class Result:
    status: int
    headers: dict[str, list[str]]
    cookies: list[str]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return ",".join(values) if values else None


@contextlib.contextmanager
def function_env(function: str, module: str, **extra: str) -> Generator[None, None, None]:
    """Within the block, the environment of one deployed function on local data."""
    wanted = {"PORTABLE_FUNCTION": function, "PORTABLE_MODULE": module, "PORTABLE_PROVIDER": "local", **extra}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in wanted.items():
            patch.setenv(name, value)
        yield


def invoke_aws(event: Any, function: str, module: str, **env: str) -> Any:
    with function_env(function, module, **env):
        return aws_handler(event, None)


def _body_fields(body: bytes) -> dict[str, Any]:
    if not body:
        return {"isBase64Encoded": False}
    try:
        return {"body": body.decode("utf-8"), "isBase64Encoded": False}
    except UnicodeDecodeError:
        return {"body": base64.b64encode(body).decode(), "isBase64Encoded": True}


def v2_event(call: HttpCall, path_params: dict[str, str] | None) -> dict[str, Any]:
    headers: dict[str, str] = {}
    for name, value in [*call.headers, ("x-forwarded-for", call.client_ip)]:
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "ANY /{path+}",
        "rawPath": quote(call.path, safe="/ !$&'()*+,;=:@"),
        "rawQueryString": urlencode(call.query),
        "headers": headers,
        "requestContext": {
            "http": {"method": call.method, "path": call.path, "sourceIp": call.client_ip, "protocol": "HTTP/1.1"},
            "requestId": "req-v2",
            "stage": "$default",
            "routeKey": "ANY /{path+}",
        },
        **_body_fields(call.body),
    }
    if call.cookies:
        event["cookies"] = [f"{k}={v}" for k, v in call.cookies]
    if call.query:
        event["queryStringParameters"] = {k: ",".join(v for n, v in call.query if n == k) for k, _ in call.query}
    if path_params:
        event["pathParameters"] = path_params
    return event


def v1_event(call: HttpCall, path_params: dict[str, str] | None) -> dict[str, Any]:
    multi_headers: dict[str, list[str]] = {}
    for name, value in call.all_headers():
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in call.query:
        multi_query.setdefault(name, []).append(value)
    return {
        "resource": "/{path+}",
        "path": call.path,
        "httpMethod": call.method,
        "headers": {k: v[-1] for k, v in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_params,
        "requestContext": {"requestId": "req-v1", "stage": "prod", "identity": {"sourceIp": call.client_ip}},
        **_body_fields(call.body),
    }


def result_from_v2(response: dict[str, Any]) -> Result:
    body = response.get("body") or ""
    raw = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
    headers = {k.lower(): [v] for k, v in (response.get("headers") or {}).items()}
    return Result(response["statusCode"], headers, list(response.get("cookies") or []), raw)


def result_from_v1(response: dict[str, Any]) -> Result:
    body = response.get("body") or ""
    raw = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
    headers: dict[str, list[str]] = {}
    cookies: list[str] = []
    for name, values in (response.get("multiValueHeaders") or {}).items():
        if name.lower() == "set-cookie":
            cookies.extend(values)
        else:
            headers.setdefault(name.lower(), []).extend(values)
    return Result(response["statusCode"], headers, cookies, raw)


def result_from_werkzeug(response: Any) -> Result:
    headers: dict[str, list[str]] = {}
    cookies: list[str] = []
    for name, value in response.headers.items():
        if name.lower() == "set-cookie":
            cookies.append(value)
        else:
            headers.setdefault(name.lower(), []).append(value)
    return Result(response.status_code, headers, cookies, response.get_data())


def werkzeug_call(client: Any, call: HttpCall) -> Result:
    response = client.open(
        quote(call.path),
        method=call.method,
        query_string=urlencode(call.query),
        headers=call.all_headers(),
        data=call.body,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    return result_from_werkzeug(response)


class FunctionsFrameworkProcess:
    """`functions-framework --source main.py --target NAME` on a loopback port."""

    def __init__(self, target: str, env: dict[str, str], source: Path = MAIN, cwd: Path = ROOT) -> None:
        self.port = free_port()
        executable = Path(sys.executable).with_name("functions-framework")
        self.process = subprocess.Popen(
            [
                str(executable),
                "--source",
                str(source),
                "--target",
                target,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=cwd,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        wait_listening(self.process, self.port, "functions-framework")

    def call(self, call: HttpCall) -> Result:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        url = quote(call.path) + (f"?{urlencode(call.query)}" if call.query else "")
        connection.putrequest(call.method, url)
        for name, value in call.all_headers():
            connection.putheader(name, value)
        if call.body or call.method in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(call.body)))
        connection.endheaders(call.body or None)
        response = connection.getresponse()
        headers: dict[str, list[str]] = {}
        cookies: list[str] = []
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookies.append(value)
            else:
                headers.setdefault(name.lower(), []).append(value)
        result = Result(response.status, headers, cookies, response.read())
        connection.close()
        return result

    def stop(self) -> str:
        self.process.terminate()
        try:
            output, _ = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return output.decode() if output else ""


def gcp_test_clients(functions: tuple[str, ...], module: str) -> dict[str, Any]:
    """A functions-framework test client of each of `functions` (declared in `module`), as the GCP shim serves them."""
    import functions_framework

    built = {}
    for name in functions:
        with function_env(name, module):
            built[name] = functions_framework.create_app(target=name, source=str(MAIN)).test_client()
    return built


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
