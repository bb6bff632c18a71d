"""Each call as an OpenTelemetry span, for an app that installed `portable-serverless[otel]` and configured a tracer
provider (`opentelemetry.trace.set_tracer_provider(...)`, or an auto-instrumentation agent).

Never imported unless the app has imported `opentelemetry.trace` itself (`spans` in `portable.tracing` looks in
`sys.modules` first): a function without OpenTelemetry loads nothing of it. The span continues the call's trace
(the caller's or the platform's, or the sender's for a message) as its remote parent, is the current span while the
handler runs (so the app's own spans nest under it), and gives the call its trace and span ids: its log lines and
the messages it sends carry the span's.
"""

from __future__ import annotations

from opentelemetry import context, trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode, TraceFlags

from portable.context import Trace
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contextvars import Token
    from typing import Any

    from portable.app import FunctionSpec

    Started = tuple[trace.Span, Token[context.Context]]


class Spans:
    """Starts and ends the spans of calls, with the app's tracer provider."""

    def __init__(self, tracer: trace.Tracer) -> None:
        self.tracer = tracer

    def start(self, spec: FunctionSpec, parent: Trace) -> tuple[Started, Trace]:
        """A span for one call of `spec` under `parent` (no parent: a new trace), made current; and the call's
        trace as the span names it."""
        kind = SpanKind.SERVER if spec.kind == "http" else SpanKind.CONSUMER
        span = self.tracer.start_span(
            spec.name,
            context=_remote_parent(parent),
            kind=kind,
            attributes={"faas.name": spec.name, "faas.trigger": _TRIGGERS.get(spec.kind, "other")},
        )
        token = context.attach(trace.set_span_in_context(span))
        made = span.get_span_context()
        own = Trace(f"{made.trace_id:032x}", f"{made.span_id:016x}", made.trace_flags.sampled, parent.style)
        return (span, token), own

    def end(self, started: Started, error: BaseException | None = None, status: int | None = None) -> None:
        """End the call's span: an error (or a 5xx `status`) marks it failed."""
        span, token = started
        if status is not None:
            span.set_attribute("http.response.status_code", status)
        if error is not None:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        elif status is not None and status >= 500:
            span.set_status(Status(StatusCode.ERROR))
        context.detach(token)
        span.end()


# OpenTelemetry's semantic conventions for FaaS: what started the call.
_TRIGGERS = {"http": "http", "object": "datasource", "change": "datasource", "schedule": "timer", "message": "pubsub"}


def _remote_parent(parent: Trace) -> Any:
    if not parent.trace_id:
        return None
    span_id = int(parent.span_id, 16) if parent.span_id else int.from_bytes(_random_span(), "big")
    flags = TraceFlags(TraceFlags.SAMPLED if parent.sampled else TraceFlags.DEFAULT)
    remote = SpanContext(int(parent.trace_id, 16), span_id, is_remote=True, trace_flags=flags)
    return trace.set_span_in_context(NonRecordingSpan(remote))


def _random_span() -> bytes:
    import os

    return os.urandom(8)


def spans() -> Spans | None:
    """The app's tracer as `Spans`, or None where no tracer provider is configured (OpenTelemetry's default proxy
    would record nothing)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
        return None
    return Spans(provider.get_tracer("portable"))
