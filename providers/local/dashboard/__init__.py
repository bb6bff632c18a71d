"""The local dashboard at http://127.0.0.1:8080/__portable/: every resource of the App, to see and to poke at.

The page is static HTML, CSS and JavaScript in this folder (shipped in the wheel; no Node, no build
step, nothing from a CDN). Everything it shows and does goes through the control endpoints
(providers/local/control.py), with their caller checks: the App's description (`/__portable/app`),
requests sent to its routes (`/__portable/requests`), the buckets, tables, schedules, messages and
dead letters, and the console's lines, streamed as server-sent events (`/__portable/log/stream`).
While the App cannot load, the page shows the load error (`load_failure.py` serves it) and waits
for the fix. The runner's request path pays one append per invocation for the log, page or no page.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portable.replies import HttpReply
from providers.local.wsgi import Environ, Refused, StartResponse

if TYPE_CHECKING:
    from providers.local.console import Console
    from providers.local.served import Served

PREFIX = "/__portable/"
STREAM = f"{PREFIX}log/stream"
ASSETS = f"{PREFIX}assets/"
# The header the page's own calls carry: their successful reads print no console line (see `own_read`).
OWN_CALL_HEADER = "X-Portable-Dashboard"
FILES = Path(__file__).parent
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css"}
# The page runs only its own script and style, talks only to the runner, and may not be framed by another site.
_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Tells this process's log lines from an earlier one's, so that a stream resumed after a reload starts afresh.
_PROCESS = uuid.uuid4().hex[:12]
# A stream says it is alive this often, so that a closed page is noticed and its thread freed.
HEARTBEAT_SECONDS = 15.0
_METHOD_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def own_read(environ: Environ, status: int) -> bool:
    """Whether a control reply is a successful read the dashboard made for itself: its assets, or a call of its page
    (which says so in OWN_CALL_HEADER). It reads as it goes, after each event and on every reload, so these print no
    console line: they would fill the live log it shows. Any other call, a curl or a refusal, has its line."""
    if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD") or status >= 400:
        return False
    path = environ.get("PATH_INFO") or ""
    return path.startswith(ASSETS) or environ.get("HTTP_" + OWN_CALL_HEADER.upper().replace("-", "_")) == "1"


def page(method: str, path: str) -> HttpReply | None:
    """The dashboard's page or one of its assets for GET `path`, else None."""
    if method not in ("GET", "HEAD"):
        return None
    if path == PREFIX:
        name = "index.html"
    elif path.startswith(ASSETS) and "/" not in path[len(ASSETS) :]:
        name = path[len(ASSETS) :]
    else:
        return None
    file = FILES / name
    if name.startswith(".") or file.suffix not in _TYPES or not file.is_file():
        return None
    headers = [
        ("Content-Type", _TYPES[file.suffix]),
        ("Cache-Control", "no-cache"),
        ("Content-Security-Policy", _PAGE_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
    ]
    return HttpReply(200, file.read_bytes(), headers)


def describe(local: Served) -> dict[str, Any]:
    """What the App declares and the runner holds, as the dashboard shows it: each kind adds its part (its local
    codec's `dashboard`), and the triggers a kind names by resource go with that bucket or table."""
    from portable.triggers import KINDS
    from providers.local.events import codec
    from providers.local.startup import warnings

    app = local.app
    now = datetime.now(UTC)
    pending = local.queue.pending()
    described: dict[str, Any] = {
        "functions": [
            {"name": spec.name, "trigger": spec.kind, "source": spec.source_file}
            for spec in sorted(app.functions.values(), key=lambda spec: spec.name)
        ]
    }
    triggers: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        for key, value in codec(kind).dashboard(app, pending, now).items():
            if key == "triggers":
                for resource, found in value.items():
                    triggers.setdefault(resource, []).extend(found)
            else:
                described[key] = value
    described["buckets"] = [{"name": name, "triggers": triggers.get(name, [])} for name in app.buckets]
    described["tables"] = [{"name": name, "triggers": triggers.get(name, [])} for name in app.tables]
    described["dead_letters"] = len(local.letters.all())
    described["fast_retries"] = local.fast_retries
    described["warnings"] = warnings(app)
    return described


def call(local: Served, sent: Mapping[str, Any]) -> dict[str, Any]:
    """Send the request `sent` describes ({"method", "path", "headers", "body"}) to the App's routes, as a caller
    on this machine would; what it answered ({"status", "headers", "body" or "body_base64", "milliseconds"})."""
    import base64

    from werkzeug.test import Client

    method = str(sent.get("method") or "GET").upper()
    path = str(sent.get("path") or "/")
    body = sent.get("body") or ""
    if not (0 < len(method) <= 20 and _METHOD_CHARACTERS.issuperset(method)):
        raise Refused(400, f"method {method[:40]!r} is not an HTTP method, e.g. GET or POST")
    if not path.startswith("/") or path.startswith(PREFIX):
        raise Refused(
            400, f"path {path[:100]!r} is not a path of the App's routes: start it with '/', outside {PREFIX}"
        )
    if not isinstance(body, str):
        raise Refused(400, "body is the request's body as text")
    started = time.perf_counter()
    response = Client(local, use_cookies=False).open(
        path,
        method=method,
        headers=_headers(sent.get("headers")),
        data=body.encode("utf-8"),
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    data = response.get_data()
    answer: dict[str, Any] = {
        "status": response.status_code,
        "headers": [[name, value] for name, value in response.headers.items()],
        "milliseconds": round((time.perf_counter() - started) * 1000, 1),
    }
    try:
        answer["body"] = data.decode("utf-8")
    except UnicodeDecodeError:
        answer["body_base64"] = base64.b64encode(data).decode("ascii")
    return answer


def _headers(given: object) -> list[tuple[str, str]]:
    """[[name, value], ...] or {name: value}, as (name, value) pairs of text."""
    pairs = given.items() if isinstance(given, Mapping) else given if isinstance(given, list) else ()
    headers = []
    for pair in pairs:
        name, value = pair if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, None)
        if not isinstance(name, str) or not isinstance(value, str) or not name.strip():
            raise Refused(400, f"headers are [[name, value], ...] or {{name: value}} of text; got {pair!r}")
        headers.append((name.strip(), value))
    return headers


def log_lines(console: Console, after: str) -> dict[str, Any]:
    """The console's kept lines after line `after`, and the last line's number."""
    seq = int(after) if after.isdigit() else 0
    lines = console.since(seq)
    return {"process": _PROCESS, "lines": [line.record() for line in lines], "last": lines[-1].seq if lines else seq}


def stream(console: Console, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    """The console's lines as server-sent events, from where `Last-Event-ID` left off in this process, until the
    page goes away or the runner stops (then the page reconnects to the next one)."""
    process, _, seen = (environ.get("HTTP_LAST_EVENT_ID") or "").partition(":")
    start = int(seen) if process == _PROCESS and seen.isdigit() else 0
    start_response(
        "200 OK",
        [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff")],
    )
    return _events(console, start)


def _events(console: Console, seq: int) -> Iterator[bytes]:
    yield b"retry: 1000\n\n"
    while not console.closed:
        lines = console.wait(seq, HEARTBEAT_SECONDS)
        if console.closed:
            return
        if not lines:
            yield b": still here\n\n"
            continue
        for line in lines:
            yield f"id: {_PROCESS}:{line.seq}\ndata: {json.dumps(line.record())}\n\n".encode()
        seq = lines[-1].seq


def failed(method: str, path: str, load_error: dict[str, Any]) -> HttpReply | None:
    """While the App cannot load: the page, its assets and a description holding only the load error (its
    `LoadFailure.record()`); else None."""
    from portable.replies import render

    shown = page(method, path)
    if shown is not None:
        return shown
    if method == "GET" and path == f"{PREFIX}app":
        return render({"load_error": load_error})
    return None
