"""What every call does for its trace, alone, when nothing traces it: the AWS shim reads the platform's trace from
the event and Lambda's variable, the call continues it in a span of its own, and the delivery looks for
OpenTelemetry. Measured per call against the hand-written SQS handler (which does almost nothing): the cost of
traces not used."""

from __future__ import annotations

from typing import Any

from portable.tracing import child, continued, spans
from providers.aws.trace_header import platform_trace


def handler(event: Any, context: Any) -> None:
    child(continued(platform_trace(event)))
    spans()
