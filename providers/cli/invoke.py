"""`portable invoke`: one function through one cloud's real shim, on local data, with the native event that
cloud sends (its codec's `sample`, generated from the function's trigger, or read from a file), and the
native reply printed.

A signed-in caller (`--subject`, `--scopes`, `--claims`) is what the function's kind makes of one (its local
codec's `signed_in`: a token of the development issuer for an `auth=` route); a kind without it has no caller.
`--header` lines reach the kind's `sample` as the `headers` hint."""

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


def header_lines(given: list[str]) -> str | None:
    """`--header 'Name: value'` options, checked, as the `headers` hint (one `Name: value` a line); None for none."""
    for text in given:
        name, sep, _ = text.partition(":")
        if not sep or not name.strip():
            raise ConfigurationError(f"--header takes 'Name: value', e.g. --header 'X-Request-Id: abc'; got {text!r}")
    return "\n".join(given) or None


class Invoker:
    """One function of the App (of `package`) and how to generate its event; `run_aws` and `run_gcp` print the
    native reply."""

    def __init__(self, app: App, spec: FunctionSpec, out: TextIO, notes: TextIO, package: str = "functions") -> None:
        self.app = app
        self.package = package
        self.spec = spec
        self.out = out
        self.notes = notes
        self._local = importlib.import_module(codec_name("local", spec.kind))

    def caller_hints(self, subject: str | None, scopes: str | None, claims: str | None) -> dict[str, str]:
        """The hints of the signed-in caller `--subject`, `--scopes` and `--claims` describe ({} without one)."""
        if subject is None:
            if scopes is not None or claims is not None:
                raise ConfigurationError(
                    "--scopes and --claims describe a signed-in caller: name it with --subject WHO"
                )
            return {}
        extra: Any = {}
        if claims is not None:
            try:
                extra = json.loads(claims)
            except ValueError as exc:
                raise ConfigurationError(
                    f'--claims takes a JSON object, e.g. \'{{"email": "ada@example.com"}}\': {exc}'
                ) from None
            if not isinstance(extra, dict):
                raise ConfigurationError(f"--claims takes a JSON object of claims, not {type(extra).__name__}")
        signed_in = getattr(self._local, "signed_in", None)
        if signed_in is None:
            raise ConfigurationError(
                f"function {self.spec.name!r} serves no route declared with auth=, so it has no signed-in caller: "
                "leave out --subject, --scopes and --claims"
            )
        hints: dict[str, str] = signed_in(self.spec, subject, (scopes or "").replace(",", " ").split(), extra)
        return hints

    def _exit_status(self, status: object, succeeded: bool, hints: dict[str, str | None]) -> int:
        """0 when the call succeeded, else 1, saying what the kind advises on the reply (an auth route's 401)."""
        advise = getattr(self._local, "advice", None)
        advice = advise(self.spec, status, hints) if advise is not None and isinstance(status, int) else None
        if advice:
            self.notes.write(f"note: {advice}\n")
        return 0 if succeeded else 1

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
        status = reply.get("statusCode") if isinstance(reply, dict) else None
        return self._exit_status(status, isinstance(reply, dict) and succeeded(reply), hints)

    def run_gcp(self, event_file: Path | None, hints: dict[str, str | None], show_event: bool) -> int:
        from providers.local.runner import LocalApp

        method, path, headers, body = self._gcp_file(event_file) if event_file else self._sample("gcp", hints)
        if show_event:
            lines = [f"{method} {path}", *(f"{name}: {value}" for name, value in headers.items()), ""]
            self.out.write("\n".join(lines) + "\n" + body.decode("utf-8", "replace") + "\n\n")
        # The GCP shim ends Eventarc's retries itself, as on GCP.
        local = LocalApp(self.package, counts_attempts=False)
        response = GcpTarget(self.app, local).request(self.spec.name, method, path, headers, body)
        self.out.write(f"HTTP {response.status}\n")
        self.out.write("".join(f"{name}: {value}\n" for name, value in response.headers.items()))
        text = response.get_data(as_text=True)
        if text:
            self.out.write(f"\n{text}\n")
        return self._exit_status(response.status_code, response.status_code < 400, hints)

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
