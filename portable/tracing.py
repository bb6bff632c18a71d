"""Every invocation's trace: its id, taken from the platform or the caller, carried by log lines and messages.

    portable.trace_id()      # "4bf92f3577b34da6a3ce929d0e0e4736", inside a call; None outside one

A trace id is W3C Trace Context's: 32 lower-case hex digits, the same on every target. A shim hands the delivery
rule its platform's trace (`Trace`: AWS's `X-Amzn-Trace-Id` or `_X_AMZN_TRACE_ID`, GCP's `traceparent` or
`X-Cloud-Trace-Context`, the caller's `traceparent` locally) and the way its log lines name it (`style`). Each
call is a span of that trace with an id of its own (`child`); a message carries the trace on in its `traceparent`
attribute (`TRACE_ATTRIBUTE`, a name Portable reserves), so the consumer's call joins the sender's trace.
`portable.log` writes the trace in each cloud's own field (`log_fields`).

With OpenTelemetry installed and a tracer provider configured by the app, each call is also an OpenTelemetry span
(`portable.otel`); without it nothing of OpenTelemetry is imported.
"""

from __future__ import annotations

import os
import sys
import time
from itertools import count

from portable.context import LOCAL, Trace, current_invocation
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from portable.otel import Spans

    # What a shim hands a delivery rule: its platform's trace, or how to read it (most calls never ask), or None.
    TraceSource = Trace | Callable[[], Trace] | None

# The message attribute that carries the sender's trace (W3C traceparent), counted within the attribute limits.
TRACE_ATTRIBUTE = "traceparent"
AWS = "aws"  # `xray_trace_id`, in X-Ray's form; a GCP style is "projects/<project>" (Cloud Logging's fields)
_HEX = frozenset("0123456789abcdef")


def trace_id() -> str | None:
    """The running call's trace id (32 hex digits, W3C Trace Context's), the same in its log lines, in the messages
    it sends and in the calls those messages make; None outside a call."""
    invocation = current_invocation.get()
    trace = invocation.trace if invocation is not None else None
    return trace.resolved().trace_id if trace is not None else None


def current_traceparent() -> str | None:
    """The running call's `traceparent`, for the messages it sends; None outside a call."""
    invocation = current_invocation.get()
    trace = invocation.trace if invocation is not None else None
    return traceparent(trace.resolved()) if trace is not None else None


# Ids are unique, not secret: a random start per process, counted up, spares every call a system call for
# randomness (os.urandom costs a microsecond or two, on every event's path).
_SPANS = count(int.from_bytes(os.urandom(8), "big"))
_TRACES = count(int.from_bytes(os.urandom(12), "big"))
_built = tuple.__new__  # a Trace as the tuple it is, without NamedTuple's Python-level __new__ (every call makes one)


def new_span_id() -> str:
    """A span id: 16 hex digits, never all zeros."""
    return f"{next(_SPANS) & 0xFFFFFFFFFFFFFFFF or 1:016x}"


def new_trace_id() -> str:
    """A trace id whose first 8 hex digits are the time in seconds, as X-Ray's are (so that `xray_trace_id` is one X-Ray
    takes), and 24 more unique ones."""
    return f"{int(time.time()) & 0xFFFFFFFF:08x}{next(_TRACES) & (1 << 96) - 1:024x}"


NO_TRACE = Trace("", "", False)  # a platform that gave no trace, on a target whose lines name it `trace`


def untraced(style: str) -> Trace:
    """What a shim hands on when its platform gave no trace: only how its log lines name the one a call starts."""
    return _built(Trace, ("", "", False, style))


def continued(platform: Trace | None, carried: str | None = None) -> Trace:
    """The trace a call continues, in the platform's style: the one a message carries (`carried`, its
    traceparent), else the platform's, else none yet (empty ids)."""
    platform = platform or NO_TRACE
    found = parse_traceparent(carried, platform.style) if carried else None
    return found or platform


class CallTrace:
    """The trace of one call, worked out when something first asks for it (a log line, `trace_id()`, a message
    sent, a metric): most calls never do, and reading a platform's trace header costs more than the rest of an
    event's delivery. `platform` is the shim's `TraceSource`, `carried` the traceparent the event carried."""

    __slots__ = ("_carried", "_platform", "_trace")

    def __init__(self, platform: TraceSource, carried: str | None = None, trace: Trace | None = None) -> None:
        self._platform, self._carried, self._trace = platform, carried, trace

    @classmethod
    def known(cls, trace: Trace) -> CallTrace:
        """A call whose trace is already made (an OpenTelemetry span's)."""
        return cls(None, None, trace)

    def resolved(self) -> Trace:
        """The call's trace: a span of its own in the trace it continues (see `continued`, `child`)."""
        trace = self._trace
        if trace is None:
            trace = self._trace = child(continued(platform_of(self._platform), self._carried))
        return trace


def platform_of(source: TraceSource) -> Trace | None:
    """The platform's trace a `TraceSource` gives, read now."""
    return source() if callable(source) else source


def child(parent: Trace) -> Trace:
    """The trace of a call under `parent` (see `continued`): a span of its own in the parent's trace, or in a new
    trace where there is none."""
    trace_id, _, sampled, style = parent
    if not trace_id:
        return _built(Trace, (new_trace_id(), new_span_id(), False, style))
    return _built(Trace, (trace_id, new_span_id(), sampled, style))


def traceparent(trace: Trace) -> str:
    """W3C's `traceparent` for calls and messages this call makes: its trace, its span as their parent."""
    return f"00-{trace.trace_id}-{trace.span_id}-{'01' if trace.sampled else '00'}"


def parse_traceparent(value: str | None, style: str) -> Trace | None:
    """A W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`) read, or None for anything else (never an error: a
    trace is a hint)."""
    if not value or len(value) < 55:
        return None
    version, trace, span, flags = value[:2], value[3:35], value[36:52], value[53:55]
    if value[2] != "-" or value[35] != "-" or value[52] != "-" or version == "ff":
        return None
    if not _hex(version + trace + span + flags) or trace == "0" * 32 or span == "0" * 16:
        return None
    return Trace(trace, span, int(flags, 16) & 1 == 1, style)


def _hex(text: str) -> bool:
    return _HEX.issuperset(text)


def log_fields(trace: Trace) -> dict[str, Any]:
    """The fields a log line names the trace with, in its target's own words: Cloud Logging's
    `logging.googleapis.com/trace` (`projects/<project>/traces/<id>`), `.../spanId` and `.../trace_sampled` on GCP;
    `xray_trace_id` (X-Ray's `1-<8 hex>-<24 hex>`) on AWS; `trace` locally."""
    if trace.style == LOCAL:
        return {"trace": trace.trace_id}
    if trace.style == AWS:
        return {"xray_trace_id": f"1-{trace.trace_id[:8]}-{trace.trace_id[8:]}"}
    return {
        "logging.googleapis.com/trace": f"{trace.style}/traces/{trace.trace_id}",
        "logging.googleapis.com/spanId": trace.span_id,
        "logging.googleapis.com/trace_sampled": trace.sampled,
    }


def spans() -> Spans | None:
    """OpenTelemetry's spans of calls (`portable.otel`), where the app imported OpenTelemetry and configured a tracer
    provider; else None, having imported nothing."""
    if "opentelemetry.trace" not in sys.modules:
        return None
    from portable.otel import spans as configured

    return configured()
