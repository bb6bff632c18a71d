"""OpenTelemetry spans, where the app configured a tracer provider: each call a span continuing the caller's trace,
the message's consumer a child of the call that sent it, the spans' ids in the log lines. In a fresh interpreter,
since OpenTelemetry's tracer provider is set once per process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

CALLER = "4bf92f3577b34da6a3ce929d0e0e4736"
PROBE = """
import json, sys
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from docs.examples.traces.functions.telemetry import configure
from portable.testing import Kit

exporter = InMemorySpanExporter()
if sys.argv[2] == "configured":
    configure(exporter)  # the documentation's example
with Kit(sys.argv[1], package="tests.apps.traced") as kit:
    reply = kit.http("POST", "/signups", json={"user": "ada"},
                     headers={"traceparent": sys.argv[3]})
getattr(trace.get_tracer_provider(), "force_flush", lambda: None)()
spans = [
    {"name": s.name, "kind": s.kind.name, "trace": f"{s.context.trace_id:032x}", "span": f"{s.context.span_id:016x}",
     "parent": f"{s.parent.span_id:016x}" if s.parent else None, "status": s.status.status_code.name}
    for s in exporter.get_finished_spans()
]
print(json.dumps({"reply": reply.json(), "spans": spans}))
"""


def run(target: str, configured: str) -> tuple[dict[str, object], list[dict[str, str]], list[dict[str, object]]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, target, configured, f"00-{CALLER}-00f067aa0ba902b7-01"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    return result["reply"], result["spans"], [line for line in lines if "seen" in line]


@pytest.mark.parametrize("target", ["aws", "local"])
def test_each_call_is_a_span_and_the_consumer_is_the_sender_s_child(target: str) -> None:
    reply, spans, lines = run(target, "configured")
    by_name = {span["name"]: span for span in spans}
    assert sorted(by_name) == ["queue_welcome", "send_welcome", "sign_up"]
    assert {span["trace"] for span in spans} == {CALLER} and reply == {"trace": CALLER}
    assert by_name["sign_up"]["kind"] == "SERVER" and by_name["sign_up"]["parent"] == "00f067aa0ba902b7"
    assert by_name["queue_welcome"]["kind"] == "CONSUMER"
    assert by_name["queue_welcome"]["parent"] == by_name["sign_up"]["span"]
    assert by_name["send_welcome"]["parent"] == by_name["queue_welcome"]["span"]
    assert {line["seen"] for line in lines} == {CALLER} and len(lines) == 3  # portable.trace_id() is the span's


def test_imported_but_not_configured_makes_no_span() -> None:
    reply, spans, _ = run("local", "unconfigured")
    assert spans == [] and reply == {"trace": CALLER}
