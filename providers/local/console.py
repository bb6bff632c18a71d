"""The local runner's console: one readable line per invocation, on stderr beside the JSON lines of `portable.log`.

    08:31:02.114 hello http POST /hello -> 200 (3 ms)
    08:31:02.160 make_thumbnail object created uploads/cat.jpg -> retry in 10 s, attempt 1 of 3 (41 ms)
    08:31:04.002 nightly_report schedule due 2026-11-28T02:00:00Z -> ok (8 ms)

Time (local), function, trigger, what it was called with, outcome and duration. The
JSON lines stay as they are: what handlers log, and the details of a failure.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from portable.events import ScheduleEvent
from portable.invoke import Reply
from portable.messages import Message
from providers.local.events import LocalEvent
from providers.local.wsgi import Environ, StartResponse


def printable(text: str) -> str:
    """`text` with every character a terminal would act on escaped: controls (C0, C1), line and paragraph
    separators, bidirectional and other format characters, each as `\\xNN`, `\\uNNNN` or `\\UNNNNNNNN`."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        character if character.isprintable() or character == " " else ascii(character)[1:-1] for character in text
    )


def invocation(function: str, trigger: str, subject: str, outcome: str, seconds: float) -> None:
    stamp = datetime.now().strftime("%H:%M:%S.%f")[:-3]
    line = f"{stamp} {function} {trigger} {printable(subject)} -> {printable(outcome)} ({seconds * 1000:.0f} ms)\n"
    sys.stderr.write(line)
    sys.stderr.flush()


def event_subject(event: LocalEvent) -> str:
    if isinstance(event, ScheduleEvent):
        return f"due {event.time:%Y-%m-%dT%H:%M:%SZ}"
    if isinstance(event, Message):
        return f"message {event.id} from {event.source}"
    return f"{event.kind} {event.bucket}/{event.key}"


def request_path(environ: Environ) -> str:
    """The request's path as its sender wrote it: the bytes PEP 3333 hands over as latin-1, read as UTF-8."""
    raw = (environ.get("PATH_INFO") or "/").encode("latin-1", "replace")
    return raw.decode("utf-8", "backslashreplace")


def own_reply(label: str, environ: Environ, reply: Reply, seconds: float) -> None:
    """The line of a reply the runner writes itself, a refusal included (a preflight's, a 401, a 404, a control
    call's): `label` in place of a function, the status, and for an error what it says."""
    outcome = str(reply.status)
    if reply.status >= 400:
        import json

        try:
            said = json.loads(reply.body).get("error")
        except (ValueError, AttributeError):
            said = None
        if isinstance(said, str):
            outcome += f" {said[:160]}"
    subject = f"{environ.get('REQUEST_METHOD', 'GET')} {request_path(environ)}"
    invocation(label, "http", subject, outcome, seconds)


def timed_http(
    app: Callable[[Environ, StartResponse], Iterable[bytes]],
    function: str,
    environ: Environ,
    start_response: StartResponse,
) -> Iterable[bytes]:
    """`app`'s answer to the request, with its line on the console: the status it answered, or `failed`."""
    started = time.perf_counter()
    status = "failed"

    def recording(status_line: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
        nonlocal status
        status = status_line.split(" ", 1)[0]
        return start_response(status_line, headers, *exc_info)

    try:
        return app(environ, recording)
    finally:
        subject = f"{environ.get('REQUEST_METHOD', 'GET')} {request_path(environ)}"
        invocation(function, "http", subject, status, time.perf_counter() - started)
