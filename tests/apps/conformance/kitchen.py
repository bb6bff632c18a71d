"""One HTTP function whose path picks a behaviour, one object and one schedule recorder."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from portable import HttpError, ObjectEvent, Request, Response, RetryPolicy, ScheduleEvent, bucket, http, schedule

inbox = bucket("inbox")


def portable_view(request: Request) -> dict[str, Any]:
    view = request.as_dict()
    view["body"] = base64.b64encode(request.body).decode()
    return view


@http("ANY /{path+}")
def kitchen(request: Request) -> Any:
    action = request.path_params.get("path", "")
    if action == "raise":
        raise RuntimeError("boom: secret detail that must not reach the caller")
    if action.startswith("http-error/"):
        raise HttpError(int(action.rpartition("/")[2]), "teapot trouble")
    if action == "text":
        return "plain text"
    if action == "bytes":
        return bytes(range(256))
    if action == "none":
        return None
    if action == "json":
        return {"received": request.json()}
    if action == "unserializable":
        return {"when": object()}
    if action == "response":
        response = Response({"created": True}, status=201, headers={"X-Custom": "yes", "Cache-Control": "no-store"})
        response.set_cookie("session", "abc123", max_age=60)
        response.set_cookie("theme", "dark", http_only=False)
        return response
    return portable_view(request)


def _record(kind: str, payload: dict[str, Any]) -> None:
    target = os.environ.get("PORTABLE_TEST_RECORD")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps({"kind": kind, **payload}) + "\n")


@inbox.on_created(prefix="in/", suffix=".txt")
def on_upload(event: ObjectEvent) -> None:
    if event.key.endswith("fail.txt"):
        raise RuntimeError("object handler failure")
    _record("object", _object_record(event))


@inbox.on_created(prefix="once/", retries=RetryPolicy(attempts=1, max_age_seconds=600))
def try_once(event: ObjectEvent) -> None:
    raise RuntimeError("fails on its only attempt")


@schedule("*/5 * * * *")
def every_five(event: ScheduleEvent) -> None:
    _record("schedule", {"name": event.name, "time": event.time.isoformat(), "id": event.id})


def _object_record(event: ObjectEvent) -> dict[str, Any]:
    return {
        "bucket": event.bucket,
        "key": event.key,
        "kind": event.kind,
        "id": event.id,
        "time": event.time.isoformat() if event.time else None,
        "size": event.size,
        "etag": event.etag,
        "content_type": event.content_type,
    }


@inbox.on_created()
def record_created(event: ObjectEvent) -> None:
    _record("object", _object_record(event))


@inbox.on_deleted()
def record_deleted(event: ObjectEvent) -> None:
    _record("object", _object_record(event))
