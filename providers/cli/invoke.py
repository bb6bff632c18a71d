"""`portable invoke`: one function through one cloud's real shim, on local data, with the native event that
cloud sends (generated from the function's trigger, or read from a file), and the native reply printed."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from portable.app import App, FunctionSpec, HttpTrigger, MessageTrigger, ObjectTrigger, ResourceSpec, has_trigger
from portable.auth import auth_from_claims
from portable.context import physical_name
from portable.errors import ConfigurationError, EventFailed, NotFound
from portable.events import ObjectEvent, event_time
from portable.invoke import new_request_id
from portable.messages import Message
from portable.request import Headers, Request
from providers.gcp.http_requests import USERINFO_HEADER, userinfo_of_token
from providers.local.clients import open_bucket
from providers.local.sqlite_files import local_dir
from providers.local.tokens import DevIssuer
from providers.testing.targets import AwsTarget, GcpTarget

EXAMPLE_KEY = "example"


def sample_request(
    trigger: HttpTrigger, path: str | None, body: str | None, headers: list[tuple[str, str]] | None = None
) -> Request:
    """A call of the route: its method (GET for ANY), its path with each parameter named after itself, `headers`
    (a Content-Type of application/json for a JSON body, unless they name one)."""
    route = trigger.route
    sample = "/" + "/".join(segment.text for segment in route.segments)
    data = (body or "").encode()
    given = list(headers or [])
    typed = any(name.lower() == "content-type" for name, _ in given)
    sent = Headers([*given, *([("Content-Type", "application/json")] if _is_json(body) and not typed else [])])
    return Request(
        method="GET" if route.method == "ANY" else route.method,
        path=path or sample,
        body=data,
        headers=sent,
        client_ip="127.0.0.1",
        request_id=new_request_id(),
    )


def _is_json(text: str | None) -> bool:
    if not text:
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def sample_object_event(trigger: ObjectTrigger, key: str | None, notes: TextIO) -> ObjectEvent:
    """An event of the trigger's kind for `key` (default: `example` within its prefix and suffix), with the size
    and etag of the local object when there is one."""
    key = key or f"{trigger.prefix}{EXAMPLE_KEY}{trigger.suffix}"
    try:
        info = open_bucket(trigger.bucket).head(key)
        size, etag, content_type = info.size, info.etag, info.content_type
    except NotFound:
        size, etag, content_type = 0, None, None
        if trigger.kind == "created":
            notes.write(
                f"note: the local bucket {trigger.bucket!r} holds no {key!r}, so the handler may not find it; "
                f"put one first: curl -T FILE localhost:8080/__portable/objects/{trigger.bucket}/{key}\n"
            )
    return ObjectEvent(
        bucket=trigger.bucket,
        key=key,
        kind=trigger.kind,
        id=uuid.uuid4().hex,
        time=datetime.now(UTC),
        size=size,
        etag=etag,
        content_type=content_type,
    )


def sample_message(trigger: MessageTrigger, body: str | None) -> Message:
    """A first delivery of a message with `body` (default: an empty JSON object) from the trigger's queue or topic."""
    return Message(
        id=uuid.uuid4().hex,
        body=(body if body is not None else "{}").encode(),
        attributes={},
        attempt=1,
        publish_time=datetime.now(UTC),
        source=trigger.source,
    )


def due_time(at: str | None) -> datetime:
    if at is None:
        return datetime.now(UTC).replace(second=0, microsecond=0)
    return event_time(at, "--at", naive_is_utc=True)


class Caller(NamedTuple):
    """A signed-in caller: `--subject`, `--scopes` and `--claims`, in a token of the development issuer for the
    route's jwt_auth, and its claims as a gateway verifies them."""

    token: str
    claims: dict[str, Any]


def signed_in(spec: FunctionSpec, subject: str | None, scopes: str | None, claims: str | None) -> Caller | None:
    """The caller `--subject`, `--scopes` and `--claims` describe, or None without `--subject`."""
    if subject is None:
        if scopes is not None or claims is not None:
            raise ConfigurationError("--scopes and --claims describe a signed-in caller: name it with --subject WHO")
        return None
    if not has_trigger(spec, HttpTrigger) or spec.trigger.auth is None:
        raise ConfigurationError(
            f"function {spec.name!r} serves no route declared with auth=, so it has no signed-in caller: "
            "leave out --subject, --scopes and --claims"
        )
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
    issuer = DevIssuer(local_dir())
    token = issuer.mint(spec.trigger.auth, subject, (scopes or "").replace(",", " ").split(), claims=extra)
    return Caller(token, issuer.verify(token, spec.trigger.auth))


def header_pairs(given: list[str]) -> list[tuple[str, str]]:
    """`--header 'Name: value'` options as (name, value) pairs."""
    pairs = []
    for text in given:
        name, sep, value = text.partition(":")
        if not sep or not name.strip():
            raise ConfigurationError(f"--header takes 'Name: value', e.g. --header 'X-Request-Id: abc'; got {text!r}")
        pairs.append((name.strip(), value.strip()))
    return pairs


class Invocation:
    """One function of the App and how to generate its event; `run_aws` and `run_gcp` print the native reply."""

    def __init__(
        self,
        app: App,
        spec: FunctionSpec,
        out: TextIO,
        notes: TextIO,
        headers: list[tuple[str, str]] | None = None,
        caller: Caller | None = None,
    ) -> None:
        self.app = app
        self.spec = spec
        self.out = out
        self.notes = notes
        self.headers = headers or []
        self.caller = caller

    def run_aws(self, event_file: Path | None, options: dict[str, str | None], show_event: bool) -> int:
        event = _json_file(event_file) if event_file else self._aws_event(options)
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
        status = (reply.get("statusCode") or reply.get("status")) if isinstance(reply, dict) else None
        if isinstance(reply, dict) and reply.get("batchItemFailures"):
            return 1  # the messages named failed: SQS would deliver them again
        return self._exit_status(status if isinstance(status, int) else None)

    def _exit_status(self, status: int | None) -> int:
        """1 for a 4xx or 5xx reply (saying how to call an auth route when that was the 401), else 0."""
        if status == 401 and self.caller is None and has_trigger(self.spec, HttpTrigger) and self.spec.trigger.auth:
            self.notes.write(
                f"note: route {self.spec.trigger.route.key!r} requires a signed-in caller (auth="
                f"{self.spec.trigger.auth.name}); call it as one with --subject WHO [--scopes 'read write'] "
                "[--claims JSON]\n"
            )
        return 1 if status is not None and status >= 400 else 0

    def _aws_event(self, options: dict[str, str | None]) -> dict[str, Any]:
        from providers.aws import http_events, s3_events, schedule_events

        spec = self.spec
        if has_trigger(spec, HttpTrigger):
            request = sample_request(spec.trigger, options["path"], options["body"], self.headers)
            request.path_params = spec.trigger.route.match(request.path) or {}
            if self.caller is not None:  # API Gateway's JWT authorizer hands the verified claims over
                request.auth = auth_from_claims(self.caller.claims)
            return http_events.encode_request(request, spec.trigger.route.key)
        if has_trigger(spec, ObjectTrigger):
            event = sample_object_event(spec.trigger, options["key"], self.notes)
            return s3_events.encode(event, physical_name(ResourceSpec("bucket", event.bucket)))
        if has_trigger(spec, MessageTrigger):
            from providers.aws import sqs_events

            source = spec.trigger.source
            return sqs_events.encode(
                sample_message(spec.trigger, options["body"]),
                spec.trigger,
                f"arn:aws:sqs:us-east-1:123456789012:{source}",
                f"arn:aws:sns:us-east-1:123456789012:{source}",
            )
        return schedule_events.encode(spec.name, due_time(options["at"]))

    def run_gcp(self, event_file: Path | None, options: dict[str, str | None], show_event: bool) -> int:
        from providers.local.runner import LocalApp

        method, path, headers, body = self._gcp_file(event_file) if event_file else self._gcp_request(options)
        if show_event:
            lines = [f"{method} {path}", *(f"{name}: {value}" for name, value in headers.items()), ""]
            self.out.write("\n".join(lines) + "\n" + body.decode("utf-8", "replace") + "\n\n")
        response = GcpTarget(self.app, LocalApp(counts_attempts=False)).request(
            self.spec.name, method, path, headers, body
        )
        self.out.write(f"HTTP {response.status}\n")
        self.out.write("".join(f"{name}: {value}\n" for name, value in response.headers.items()))
        text = response.get_data(as_text=True)
        if text:
            self.out.write(f"\n{text}\n")
        return self._exit_status(response.status_code)

    def _gcp_request(self, options: dict[str, str | None]) -> tuple[str, str, dict[str, str], bytes]:
        from providers.gcp import scheduler_requests, storage_events

        spec = self.spec
        if has_trigger(spec, HttpTrigger):
            request = sample_request(spec.trigger, options["path"], options["body"], self.headers)
            headers = dict(request.headers.items())
            if self.caller is not None:  # API Gateway on GCP hands the verified claims over in this header
                headers[USERINFO_HEADER] = userinfo_of_token(self.caller.token)
            return request.method, request.path, headers, request.body
        if has_trigger(spec, ObjectTrigger):
            event = sample_object_event(spec.trigger, options["key"], self.notes)
            headers, body = storage_events.encode(event, physical_name(ResourceSpec("bucket", event.bucket)))
            return "POST", "/", headers, body
        if has_trigger(spec, MessageTrigger):
            from providers.gcp import pubsub_events

            message = sample_message(spec.trigger, options["body"])
            headers, body = pubsub_events.encode(message, f"projects/local/subscriptions/{spec.name}")
            return "POST", "/", headers, body
        return "POST", "/", scheduler_requests.encode(spec.name, due_time(options["at"])), b""

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
