"""The local runner's own endpoints under /__portable/: what the clouds' consoles do for you.

    GET     /__portable/                                       the dashboard (providers/local/dashboard/)
    GET     /__portable/app                                    what the App declares, as the dashboard shows it
    POST    /__portable/requests                               send a request to the App's routes, as JSON
    GET     /__portable/log[?after=N]  /__portable/log/stream  the console's latest lines; as server-sent events
    POST    /__portable/schedules/<name>                       fire a schedule now, as Cloud Scheduler would
    PUT     /__portable/objects/<bucket>/<key>                 put an object (fires the bucket's events)
    GET     /__portable/objects/<bucket>/<key>                 read it back
    DELETE  /__portable/objects/<bucket>/<key>                 delete it (fires the bucket's events)
    GET     /__portable/objects/<bucket>[/][?prefix=P]         list the bucket's objects, in key order
    GET     /__portable/tables/<table>[/][?prefix=P]           list the table's items, in key order
    GET     /__portable/tables/<table>/<key>                   one item, with its version
    POST    /__portable/queues/<queue>/messages                send a message ({"body", "attributes"} as JSON)
    POST    /__portable/topics/<topic>/messages                publish one
    GET     /__portable/dead-letters[/<function>]              events that failed their last attempt
    GET     /__portable/dead-letters/<function>/<id>           one, a message's body decoded
    POST    /__portable/dead-letters/<function>/<id>/replay    queue one again, with the same event id (a message
                                                               with an edited body: {"body": "..."} as JSON)
    DELETE  /__portable/dead-letters/<function>/<id>           discard one
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

Each reply has its line on the console, except the successful reads (GET or HEAD answered below
400): the dashboard reads the App, the log and the data as it goes, and its own polling must
not fill the log it shows. Calls that change something and every refusal have their line.
"""

from __future__ import annotations

import json
import mimetypes
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote

from portable import http_trigger
from portable.app import App, ResourceSpec
from portable.context import physical_name
from portable.cors_policy import Cors, is_preflight
from portable.data_rules import check_object_key
from portable.delivery import new_request_id
from portable.errors import BackendError, InvalidValue, NotFound, ResourceError, TooLarge
from portable.replies import HttpReply, preflight_reply, render, with_cors
from portable.request import Headers, Response
from portable.schedule_trigger import ScheduleTrigger
from portable.suggestions import did_you_mean
from providers.local import browse, dashboard, signed_urls
from providers.local.access import PREFIX, ControlAccess, check_caller, signed_in
from providers.local.api_explorer import Explorer
from providers.local.buckets import MAX_OBJECT_BYTES, LocalBucket
from providers.local.clients import open_bucket, open_table
from providers.local.tokens import DEFAULT_LIFETIME_SECONDS
from providers.local.wsgi import Environ, Refused, StartResponse, environ_headers, error, path_text, request_body, send
from providers.paths import project_title

if TYPE_CHECKING:
    from providers.local.console import Console
    from providers.local.served import Served

USAGE = (
    f"open {PREFIX} in a browser for the dashboard; or use POST {PREFIX}schedules/<name>; "
    f"PUT, GET or DELETE {PREFIX}objects/<bucket>/<key>; GET {PREFIX}objects/<bucket>; GET {PREFIX}tables/<table>; "
    f"POST {PREFIX}queues/<queue>/messages; GET {PREFIX}dead-letters; "
    f"POST {PREFIX}dead-letters/<function>/<id>/replay; POST {PREFIX}token?subject=<who>; GET {PREFIX}jwks.json; "
    f"GET {PREFIX}api"
)
_FIRED_STATUS = {"delivered": 200, "queued": 202}
# A JSON body sent to a control endpoint (a message, a request for the App) is at most this big.
_JSON_BODY_MAX_BYTES = 8 * 1024 * 1024


class Control:
    """WSGI app for every path under PREFIX, over the schedules, buckets, tables, messages and dead letters of the
    App that `local` serves, and its dashboard, to the callers `local.access` lets in."""

    def __init__(self, local: Served) -> None:
        self.local = local
        self.app = local.app
        self.signed = SignedUrls.of(local.app, local.console)
        self.explorer = Explorer(local.app, project_title())

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path.startswith(signed_urls.ROUTE):
            return self.signed(environ, start_response)
        if path == dashboard.STREAM and environ.get("REQUEST_METHOD", "GET") == "GET":
            try:
                check_caller(environ, self.local.access)
            except Refused:  # refused again by _answer, with its line
                return answered(self._answer, environ, start_response, self.local.console)
            return dashboard.stream(self.local.console, environ, start_response)
        return answered(self._answer, environ, start_response, self.local.console, quiet=dashboard.own_read)

    def _answer(self, environ: Environ) -> HttpReply:
        signing_in = signed_in(environ, self.local.access)
        if signing_in is not None:
            return HttpReply(303, headers=signing_in)
        check_caller(environ, self.local.access)
        path = path_text(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        kind, _, rest = path[len(PREFIX) :].partition("/")
        shown = dashboard.page(method, path)
        if shown is not None:
            return shown
        if kind == "app" and method == "GET" and not rest:
            return render(dashboard.describe(self.local))
        if kind == "requests" and method == "POST" and not rest:
            return render(dashboard.call(self.local, _json_body(environ)))
        if kind == "log" and method == "GET" and not rest:
            return render(dashboard.log_lines(self.local.console, query.get("after", "0")))
        if kind == "schedules" and method == "POST" and rest:
            return self._fire(rest)
        if kind == "objects" and "/" in rest.strip("/"):
            bucket, _, key = rest.partition("/")
            return self._object(method, bucket, key, environ)
        if kind == "tables" and "/" in rest.strip("/"):
            table, _, key = rest.partition("/")
            return self._item(method, table, key)
        if kind in ("objects", "tables") and rest.strip("/"):
            return self._listing(method, kind, rest.strip("/"), query)
        if kind in ("queues", "topics") and rest.endswith("/messages"):
            return self._message(method, kind, rest.removesuffix("/messages"), environ)
        if kind == "dead-letters":
            return self._dead_letters(method, rest, environ)
        if kind == "token" and method == "POST":
            return self._token(query)
        if kind == "jwks.json" and method == "GET":
            return render(self.local.issuer.jwks())
        if kind == "api":
            return self.explorer.answer(method, rest, environ.get("HTTP_HOST") or "127.0.0.1")
        return error(404, f"unknown control path {method} {path}; {USAGE}")

    def _fire(self, name: str) -> HttpReply:
        schedules = [spec.name for spec in self.app.functions_of(ScheduleTrigger)]
        if name not in schedules:
            known = ", ".join(schedules) or "none"
            return error(404, f"no schedule named {name!r}{did_you_mean(name, schedules)}; schedules: {known}")
        outcome = self.local.fire_schedule(name)
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

    def _object(self, method: str, bucket: str, key: str, environ: Environ) -> HttpReply:
        if bucket not in self.app.buckets:
            return _unknown("bucket", bucket, self.app.buckets)
        check_object_key(bucket, key)
        store = open_bucket(bucket)
        if method == "PUT":
            content_type = environ.get("CONTENT_TYPE") or mimetypes.guess_type(key)[0] or "application/octet-stream"
            info = store.put(key, request_body(environ, MAX_OBJECT_BYTES), content_type, {})
            return render(Response({"bucket": bucket, "key": key, "size": info.size, "etag": info.etag}, status=201))
        if method == "DELETE":
            store.delete(key)
            return HttpReply(204)
        if method == "GET":
            return _download(store, key)
        return error(405, f"{method} is not allowed on {PREFIX}objects/: use PUT, GET or DELETE")

    def _item(self, method: str, table: str, key: str) -> HttpReply:
        if table not in self.app.tables:
            return _unknown("table", table, self.app.tables)
        if method != "GET":
            return error(405, f"{method} is not allowed on {PREFIX}tables/{table}/<key>: use GET to read an item")
        item = open_table(table).get(key)
        if item is None:
            raise NotFound(table, f"table {table!r} holds no item {key!r}")
        return render({"table": table, "key": item.key, "value": item.value, "version": item.version})

    def _message(self, method: str, kind: str, name: str, environ: Environ) -> HttpReply:
        source_kind = kind.removesuffix("s")
        declared = self.app.queues if source_kind == "queue" else self.app.topics
        if name not in declared:
            return _unknown(source_kind, name, declared)
        if method != "POST":
            return error(405, f"{method} is not allowed on {PREFIX}{kind}/{name}/messages: use POST to send one")
        sent = _json_body(environ)
        body, attributes = sent.get("body", ""), sent.get("attributes") or {}
        if not isinstance(body, (str, dict, list)):
            raise InvalidValue(name, f"the message body is text or JSON, not {type(body).__name__}")
        message_id = self.local.send_message(source_kind, name, body, attributes)
        return render(Response({source_kind: name, "message_id": message_id}, status=202))

    def _token(self, query: dict[str, str]) -> HttpReply:
        auths = {auth.name: auth for auth in http_trigger.auths(self.app)}
        name = query.get("auth") or next(iter(auths), "")
        subject = query.get("subject", "")
        if name not in auths:
            return error(404, f"no jwt_auth named {name!r}; the App's routes require: {', '.join(auths) or 'none'}")
        if not subject:
            return error(400, f"say who the token is for: POST {PREFIX}token?subject=<who>[&scope=read write]")
        auth = auths[name]
        token = self.local.issuer.mint(auth, subject, query.get("scope", "").split())
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

    def _listing(self, method: str, kind: str, name: str, query: dict[str, str]) -> HttpReply:
        if method != "GET":
            return error(405, f"{method} is not allowed on {PREFIX}{kind}/{name}: use GET to list it")
        prefix = query.get("prefix", "")
        if kind == "objects":
            if name not in self.app.buckets:
                return _unknown("bucket", name, self.app.buckets)
            listed = [browse.object_record(info) for info in browse.objects(open_bucket(name), prefix)]
            return render({"bucket": name, "prefix": prefix, "objects": listed})
        if name not in self.app.tables:
            return _unknown("table", name, self.app.tables)
        found = [browse.item_record(item) for item in browse.items(open_table(name), prefix)]
        return render({"table": name, "prefix": prefix, "items": found})

    def _dead_letters(self, method: str, rest: str, environ: Environ) -> HttpReply:
        function, _, letter = rest.strip("/").partition("/")
        if function and function not in self.app.functions:
            return _unknown("function", function, list(self.app.functions))
        letters = self.local.letters
        if method == "GET" and not letter:
            return render({"dead_letters": [found.view() for found in letters.all(function or None)]})
        letter_id, _, action = letter.partition("/")
        try:
            if method == "GET" and letter_id and not action:
                return render(letters.read(function, letter_id).view())
            if method == "DELETE" and letter_id and not action:
                letters.discard(function, letter_id)
                return HttpReply(204)
            if method == "POST" and action == "replay":
                edited = _json_body(environ, optional=True).get("body")
                if edited is not None and not isinstance(edited, str):
                    raise InvalidValue(f"{function}/{letter_id}", 'an edited body is text: {"body": "..."}')
                replayed = self.local.replay(function, letter_id, None if edited is None else edited.encode())
                return render(Response({"replayed": replayed.name, "event_id": replayed.event.id}, status=202))
        except ValueError as exc:
            return error(400, f"dead letter {function}/{letter_id} is unreadable: {exc}; fix or delete its file")
        return error(
            405 if letter else 404,
            f"use GET {PREFIX}dead-letters[/<function>[/<id>]], POST {PREFIX}dead-letters/<function>/<id>/replay "
            f"or DELETE {PREFIX}dead-letters/<function>/<id>, not {method} {PREFIX}dead-letters/{rest}",
        )


def while_failed(load_error: dict[str, Any], access: ControlAccess, environ: Environ) -> HttpReply | None:
    """While the App cannot load, what answers under PREFIX: the dashboard, showing `load_error`, to the callers
    `access` lets in; None for any other path."""
    path = environ.get("PATH_INFO") or "/"
    if not path.startswith(PREFIX):
        return None
    try:
        signing_in = signed_in(environ, access)
        if signing_in is not None:
            return HttpReply(303, headers=signing_in)
        check_caller(environ, access)
    except Refused as exc:
        return error(exc.status, str(exc))
    return dashboard.failed(environ.get("REQUEST_METHOD", "GET"), path, load_error)


def bucket_by_physical_name(app: App, physical: str) -> LocalBucket:
    """The local store of the App's bucket whose physical name (the one a URL is signed for) is `physical`."""
    for name in app.buckets:
        if physical_name(ResourceSpec("bucket", name)) == physical:
            return open_bucket(name)
    raise NotFound(physical, "no bucket of the App has this name")


def signed_url_policy(app: App, physical: str) -> Cors | None:
    """The CORS policy of the signed URLs of the App's bucket whose physical name is `physical` (None: no page of
    another origin may use them)."""
    for name in app.buckets:
        if physical_name(ResourceSpec("bucket", name)) == physical:
            return app.signed_url_cors(name)
    return None


class SignedUrls:
    """WSGI app for signed URLs: GET downloads, PUT uploads (and fires the bucket's events).

    `open_physical` takes the bucket's physical name, the one the URL was signed for; `policy_of` gives the CORS
    policy of its signed URLs (`signed_url_policy`), by which it answers preflights and adds CORS headers, as S3's
    CORS rules and Cloud Storage's `cors` do in the clouds. Each reply has its line on `console`, if given.
    """

    def __init__(
        self,
        open_physical: Callable[[str], LocalBucket],
        policy_of: Callable[[str], Cors | None],
        console: Console | None = None,
    ) -> None:
        self.open_physical = open_physical
        self.policy_of = policy_of
        self.console = console

    @classmethod
    def of(cls, app: App, console: Console | None = None) -> SignedUrls:
        """The signed URLs of `app`'s buckets."""
        return cls(partial(bucket_by_physical_name, app), partial(signed_url_policy, app), console)

    def __call__(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        physical = (environ.get("PATH_INFO") or "")[len(signed_urls.ROUTE) :].partition("/")[0]
        policy = self.policy_of(physical)
        headers = environ_headers(environ)
        if is_preflight(environ.get("REQUEST_METHOD", "GET"), headers):
            return answered(
                lambda environ: _signed_url_preflight(policy, headers), environ, start_response, self.console
            )
        return answered(
            self._answer,
            environ,
            start_response,
            self.console,
            finish=lambda reply: with_cors(policy, headers.get("origin"), reply),
        )

    def _answer(self, environ: Environ) -> HttpReply:
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
        return HttpReply(200, headers=[("ETag", f'"{info.etag}"')])


def _signed_url_preflight(policy: Cors | None, headers: Headers) -> HttpReply:
    if policy is None:
        return error(
            403,
            "this bucket's signed URLs take no calls from pages of other origins; list the origins with "
            "bucket(name, cors=[...]) or portable.cors(allow_origins=[...])",
        )
    return preflight_reply(policy, headers, new_request_id())


def _unknown(kind: str, name: str, known: list[str]) -> HttpReply:
    return error(
        404, f"no {kind} named {name!r}{did_you_mean(name, known)}; the App declares: {', '.join(known) or 'none'}"
    )


def _json_body(environ: Environ, optional: bool = False) -> dict[str, Any]:
    """The request's body as a JSON object (with `optional`, none is {}); Refused (400) naming what it is
    otherwise."""
    if optional and not environ.get("wsgi.input_terminated") and environ.get("CONTENT_LENGTH") in (None, "", "0"):
        return {}
    try:
        sent = json.loads(request_body(environ, _JSON_BODY_MAX_BYTES))
    except ValueError as exc:
        raise Refused(400, f"the body is not JSON: {exc}") from None
    if not isinstance(sent, dict):
        raise Refused(400, f"the body is a JSON object, not {type(sent).__name__}")
    return sent


def answered(
    answer: Callable[[Environ], HttpReply],
    environ: Environ,
    start_response: StartResponse,
    console: Console | None,
    *,
    finish: Callable[[HttpReply], HttpReply] | None = None,
    quiet: Callable[[Environ, int], bool] | None = None,
) -> list[bytes]:
    """Send `answer`'s reply, or the error reply for what it raised (each passed through `finish`), with its line on
    `console`, unless `quiet` says the call and its status need none."""
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
    if console is not None and not (quiet is not None and quiet(environ, reply.status)):
        console.own_reply("control", environ, reply, time.perf_counter() - started)
    return send(start_response, reply)


# Stored content is the uploader's, not the runner's: whatever its type, a browser shows it in a sandbox of no
# origin (no script, no form, no same-origin call to /__portable/), and never guesses an active type for it.
STORED_OBJECT_HEADERS = [("Content-Security-Policy", "sandbox"), ("X-Content-Type-Options", "nosniff")]


def _download(store: LocalBucket, key: str) -> HttpReply:
    info, body = store.head(key), store.get(key)
    headers = [("Content-Type", info.content_type or "application/octet-stream"), ("ETag", f'"{info.etag}"')]
    return HttpReply(200, body, headers + STORED_OBJECT_HEADERS)
