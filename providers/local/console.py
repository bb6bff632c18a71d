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

from providers.local.events import LocalEvent, codec, kind_of_event
from providers.local.wsgi import Environ, StartResponse


def invocation(function: str, trigger: str, subject: str, outcome: str, seconds: float) -> None:
    stamp = datetime.now().strftime("%H:%M:%S.%f")[:-3]
    sys.stderr.write(f"{stamp} {function} {trigger} {subject} -> {outcome} ({seconds * 1000:.0f} ms)\n")
    sys.stderr.flush()


def event_subject(event: LocalEvent) -> str:
    """What the event is about, in its kind's words (`<kind>_codec.subject`)."""
    subject: str = codec(kind_of_event(event)).subject(event)
    return subject


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
        invocation(function, "http", codec("http").subject(environ), status, time.perf_counter() - started)
