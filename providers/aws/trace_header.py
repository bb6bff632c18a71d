"""AWS's trace header (X-Ray's `X-Amzn-Trace-Id`, and Lambda's `_X_AMZN_TRACE_ID`) -> the portable trace.

`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`: the root's two hex parts are the
W3C trace id (X-Ray's ids are W3C-compatible), `Parent` the caller's span. API Gateway adds the header to each
request it forwards; Lambda sets the variable for each invocation. A caller's own `traceparent` counts where
neither is there (a call through the test kit or `portable invoke`).
"""

from __future__ import annotations

import os

from portable.context import Trace
from portable.runtime_typing import TYPE_CHECKING
from portable.tracing import AWS, parse_traceparent, untraced

if TYPE_CHECKING:
    from typing import Any

HEADER = "x-amzn-trace-id"
VARIABLE = "_X_AMZN_TRACE_ID"
_HEX = frozenset("0123456789abcdef")
_UNTRACED = untraced(AWS)
_NO_HEADERS: dict[str, Any] = {}


def platform_trace(event: dict[str, Any]) -> Trace:
    """The trace an invocation continues: the request's X-Amzn-Trace-Id, Lambda's variable, or the caller's
    traceparent; else none yet (the call starts one)."""
    headers = event.get("headers")
    if not isinstance(headers, dict):
        headers = _NO_HEADERS
    found = parse(headers.get(HEADER) or os.environ.get(VARIABLE))
    if found is None and (parent := headers.get("traceparent")):
        found = parse_traceparent(parent, AWS)
    return found or _UNTRACED


def parse(value: object) -> Trace | None:
    """An X-Ray trace header read, or None for anything else (a trace is a hint, never an error)."""
    if not isinstance(value, str):
        return None
    fields = dict(part.strip().partition("=")[::2] for part in value.split(";"))
    root = fields.get("Root", "")
    if len(root) != 35 or root[:2] != "1-" or root[10] != "-":
        return None
    trace_id = (root[2:10] + root[11:]).lower()
    span = fields.get("Parent", "").lower()
    if not _HEX.issuperset(trace_id) or (span and (len(span) != 16 or not _HEX.issuperset(span))):
        return None
    return Trace(trace_id, span, fields.get("Sampled") == "1", AWS)
