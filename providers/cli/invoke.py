"""`portable invoke`: one function through one cloud's real shim, on local data, with the native event that
cloud sends (generated from the function's trigger, or read from a file), and the native reply printed."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from portable.app import App, FunctionSpec, HttpTrigger, MessageTrigger, ObjectTrigger, ResourceSpec, has_trigger
from portable.context import physical_name
from portable.errors import ConfigurationError, EventFailed, NotFound
from portable.events import ObjectEvent, event_time
from portable.invoke import new_request_id
from portable.messages import Message
from portable.request import Headers, Request
from providers.local.clients import open_bucket
from providers.testing.targets import AwsTarget, GcpTarget

EXAMPLE_KEY = "example"


def sample_request(trigger: HttpTrigger, path: str | None, body: str | None) -> Request:
    """A call of the route: its method (GET for ANY), its path with each parameter named after itself."""
    route = trigger.route
    sample = "/" + "/".join(segment.text for segment in route.segments)
    data = (body or "").encode()
    headers = Headers([("Content-Type", "application/json")] if _is_json(body) else [])
    return Request(
        method="GET" if route.method == "ANY" else route.method,
        path=path or sample,
        body=data,
        headers=headers,
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


class Invocation:
    """One function of the App and how to generate its event; `run_aws` and `run_gcp` print the native reply."""

    def __init__(self, app: App, spec: FunctionSpec, out: TextIO, notes: TextIO) -> None:
        self.app = app
        self.spec = spec
        self.out = out
        self.notes = notes

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
        return 1 if isinstance(status, int) and status >= 500 else 0

    def _aws_event(self, options: dict[str, str | None]) -> dict[str, Any]:
        from providers.aws import http_events, s3_events, schedule_events

        spec = self.spec
        if has_trigger(spec, HttpTrigger):
            request = sample_request(spec.trigger, options["path"], options["body"])
            request.path_params = spec.trigger.route.match(request.path) or {}
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
        response = GcpTarget(self.app, LocalApp()).request(self.spec.name, method, path, headers, body)
        self.out.write(f"HTTP {response.status}\n")
        self.out.write("".join(f"{name}: {value}\n" for name, value in response.headers.items()))
        text = response.get_data(as_text=True)
        if text:
            self.out.write(f"\n{text}\n")
        return 1 if response.status_code >= 500 else 0

    def _gcp_request(self, options: dict[str, str | None]) -> tuple[str, str, dict[str, str], bytes]:
        from providers.gcp import scheduler_requests, storage_events

        spec = self.spec
        if has_trigger(spec, HttpTrigger):
            request = sample_request(spec.trigger, options["path"], options["body"])
            return request.method, request.path, dict(request.headers.items()), request.body
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
