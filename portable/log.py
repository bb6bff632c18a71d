"""One JSON object per line on stderr: what Cloud Logging and CloudWatch both parse.

Inside a call, every line carries the function, its trigger and the request or event id
(from `portable.context`), whether the shim or the handler wrote it, and the call's trace in
its cloud's own field (`portable.tracing.log_fields`). Use it from handlers:
`log.info("thumbnail written", key=event.key)`.
"""

from __future__ import annotations

import json
import sys
import time

from portable.context import current_invocation
from portable.runtime_typing import TYPE_CHECKING
from portable.tracing import log_fields

if TYPE_CHECKING:
    from typing import Any

_ID_FIELDS = {"http": "request_id"}
# What JSON leaves raw but a terminal acts on: C1 controls, line and paragraph separators, bidirectional controls.
# Escaped as \uXXXX, which stays the same JSON, so that a logged key cannot reorder or break the lines around it.
_TERMINAL_ESCAPES = {
    code: f"\\u{code:04x}"
    for code in (
        *range(0x80, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
}


def log(severity: str, message: str, **fields: Any) -> None:
    """Write one JSON line to stderr: `severity`, `message`, the time, the running function's labels, and `fields`
    (those that are None are left out; values JSON cannot hold are written as text)."""
    record: dict[str, Any] = {"severity": severity, "message": message, "time": round(time.time(), 3)}
    invocation = current_invocation.get()
    if invocation is not None and invocation.function is not None:
        trigger = invocation.function.kind
        record["function"] = invocation.function.name
        record["trigger"] = trigger
        record[_ID_FIELDS.get(trigger, "event_id")] = invocation.id
        if invocation.trace is not None:
            record.update(log_fields(invocation.trace.resolved()))
    record.update({key: value for key, value in fields.items() if value is not None})
    line = json.dumps(record, default=str, ensure_ascii=False)
    sys.stderr.write((line if line.isascii() else line.translate(_TERMINAL_ESCAPES)) + "\n")
    sys.stderr.flush()


def info(message: str, **fields: Any) -> None:
    """Log `message` with `fields` at severity INFO."""
    log("INFO", message, **fields)


def warning(message: str, **fields: Any) -> None:
    """Log `message` with `fields` at severity WARNING."""
    log("WARNING", message, **fields)


def error(message: str, **fields: Any) -> None:
    """Log `message` with `fields` at severity ERROR."""
    log("ERROR", message, **fields)
