"""`portable invoke`: one function through one cloud's real shim, on local data, with the native event that
cloud sends (its codec's `sample`, generated from the function's trigger, or read from a file), and the
native reply printed."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any, TextIO

from portable.app import App, FunctionSpec
from portable.errors import ConfigurationError, EventFailed
from portable.triggers import codec_name
from providers.binding import client_factory
from providers.testing.targets import AwsTarget, GcpTarget


class Invoker:
    """One function of the App (of `package`) and how to generate its event; `run_aws` and `run_gcp` print the
    native reply."""

    def __init__(self, app: App, spec: FunctionSpec, out: TextIO, notes: TextIO, package: str = "functions") -> None:
        self.app = app
        self.package = package
        self.spec = spec
        self.out = out
        self.notes = notes

    def _sample(self, cloud: str, hints: dict[str, str | None]) -> Any:
        """The cloud's sample event for the function (its codec's `sample`), saying what the hints left out."""
        codec = importlib.import_module(codec_name(cloud, self.spec.kind))
        native, notes = codec.sample(self.spec, hints, client_factory("local"))
        for note in notes:
            self.notes.write(f"note: {note}\n")
        return native

    def run_aws(self, event_file: Path | None, hints: dict[str, str | None], show_event: bool) -> int:
        event = _json_file(event_file) if event_file else self._sample("aws", hints)
        if not isinstance(event, dict):
            raise ConfigurationError(f"{event_file} holds no JSON object: a Lambda event is one")
        if show_event:
            self.out.write(json.dumps(event, indent=2, ensure_ascii=False) + "\n\n")
        try:
            reply = AwsTarget(self.app).invoke(self.spec.name, event)
        except EventFailed as exc:
            self.notes.write(f"EventFailed: {exc} (Lambda reports a failed invocation and retries the event)\n")
            return 1
        self.out.write(json.dumps(reply, indent=2, ensure_ascii=False) + "\n")
        succeeded = importlib.import_module(codec_name("aws", self.spec.kind)).succeeded
        return 0 if isinstance(reply, dict) and succeeded(reply) else 1

    def run_gcp(self, event_file: Path | None, hints: dict[str, str | None], show_event: bool) -> int:
        from providers.local.runner import LocalApp

        method, path, headers, body = self._gcp_file(event_file) if event_file else self._sample("gcp", hints)
        if show_event:
            lines = [f"{method} {path}", *(f"{name}: {value}" for name, value in headers.items()), ""]
            self.out.write("\n".join(lines) + "\n" + body.decode("utf-8", "replace") + "\n\n")
        response = GcpTarget(self.app, LocalApp(self.package)).request(self.spec.name, method, path, headers, body)
        self.out.write(f"HTTP {response.status}\n")
        self.out.write("".join(f"{name}: {value}\n" for name, value in response.headers.items()))
        text = response.get_data(as_text=True)
        if text:
            self.out.write(f"\n{text}\n")
        return 1 if response.status_code >= 500 else 0

    def _gcp_file(self, event_file: Path) -> tuple[str, str, dict[str, str], bytes]:
        """A structured-mode CloudEvent (it has `specversion`), or a request: {"method", "path", "headers", "body"}."""
        document = _json_file(event_file)
        if not isinstance(document, dict):
            raise ConfigurationError(f"{event_file} holds no JSON object")
        if "specversion" in document:
            return "POST", "/", {"Content-Type": "application/cloudevents+json"}, event_file.read_bytes()
        body = document.get("body") or ""
        return (
            str(document.get("method") or "POST"),
            str(document.get("path") or "/"),
            {str(k): str(v) for k, v in (document.get("headers") or {}).items()},
            body.encode() if isinstance(body, str) else json.dumps(body).encode(),
        )


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read the event file {path}: {exc}") from None
