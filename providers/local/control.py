"""The local runner's own endpoints under /__portable/: what the clouds' consoles do for you.

    POST    /__portable/schedules/<name>                       fire a schedule now, as Cloud Scheduler would
    PUT     /__portable/objects/<bucket>/<key>                 put an object (fires the bucket's events)
    GET     /__portable/objects/<bucket>/<key>                 read it back
    DELETE  /__portable/objects/<bucket>/<key>                 delete it (fires the bucket's events)
    GET     /__portable/objects/<bucket>[/][?prefix=P]         list the bucket's objects, in key order
    GET     /__portable/tables/<table>[/][?prefix=P]           list the table's items, in key order
    GET     /__portable/dead-letters[/<function>]              events that failed their last attempt
    POST    /__portable/dead-letters/<function>/<id>/replay    queue one again, with the same event id
    GET|PUT /__portable/buckets/...                            signed URLs made by Bucket.signed_url()
    POST    /__portable/token?subject=<who>[&scope=a b][&auth=<name>]   a token of the development issuer
    GET     /__portable/jwks.json                              the development issuer's public key
    GET     /__portable/api[/openapi.json]                     the API explorer, and the OpenAPI document

By default they answer only a caller on this machine (a loopback peer address) that addresses
the runner by a loopback name on its own port, from tools (curl, scripts) or from the runner's
own pages, so neither another machine, nor a web page elsewhere in the user's browser, nor a
DNS name rebound to 127.0.0.1 can drive the runner. A runner listening on another address
(`--host 0.0.0.0`) turns them off, unless `--expose-control` turns them on for any peer that
sends the token the runner printed at start (`Authorization: Bearer <token>`). Signed URLs
carry their own authority, as in the clouds, and are served whatever the access; user routes
are the App's business.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote

from portable.app import App, ResourceSpec
from portable.context import physical_name
from portable.cors_policy import Cors, is_preflight
from portable.data_rules import check_object_key
from portable.errors import BackendError, NotFound, ResourceError, TooLarge
from portable.invoke import Reply, new_request_id, preflight_reply, render, with_cors
from portable.request import Headers, Response
from providers.local import browse, console, signed_urls
from providers.local.access import LOOPBACK_ONLY, PREFIX, ControlAccess, check_caller
from providers.local.api_explorer import Explorer
from providers.local.buckets import MAX_OBJECT_BYTES, LocalBucket
from providers.local.dead_letters import DeadLetter, DeadLetters
from providers.local.delivery import Outcome
from providers.local.tables import LocalTable
from providers.local.tokens import DEFAULT_LIFETIME_SECONDS, DevIssuer
from providers.local.wsgi import Environ, Refused, StartResponse, environ_headers, error, path_text, request_body, send
from providers.paths import project_title

USAGE = (
    f"use POST {PREFIX}schedules/<name>; PUT, GET or DELETE {PREFIX}objects/<bucket>/<key>; "
    f"GET {PREFIX}objects/<bucket>; GET {PREFIX}tables/<table>; "
    f"GET {PREFIX}dead-letters; POST {PREFIX}dead-letters/<function>/<id>/replay; "
    f"POST {PREFIX}token?subject=<who>; GET {PREFIX}jwks.json; GET {PREFIX}api"
)
_FIRED_STATUS = {"delivered": 200, "queued": 202}

Fire = Callable[[str], Outcome]
OpenBucket = Callable[[str], LocalBucket]
OpenTable = Callable[[str], LocalTable]
Replay = Callable[[str, str], DeadLetter]


class Control:
    """WSGI app for every path under PREFIX, over the App's schedules, buckets, tables and dead letters.

    `fire(name)` queues a firing of a schedule and makes its first attempt; `open_bucket(name)`
    and `open_table(name)` give the local store of a bucket or table by its logical name;
    `replay(function, id)` queues a dead letter's event again.
    """

    def __init__(
        self,
        app: App,
        fire: Fire,
        open_bucket: OpenBucket,
        open_table: OpenTable,
        letters: DeadLetters,
        replay: Replay,
        *,
        issuer: DevIssuer | None = None,
        access: ControlAccess = LOOPBACK_ONLY,
    ) -> None:
        self.app = app
        self.access = access
        self.issuer = issuer or DevIssuer()
        self.fire = fire
        self.open_bucket = open_bucket
        self.open_table = open_table
        self.letters = letters
        self.replay = replay
        self.signed = SignedUrls(self._open_physical, self._signed_url_cors)
        self.explorer = Explorer(app, project_title())

    def __call__(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path.startswith(signed_urls.ROUTE):
            return self.signed(environ, start_response)
        return _answered(self._answer, environ, start_response)

    def _answer(self, environ: Environ) -> Reply:
        check_caller(environ, self.access)
        path = path_text(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        kind, _, rest = path[len(PREFIX) :].partition("/")
        if kind == "schedules" and method == "POST" and rest:
            return self._fire(rest)
        if kind == "objects" and "/" in rest.strip("/"):
            bucket, _, key = rest.partition("/")
            return self._object(method, bucket, key, environ)
        if kind in ("objects", "tables") and rest.strip("/"):
            return self._listing(method, kind, rest.strip("/"), dict(parse_qsl(environ.get("QUERY_STRING", ""))))
        if kind == "dead-letters":
            return self._dead_letters(method, rest)
        if kind == "token" and method == "POST":
            return self._token(dict(parse_qsl(environ.get("QUERY_STRING", ""))))
        if kind == "jwks.json" and method == "GET":
            return render(self.issuer.jwks())
        if kind == "api":
            return self.explorer.answer(method, rest, environ.get("HTTP_HOST") or "127.0.0.1")
        return error(404, f"unknown control path {method} {path}; {USAGE}")

    def _fire(self, name: str) -> Reply:
        schedules = [spec.name for spec in self.app.schedule_functions()]
        if name not in schedules:
            return error(404, f"no schedule named {name!r}; schedules: {', '.join(schedules) or 'none'}")
        outcome = self.fire(name)
        body: dict[str, Any] = {
            "fired": name,
            "event_id": outcome.event_id,
            "outcome": outcome.state,
            "status": outcome.status,
        }
        if outcome.error is not None:
            body["last_error"] = outcome.error
        if outcome.retry_in is not None:
            body["retry_in_seconds"] = outcome.retry_in
        return render(Response(body, status=_FIRED_STATUS.get(outcome.state, 500)))

    def _object(self, method: str, bucket: str, key: str, environ: Environ) -> Reply:
        if bucket not in self.app.buckets:
            return _unknown("bucket", bucket, self.app.buckets)
        check_object_key(bucket, key)
        store = self.open_bucket(bucket)
        if method == "PUT":
            content_type = environ.get("CONTENT_TYPE") or mimetypes.guess_type(key)[0] or "application/octet-stream"
            info = store.put(key, request_body(environ, MAX_OBJECT_BYTES), content_type, {})
            return render(Response({"bucket": bucket, "key": key, "size": info.size, "etag": info.etag}, status=201))
        if method == "DELETE":
            store.delete(key)
            return Reply(204)
        if method == "GET":
            return _download(store, key)
        return error(405, f"{method} is not allowed on {PREFIX}objects/: use PUT, GET or DELETE")

    def _token(self, query: dict[str, str]) -> Reply:
        auths = {auth.name: auth for auth in self.app.auths()}
        name = query.get("auth") or next(iter(auths), "")
        subject = query.get("subject", "")
        if name not in auths:
            return error(404, f"no jwt_auth named {name!r}; the App's routes require: {', '.join(auths) or 'none'}")
        if not subject:
            return error(400, f"say who the token is for: POST {PREFIX}token?subject=<who>[&scope=read write]")
        auth = auths[name]
        token = self.issuer.mint(auth, subject, query.get("scope", "").split())
        return render(
            {
                "token": token,
                "auth": name,
                "issuer": auth.issuer,
                "audience": auth.audiences[0],
                "subject": subject,
                "expires_in": DEFAULT_LIFETIME_SECONDS,
            }
        )

    def _listing(self, method: str, kind: str, name: str, query: dict[str, str]) -> Reply:
        if method != "GET":
            return error(405, f"{method} is not allowed on {PREFIX}{kind}/{name}: use GET to list it")
        prefix = query.get("prefix", "")
        if kind == "objects":
            if name not in self.app.buckets:
                return _unknown("bucket", name, self.app.buckets)
            listed = [browse.object_record(info) for info in browse.objects(self.open_bucket(name), prefix)]
            return render({"bucket": name, "prefix": prefix, "objects": listed})
        if name not in self.app.tables:
            return _unknown("table", name, self.app.tables)
        found = [browse.item_record(item) for item in browse.items(self.open_table(name), prefix)]
        return render({"table": name, "prefix": prefix, "items": found})

    def _dead_letters(self, method: str, rest: str) -> Reply:
        function, _, letter = rest.strip("/").partition("/")
        if function and function not in self.app.functions:
            return error(404, f"no function named {function!r} in the App")
        if method == "GET" and not letter:
            return render({"dead_letters": [found.record() for found in self.letters.all(function or None)]})
        letter_id, _, action = letter.partition("/")
        if method == "POST" and action == "replay":
            try:
                replayed = self.replay(function, letter_id)
            except ValueError as exc:
                return error(400, f"dead letter {function}/{letter_id} is unreadable: {exc}; fix or delete its file")
            return render(Response({"replayed": f"{function}/{letter_id}", "event_id": replayed.event.id}, status=202))
        return error(
            405 if letter else 404,
            f"use GET {PREFIX}dead-letters[/<function>] or "
            f"POST {PREFIX}dead-letters/<function>/<id>/replay, not {method} {PREFIX}dead-letters/{rest}",
        )

    def _signed_url_cors(self, physical: str) -> Cors | None:
        for name in self.app.buckets:
            if physical_name(ResourceSpec("bucket", name)) == physical:
                return self.app.signed_url_cors(name)
        return None

    def _open_physical(self, physical: str) -> LocalBucket:
        for name in self.app.buckets:
            if physical_name(ResourceSpec("bucket", name)) == physical:
                return self.open_bucket(name)
        raise NotFound(physical, "no bucket of the App has this name")


class SignedUrls:
    """WSGI app for signed URLs: GET downloads, PUT uploads (and fires the bucket's events).

    `open_physical` takes the bucket's physical name, the one the URL was signed for; `policy_of` gives the CORS
    policy of its signed URLs (App.signed_url_cors), by which it answers preflights and adds CORS headers, as S3's
    CORS rules and Cloud Storage's `cors` do in the clouds.
    """

    def __init__(self, open_physical: OpenBucket, policy_of: Callable[[str], Cors | None]) -> None:
        self.open_physical = open_physical
        self.policy_of = policy_of

    def __call__(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        physical = (environ.get("PATH_INFO") or "")[len(signed_urls.ROUTE) :].partition("/")[0]
        policy = self.policy_of(physical)
        headers = environ_headers(environ)
        if is_preflight(environ.get("REQUEST_METHOD", "GET"), headers):
            return _answered(lambda environ: _signed_url_preflight(policy, headers), environ, start_response)
        return _answered(
            self._answer, environ, start_response, lambda reply: with_cors(policy, headers.get("origin"), reply)
        )

    def _answer(self, environ: Environ) -> Reply:
        method = environ.get("REQUEST_METHOD", "GET")
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        content_type = environ.get("CONTENT_TYPE") or None
        # PATH_INFO arrives %-decoded, as latin-1 text (PEP 3333); quoting its UTF-8 again gives the signed path.
        path = quote(path_text(environ), safe="/")
        bucket, key = signed_urls.verify(method, path, query, content_type)
        check_object_key(bucket, key)
        store = self.open_physical(bucket)
        if method == "GET":
            return _download(store, key)
        info = store.put(key, request_body(environ, MAX_OBJECT_BYTES), content_type or "application/octet-stream", {})
        return Reply(200, headers=[("ETag", f'"{info.etag}"')])


def _signed_url_preflight(policy: Cors | None, headers: Headers) -> Reply:
    if policy is None:
        return error(
            403,
            "this bucket's signed URLs take no calls from pages of other origins; list the origins with "
            "bucket(name, cors=[...]) or portable.cors(allow_origins=[...])",
        )
    return preflight_reply(policy, headers, new_request_id())


def _unknown(kind: str, name: str, known: list[str]) -> Reply:
    return error(404, f"no {kind} named {name!r}; the App declares: {', '.join(known) or 'none'}")


def _answered(
    answer: Callable[[Environ], Reply],
    environ: Environ,
    start_response: StartResponse,
    finish: Callable[[Reply], Reply] | None = None,
) -> list[bytes]:
    """Send `answer`'s reply, or the error reply for what it raised (each passed through `finish`), with its line on
    the console."""
    started = time.perf_counter()
    try:
        reply = answer(environ)
    except Refused as exc:
        reply = error(exc.status, str(exc))
    except signed_urls.InvalidSignature as exc:
        reply = error(403, str(exc))
    except NotFound as exc:
        reply = error(404, str(exc))
    except TooLarge as exc:
        reply = error(413, str(exc))
    except BackendError as exc:
        reply = error(500, str(exc))
    except ResourceError as exc:
        reply = error(400, str(exc))
    if finish is not None:
        reply = finish(reply)
    console.own_reply("control", environ, reply, time.perf_counter() - started)
    return send(start_response, reply)


# Stored content is the uploader's, not the runner's: whatever its type, a browser shows it in a sandbox of no
# origin (no script, no form, no same-origin call to /__portable/), and never guesses an active type for it.
STORED_OBJECT_HEADERS = [("Content-Security-Policy", "sandbox"), ("X-Content-Type-Options", "nosniff")]


def _download(store: LocalBucket, key: str) -> Reply:
    info, body = store.head(key), store.get(key)
    headers = [("Content-Type", info.content_type or "application/octet-stream"), ("ETag", f'"{info.etag}"')]
    return Reply(200, body, headers + STORED_OBJECT_HEADERS)
