"""What every call does for its trace, alone, when nothing asks for it: the AWS shim hands over how to read the
platform's trace, the call holds it (`CallTrace`, which reads it only when a log line, `trace_id()`, a message or a
metric asks), and the delivery looks for OpenTelemetry. Measured per call against the hand-written SQS handler
(which does almost nothing): the cost of traces not used. What a call that asks pays is the traced message's
measure (`bench/app/traced.py`)."""

from __future__ import annotations

from typing import Any

from portable.tracing import CallTrace, spans
from providers.aws.trace_header import platform_trace


def handler(event: Any, context: Any) -> None:
    CallTrace(lambda: platform_trace(event))
    spans()
