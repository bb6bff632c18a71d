"""The local runner's own endpoints under /__portable/: what the clouds' consoles do for you.

    POST   /__portable/schedules/<name>          fire a schedule now, as Cloud Scheduler would
    PUT    /__portable/objects/<bucket>/<key>    put an object (fires the bucket's events)
    GET    /__portable/objects/<bucket>/<key>    read it back
    DELETE /__portable/objects/<bucket>/<key>    delete it (fires the bucket's events)
    GET|PUT /__portable/buckets/...              signed URLs made by Bucket.signed_url()
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from portable.app import ResourceSpec, ScheduleTrigger
from portable.errors import NotFound, ResourceError
from portable.invoke import error_reply, new_request_id
from providers.local import signed_urls

if TYPE_CHECKING:
    from providers.local.runner import LocalApp

PREFIX = "/__portable/"
StartResponse = Callable[..., Any]
USAGE = (f"use POST {PREFIX}schedules/<name>, or PUT, GET or DELETE {PREFIX}objects/<bucket>/<key>")


def json_response(
    start_response: StartResponse, status: int, body: bytes, extra: Iterable[tuple[str, str]] = ()
) -> list[bytes]:
    from werkzeug.http import HTTP_STATUS_CODES

    start_response(f"{status} {HTTP_STATUS_CODES.get(status, '')}", [("Content-Type", "application/json"), *extra])
    return [body]


def _error(start_response: StartResponse, status: int, message: str) -> list[bytes]:
    return json_response(start_response, status, error_reply(status, message, new_request_id()).body)


def handle(local: LocalApp, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("PATH_INFO") or "/"
    method = environ.get("REQUEST_METHOD", "GET")
    if path.startswith(signed_urls.ROUTE):
        return signed_urls.serve(environ, start_response)
    kind, _, rest = path[len(PREFIX):].partition("/")
    if kind == "schedules" and method == "POST" and rest:
        return _fire(local, rest, start_response)
    if kind == "objects" and "/" in rest.strip("/"):
        bucket, _, key = rest.partition("/")
        return _object(local, method, bucket, key, environ, start_response)
    return _error(start_response, 404, f"unknown control path {method} {path}; {USAGE}")


def _fire(local: LocalApp, name: str, start_response: StartResponse) -> list[bytes]:
    spec = local.app.functions.get(name)
    if spec is None or not isinstance(spec.trigger, ScheduleTrigger):
        known = ", ".join(s.name for s in local.app.schedule_functions()) or "none"
        return _error(start_response, 404, f"no schedule named {name!r}; schedules: {known}")
    status = local.fire_schedule(name)
    body = json.dumps({"fired": name, "status": status}).encode()
    return json_response(start_response, 200 if status < 300 else 500, body)


def _object(
    local: LocalApp, method: str, bucket: str, key: str, environ: dict[str, Any], start_response: StartResponse
) -> list[bytes]:
    from providers.local.clients import client_for

    if bucket not in local.app.buckets:
        known = ", ".join(local.app.buckets) or "none"
        return _error(start_response, 404, f"no bucket named {bucket!r}; the App declares: {known}")
    store = client_for(ResourceSpec("bucket", bucket))
    key = unquote(key)
    try:
        if method == "PUT":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            content_type = (environ.get("CONTENT_TYPE") or mimetypes.guess_type(key)[0]
                            or "application/octet-stream")
            info = store.put(key, environ["wsgi.input"].read(length), content_type, {})
            body = {"bucket": bucket, "key": key, "size": info.size, "etag": info.etag}
            return json_response(start_response, 201, json.dumps(body).encode())
        if method == "DELETE":
            store.delete(key)
            start_response("204 No Content", [])
            return [b""]
        if method == "GET":
            info, content = store.head(key), store.get(key)
            start_response("200 OK", [("Content-Type", info.content_type or "application/octet-stream")])
            return [content]
    except NotFound as exc:
        return _error(start_response, 404, str(exc))
    except ResourceError as exc:
        return _error(start_response, 400, str(exc))
    return _error(start_response, 405, f"{method} is not allowed on {PREFIX}objects/: use PUT, GET or DELETE")
