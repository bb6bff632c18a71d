"""Metrics: declared at module level, recorded in handlers, on each cloud's own dashboards.

    uploads = portable.metric("photos_uploaded", unit="Count", dimensions=["tier"])

    @photos.on_created
    def count(event: ObjectEvent) -> None:
        uploads.record(1, tier="pro")

A record is one line of the call's log, in its target's words (the trace's style, `portable.tracing`): on AWS a
CloudWatch Embedded Metric Format document on stdout (`emf_line`), which CloudWatch Logs turns into the metric in
the namespace of the Pulumi project, with no SDK call and no wait; on GCP a structured log line (`metric_fields`)
that the log-based metric the deploy creates for each declared metric counts (`log_filter`, `value_extractor`,
`label_extractors`: the one home of the line's shape, which both sides read); locally the same line on the
console. The declaration is checked where it is written, against the strictest cloud's rules
(`portable.limits`); a record that does not fit its declaration is refused with `InvalidValue`.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
from contextvars import ContextVar

from portable.app import MetricSpec, caller_location, register_metric
from portable.context import LOCAL, current_invocation
from portable.errors import AppDefinitionError, InvalidValue
from portable.limits import (
    METRIC_DIMENSION_VALUE_MAX_CHARS,
    METRIC_DIMENSIONS_MAX,
    METRIC_NAME_MAX_CHARS,
)
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

# Where the deploy names the namespace (AWS: the Pulumi project; GCP: the project and the stack).
NAMESPACE_VARIABLE = "PORTABLE_METRICS_NAMESPACE"
DEFAULT_NAMESPACE = "portable"
AWS = "aws"  # the trace style of the AWS shim (portable.tracing.AWS), whose lines are EMF
# Where the local runner shows a call's records besides its log line (its console and dashboard), set for the length
# of the call: (metric, value, unit, dimensions).
shown_locally: ContextVar[Callable[[str, float, str, dict[str, str]], None] | None] = ContextVar(
    "portable_metrics_shown_locally", default=None
)

# CloudWatch's units, each with the UCUM unit Cloud Monitoring takes for the same thing.
UNITS = {
    "Count": "1",
    "Percent": "%",
    "Seconds": "s",
    "Milliseconds": "ms",
    "Microseconds": "us",
    "Bytes": "By",
    "Kilobytes": "kBy",
    "Megabytes": "MBy",
    "Gigabytes": "GBy",
    "Terabytes": "TBy",
    "Bits": "bit",
    "Kilobits": "kbit",
    "Megabits": "Mbit",
    "Gigabits": "Gbit",
    "Terabits": "Tbit",
    "Count/Second": "1/s",
    "Bytes/Second": "By/s",
    "Kilobytes/Second": "kBy/s",
    "Megabytes/Second": "MBy/s",
    "Gigabytes/Second": "GBy/s",
    "Terabytes/Second": "TBy/s",
    "Bits/Second": "bit/s",
    "Kilobits/Second": "kbit/s",
    "Megabits/Second": "Mbit/s",
    "Gigabits/Second": "Gbit/s",
    "Terabits/Second": "Tbit/s",
    "None": "1",
}
# A metric's name and its dimensions' names: what CloudWatch, Cloud Monitoring's metric ids and label keys (lower
# case, `[a-z][a-z0-9_]*`) all take.
_NAME = re.compile(rf"[A-Za-z][A-Za-z0-9_]{{0,{METRIC_NAME_MAX_CHARS - 1}}}")
_DIMENSION = re.compile(r"[a-z][a-z0-9_]{0,62}")
# The fields every log line has (portable.log), which a dimension would shadow in the line.
_LINE_FIELDS = frozenset({"severity", "message", "time", "function", "trigger", "request_id", "event_id", "trace"})


class Metric:
    """A metric, declared once at module level: what `portable.metric(...)` returns. `record` adds a value."""

    __slots__ = ("spec",)

    def __init__(self, spec: MetricSpec) -> None:
        self.spec = spec

    def __repr__(self) -> str:
        return f"metric({self.spec.name!r}, unit={self.spec.unit!r}, dimensions={list(self.spec.dimensions)!r})"

    def record(self, value: float, **dimensions: str) -> None:
        """Record `value` (a finite number) with a value for each declared dimension (`tier="pro"`): one line of the
        call's log, which the cloud turns into the metric. InvalidValue if it does not fit the declaration."""
        spec = self.spec
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise InvalidValue(spec.name, f"a metric records a finite number, got {value!r}")
        if dimensions.keys() != set(spec.dimensions):
            raise InvalidValue(
                spec.name,
                f"record(...) takes a value for each dimension declared at {spec.where}: "
                f"{', '.join(spec.dimensions) or 'none'}; got {', '.join(sorted(dimensions)) or 'none'}",
            )
        for name, given in dimensions.items():
            if not isinstance(given, str) or not given.strip() or len(given) > METRIC_DIMENSION_VALUE_MAX_CHARS:
                raise InvalidValue(
                    spec.name,
                    f"dimension {name}= takes text of 1 to {METRIC_DIMENSION_VALUE_MAX_CHARS} characters, not only "
                    f"spaces (CloudWatch's rule), got {given!r}",
                )
        invocation = current_invocation.get()
        trace = invocation.trace if invocation is not None else None
        style = trace.resolved().style if trace is not None else LOCAL
        if style == AWS:
            sys.stdout.write(emf_line(spec, namespace(), value, dimensions, invocation) + "\n")
            sys.stdout.flush()
            return
        from portable import log

        log.info(f"metric {spec.name}", metric=metric_fields(spec, namespace(), value, dimensions))
        show = shown_locally.get()
        if show is not None:
            show(spec.name, value, spec.unit, dimensions)


def metric(name: str, *, unit: str = "Count", dimensions: Iterable[str] = ()) -> Metric:
    """Declare the metric `name` (at module level), measured in `unit` (one of CloudWatch's units: "Count",
    "Milliseconds", "Bytes", ...) with the `dimensions` each record names a value for (at most 10)."""
    where = caller_location()
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise AppDefinitionError(
            f"{where}: metric name {name!r} must be 1 to {METRIC_NAME_MAX_CHARS} ASCII letters, digits and '_', "
            "starting with a letter (Cloud Monitoring's metric ids and CloudWatch's names both take it)"
        )
    if unit not in UNITS:
        raise AppDefinitionError(
            f"{where}: metric {name!r} has unit={unit!r}; use one of CloudWatch's units, which Cloud Monitoring "
            f"takes too: {', '.join(UNITS)}"
        )
    if isinstance(dimensions, str):
        raise AppDefinitionError(f"{where}: dimensions= takes a list of names, e.g. dimensions=[{dimensions!r}]")
    names = tuple(dimensions)
    if len(names) > METRIC_DIMENSIONS_MAX:
        raise AppDefinitionError(
            f"{where}: metric {name!r} has {len(names)} dimensions; a log-based metric on GCP takes at most "
            f"{METRIC_DIMENSIONS_MAX} labels"
        )
    for dimension in names:
        if not isinstance(dimension, str) or not _DIMENSION.fullmatch(dimension) or dimension in _LINE_FIELDS:
            raise AppDefinitionError(
                f"{where}: dimension {dimension!r} of metric {name!r} must be 1 to 63 lower-case letters, digits and "
                f"'_', starting with a letter (Cloud Monitoring's label keys), and not one of a log line's own "
                f"fields ({', '.join(sorted(_LINE_FIELDS))})"
            )
    if len(set(names)) != len(names):
        raise AppDefinitionError(f"{where}: metric {name!r} names a dimension twice: {list(names)!r}")
    spec = MetricSpec(name, unit, tuple(names), where)
    register_metric(spec)
    return Metric(spec)


def namespace() -> str:
    """The namespace the deploy named (AWS: the Pulumi project's name; GCP: project and stack), else "portable"."""
    return os.environ.get(NAMESPACE_VARIABLE) or DEFAULT_NAMESPACE


# The lines ----------------------------------------------------------------------------------------------------------


def emf_line(spec: MetricSpec, space: str, value: float, dimensions: dict[str, str], invocation: Any = None) -> str:
    """One CloudWatch Embedded Metric Format document: the metric under `_aws`, its value and dimensions as members
    of the root, and the call's function, id and X-Ray trace as members CloudWatch Logs Insights can search."""
    document: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": space,
                    "Dimensions": [list(spec.dimensions)],
                    "Metrics": [{"Name": spec.name, "Unit": spec.unit}],
                }
            ],
        },
        spec.name: value,
        **dimensions,
    }
    if invocation is not None and invocation.function is not None:
        from portable.tracing import log_fields

        document["function"] = invocation.function.name
        if invocation.trace is not None:
            document.update(log_fields(invocation.trace.resolved()))
    return json.dumps(document, ensure_ascii=False)


def metric_fields(spec: MetricSpec, space: str, value: float, dimensions: dict[str, str]) -> dict[str, Any]:
    """The `metric` field of a GCP (and local) log line: what the log-based metric's filter and extractors read."""
    return {"name": spec.name, "namespace": space, "value": value, "unit": spec.unit, "dimensions": dimensions}


def log_filter(spec: MetricSpec, space: str) -> str:
    """The Cloud Logging filter of the log-based metric of `spec`: the lines `record` writes in `space`."""
    return f'jsonPayload.metric.name="{spec.name}" AND jsonPayload.metric.namespace="{space}"'


def value_extractor() -> str:
    return "EXTRACT(jsonPayload.metric.value)"


def label_extractors(spec: MetricSpec) -> dict[str, str]:
    """Each dimension's label, read from the line."""
    return {name: f"EXTRACT(jsonPayload.metric.dimensions.{name})" for name in spec.dimensions}
