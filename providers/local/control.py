"""The local runner's own endpoints under /__portable/: what the clouds' consoles do for you.

    POST   /__portable/schedules/<name>          fire a schedule now, as Cloud Scheduler would
    PUT    /__portable/objects/<bucket>/<key>    put an object (fires the bucket's events)
    GET    /__portable/objects/<bucket>/<key>    read it back
    DELETE /__portable/objects/<bucket>/<key>    delete it (fires the bucket's events)
    GET|PUT /__portable/buckets/...              signed URLs made by Bucket.signed_url()
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, unquote

from portable.app import App, ResourceSpec
from portable.context import physical_name
from portable.errors import BackendError, NotFound, ResourceError
from portable.invoke import Reply, render
from portable.request import Response
from providers.local import signed_urls
from providers.local.buckets import LocalBucket
from providers.local.wsgi import Environ, StartResponse, error, request_body, send

PREFIX = "/__portable/"
USAGE = f"use POST {PREFIX}schedules/<name>, or PUT, GET or DELETE {PREFIX}objects/<bucket>/<key>"

Fire = Callable[[str], int]
OpenBucket = Callable[[str], LocalBucket]


class Control:
    """WSGI app for every path under PREFIX, over the App's schedules and buckets.

    `fire(name)` calls a schedule function as Cloud Scheduler does and gives its HTTP
    status; `open_bucket(name)` gives the local store of a bucket by its logical name.
    """

    def __init__(self, app: App, fire: Fire, open_bucket: OpenBucket) -> None:
        self.app = app
        self.fire = fire
        self.open_bucket = open_bucket
        self.signed = SignedUrls(self._open_physical)

    def __call__(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path.startswith(signed_urls.ROUTE):
            return self.signed(environ, start_response)
        return _answered(self._answer, environ, start_response)

    def _answer(self, environ: Environ) -> Reply:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        kind, _, rest = path[len(PREFIX):].partition("/")
        if kind == "schedules" and method == "POST" and rest:
            return self._fire(rest)
        if kind == "objects" and "/" in rest.strip("/"):
            bucket, _, key = rest.partition("/")
            return self._object(method, bucket, unquote(key), environ)
        return error(404, f"unknown control path {method} {path}; {USAGE}")

    def _fire(self, name: str) -> Reply:
        schedules = [spec.name for spec in self.app.schedule_functions()]
        if name not in schedules:
            return error(404, f"no schedule named {name!r}; schedules: {', '.join(schedules) or 'none'}")
        status = self.fire(name)
        return render(Response({"fired": name, "status": status}, status=200 if status < 300 else 500))

    def _object(self, method: str, bucket: str, key: str, environ: Environ) -> Reply:
        if bucket not in self.app.buckets:
            return error(404, f"no bucket named {bucket!r}; the App declares: {', '.join(self.app.buckets) or 'none'}")
        store = self.open_bucket(bucket)
        if method == "PUT":
            content_type = environ.get("CONTENT_TYPE") or mimetypes.guess_type(key)[0] or "application/octet-stream"
            info = store.put(key, request_body(environ), content_type, {})
            return render(Response({"bucket": bucket, "key": key, "size": info.size, "etag": info.etag}, status=201))
        if method == "DELETE":
            store.delete(key)
            return Reply(204)
        if method == "GET":
            return _download(store, key)
        return error(405, f"{method} is not allowed on {PREFIX}objects/: use PUT, GET or DELETE")

    def _open_physical(self, physical: str) -> LocalBucket:
        for name in self.app.buckets:
            if physical_name(ResourceSpec("bucket", name)) == physical:
                return self.open_bucket(name)
        raise NotFound(physical, "no bucket of the App has this name")


class SignedUrls:
    """WSGI app for signed URLs: GET downloads, PUT uploads (and fires the bucket's events).

    `open_physical` takes the bucket's physical name, the one the URL was signed for.
    """

    def __init__(self, open_physical: OpenBucket) -> None:
        self.open_physical = open_physical

    def __call__(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        return _answered(self._answer, environ, start_response)

    def _answer(self, environ: Environ) -> Reply:
        method = environ.get("REQUEST_METHOD", "GET")
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        content_type = environ.get("CONTENT_TYPE") or None
        # PATH_INFO arrives %-decoded, as latin-1 text (PEP 3333); quoting it again gives the signed path.
        path = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/")
        bucket, key = signed_urls.verify(method, path, query, content_type)
        store = self.open_physical(bucket)
        if method == "GET":
            return _download(store, key)
        info = store.put(key, request_body(environ), content_type or "application/octet-stream", {})
        return Reply(200, headers=[("ETag", f'"{info.etag}"')])


def _answered(answer: Callable[[Environ], Reply], environ: Environ, start_response: StartResponse) -> list[bytes]:
    """Send `answer`'s reply, or the error reply for what it raised."""
    try:
        reply = answer(environ)
    except signed_urls.InvalidSignature as exc:
        reply = error(403, str(exc))
    except NotFound as exc:
        reply = error(404, str(exc))
    except BackendError as exc:
        reply = error(500, str(exc))
    except ResourceError as exc:
        reply = error(400, str(exc))
    return send(start_response, reply)


def _download(store: LocalBucket, key: str) -> Reply:
    info, body = store.head(key), store.get(key)
    return Reply(200, body, [("Content-Type", info.content_type or "application/octet-stream"),
                             ("ETag", f'"{info.etag}"')])
