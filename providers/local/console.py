"""The local runner's console: one readable line per invocation, on stderr beside the JSON lines of `portable.log`.

    08:31:02.114 hello http POST /hello -> 200 (3 ms)
    08:31:02.160 make_thumbnail object created uploads/cat.jpg -> retry in 10 s, attempt 1 of 3 (41 ms)
    08:31:04.002 nightly_report schedule due 2026-11-28T02:00:00Z -> ok (8 ms)
    08:31:04.005 nightly_report metric reports_written tier=pro = 1 Count

Time (local), function, trigger, what it was called with, outcome and duration; a metric a call
records has its line too (`portable.metric`). The JSON lines stay as they are: what handlers log,
and the details of a failure.

The runner keeps its latest lines too, for the dashboard's live log (`/__portable/log`): one
append under a lock per invocation, whether or not a page is reading them.

Keys and paths come from callers: every character a terminal would act on prints escaped (`printable`).
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple, TextIO

from portable.metrics import shown_locally
from portable.replies import HttpReply
from providers.local.events import LocalEvent, codec, kind_of_event
from providers.local.wsgi import Environ, StartResponse

# How many lines the dashboard can scroll back through.
KEPT_LINES = 1000
METRIC = "metric"  # the trigger column of a metric's line


def printable(text: str) -> str:
    """`text` with every character a terminal would act on escaped: controls (C0, C1), line and paragraph
    separators, bidirectional and other format characters, each as `\\xNN`, `\\uNNNN` or `\\UNNNNNNNN`."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        character if character.isprintable() or character == " " else ascii(character)[1:-1] for character in text
    )


class Line(NamedTuple):
    """One invocation as the console says it; `seq` counts the lines of this process from 1."""

    seq: int
    at: datetime
    function: str
    trigger: str
    subject: str
    outcome: str
    milliseconds: float

    @property
    def text(self) -> str:
        stamp = self.at.strftime("%H:%M:%S.%f")[:-3]
        if self.trigger == METRIC:
            return f"{stamp} {self.function} {METRIC} {self.subject} = {self.outcome}"
        return f"{stamp} {self.function} {self.trigger} {self.subject} -> {self.outcome} ({self.milliseconds:.0f} ms)"

    @property
    def level(self) -> str:
        """`ok`, `retry` or `failed`: a 2xx or 3xx status and `ok` are ok; a status from 400 and a dead letter fail."""
        if self.trigger == METRIC:
            return "ok"
        status = self.outcome.split(" ", 1)[0]
        if status.isdigit():
            return "ok" if int(status) < 400 else "failed"
        if self.outcome == "ok":
            return "ok"
        return "retry" if self.outcome.startswith("retry") else "failed"

    def record(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="milliseconds"),
            "function": self.function,
            "trigger": self.trigger,
            "subject": self.subject,
            "outcome": self.outcome,
            "level": self.level,
            "milliseconds": round(self.milliseconds, 1),
            "text": self.text,
        }


class Console:
    """Writes each invocation's line to `stream` (default: stderr at the time) and keeps the latest `keep`."""

    def __init__(self, stream: TextIO | None = None, keep: int = KEPT_LINES) -> None:
        self.stream = stream
        self._lines: deque[Line] = deque(maxlen=keep)
        self._seq = 0
        self._closed = False
        self._changed = threading.Condition()

    def invocation(self, function: str, trigger: str, subject: str, outcome: str, seconds: float) -> None:
        """Write and keep one line; `subject` and `outcome` print with what a terminal would act on escaped."""
        subject, outcome = printable(subject), printable(outcome)
        with self._changed:
            self._seq += 1
            line = Line(self._seq, datetime.now(), function, trigger, subject, outcome, seconds * 1000)
            self._lines.append(line)
            self._changed.notify_all()
        stream = self.stream or sys.stderr
        stream.write(line.text + "\n")
        stream.flush()

    def metric(self, function: str, name: str, value: float, unit: str, dimensions: dict[str, str]) -> None:
        """The line of a metric `function` recorded: its name and dimensions, `= value unit`."""
        subject = " ".join([name, *(f"{key}={given}" for key, given in sorted(dimensions.items()))])
        self.invocation(function, METRIC, subject, f"{value:g} {unit}", 0.0)

    @contextmanager
    def showing_metrics(self, function: str) -> Iterator[None]:
        """Within this block, the metrics recorded (by `function`'s call in this thread) get their line here."""
        token = shown_locally.set(
            lambda name, value, unit, dimensions: self.metric(function, name, value, unit, dimensions)
        )
        try:
            yield
        finally:
            shown_locally.reset(token)

    def since(self, seq: int) -> list[Line]:
        """The kept lines after line `seq` (0: all of them)."""
        with self._changed:
            return [line for line in self._lines if line.seq > seq]

    def wait(self, seq: int, timeout: float) -> list[Line]:
        """The lines after `seq`, waiting up to `timeout` seconds for one; none once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._seq > seq, timeout)
            return [line for line in self._lines if line.seq > seq]

    def own_reply(self, label: str, environ: Environ, reply: HttpReply, seconds: float) -> None:
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
        self.invocation(label, "http", codec("http").subject(environ), outcome, seconds)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Wake every reader, for good: the process is stopping, and open streams must end."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


def event_subject(event: LocalEvent) -> str:
    """What the event is about, in its kind's words (`<kind>_codec.subject`)."""
    subject: str = codec(kind_of_event(event)).subject(event)
    return subject


def timed_http(
    console: Console,
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
        with console.showing_metrics(function):
            return app(environ, recording)
    finally:
        console.invocation(function, "http", codec("http").subject(environ), status, time.perf_counter() - started)
