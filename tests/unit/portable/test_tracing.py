"""Traces: one id from the caller (or the platform) through the HTTP call, the message it published and the job
that message queued, on every target; each cloud's trace headers read; log lines naming the trace in each cloud's
own field; the traceparent attribute reserved, carried and kept from handlers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from portable.context import LOCAL, Trace
from portable.request import Headers
from portable.tracing import (
    AWS,
    CallTrace,
    child,
    continued,
    log_fields,
    parse_traceparent,
    trace_id,
    traceparent,
    untraced,
)
from providers.aws.trace_header import parse as parse_xray
from providers.gcp.http_codec import trace_of
from providers.testing.kit import Kit
from providers.testing.targets import TARGETS

PACKAGE = "tests.apps.traced"
CALLER = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = f"00-{CALLER}-00f067aa0ba902b7-01"
XRAY = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
TRACE_FIELDS = {"aws": "xray_trace_id", "gcp": "trace", "local": "trace"}


@pytest.fixture(params=TARGETS)
def kit(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kit]:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    with Kit(request.param, package=PACKAGE) as kit:
        yield kit


def lines(text: str) -> dict[str, dict[str, Any]]:
    """The chain's log lines, by message."""
    found = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return {line["message"]: line for line in found if line["message"].startswith(("signed", "welcome"))}


def logged_trace(kit: Kit, line: dict[str, Any]) -> str:
    value = line[TRACE_FIELDS[kit.target]]
    return value if kit.target != "aws" else value[2:10] + value[11:]


def test_a_request_its_message_and_the_queued_job_share_one_trace(kit: Kit, capsys: pytest.CaptureFixture[str]) -> None:
    reply = kit.http("POST", "/signups", json={"user": "ada"})
    chain = lines(capsys.readouterr().err)
    assert sorted(chain) == ["signed up", "welcome queued", "welcome sent"]
    (trace,) = {logged_trace(kit, line) for line in chain.values()}
    assert re.fullmatch("[0-9a-f]{32}", trace)
    assert {line["seen"] for line in chain.values()} == {trace} and reply.json() == {"trace": trace}
    # each call is a span of its own; the handlers never see the attribute that carried the trace
    assert chain["welcome queued"]["attributes"] == {"plan": "free"} and chain["welcome sent"]["attributes"] == {}
    if kit.target == "aws":
        assert chain["signed up"]["xray_trace_id"] == f"1-{trace[:8]}-{trace[8:]}"


def test_the_caller_s_trace_is_continued(kit: Kit, capsys: pytest.CaptureFixture[str]) -> None:
    header = ("X-Amzn-Trace-Id", XRAY) if kit.target == "aws" else ("traceparent", PARENT)
    expected = "5759e988bd862e3fe1be46a994272793" if kit.target == "aws" else CALLER
    assert kit.http("POST", "/signups", json={"user": "bo"}, headers=[header]).json() == {"trace": expected}
    assert {logged_trace(kit, line) for line in lines(capsys.readouterr().err).values()} == {expected}


def test_two_requests_are_two_traces(kit: Kit) -> None:
    first = kit.http("POST", "/signups", json={"user": "a"}).json()["trace"]
    assert kit.http("POST", "/signups", json={"user": "b"}).json()["trace"] != first


def test_aws_reads_lambda_s_variable_when_the_event_has_no_header(monkeypatch: pytest.MonkeyPatch) -> None:
    from providers.aws.trace_header import platform_trace

    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY)
    assert platform_trace({"Records": []}) == Trace("5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8", True, AWS)
    assert platform_trace({"headers": {"traceparent": PARENT}}).trace_id == "5759e988bd862e3fe1be46a994272793"
    monkeypatch.delenv("_X_AMZN_TRACE_ID")
    assert platform_trace({"headers": {"traceparent": PARENT}}).trace_id == CALLER
    assert platform_trace({}) == untraced(AWS)


# Formats -------------------------------------------------------------------------------------------------------------


def test_traceparent_is_read_as_w3c_writes_it() -> None:
    assert parse_traceparent(PARENT, LOCAL) == Trace(CALLER, "00f067aa0ba902b7", True, LOCAL)
    assert parse_traceparent(PARENT[:-2] + "00", LOCAL).sampled is False  # type: ignore[union-attr]
    for broken in ("", "00-abc", PARENT.upper(), "ff" + PARENT[2:], PARENT.replace(CALLER, "0" * 32), "x" * 55):
        assert parse_traceparent(broken, LOCAL) is None, broken
    assert traceparent(Trace(CALLER, "00f067aa0ba902b7", True)) == PARENT


def test_x_ray_and_google_trace_headers_are_read() -> None:
    assert parse_xray(XRAY) == Trace("5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8", True, AWS)
    assert parse_xray("Root=1-5759e988-bd862e3fe1be46a994272793").sampled is False  # type: ignore[union-attr]
    for broken in (None, "", "Root=2-x", "Root=1-5759e988-bd862e3fe1be46a99427279Z", XRAY.replace("c3f42", "c3f4")):
        assert parse_xray(broken) is None, broken
    google = trace_of(Headers([("X-Cloud-Trace-Context", "105445AA7843BC8BF206B12000100000/1;o=1")]), "projects/p")
    assert google == Trace("105445aa7843bc8bf206b12000100000", "0000000000000001", True, "projects/p")
    both = Headers([("X-Cloud-Trace-Context", "105445aa7843bc8bf206b12000100000/1"), ("traceparent", PARENT)])
    assert trace_of(both, "projects/p").trace_id == CALLER
    assert trace_of(Headers([("X-Cloud-Trace-Context", "nope")]), LOCAL) == untraced(LOCAL)


def test_each_target_names_the_trace_in_its_own_log_field() -> None:
    trace = Trace(CALLER, "00f067aa0ba902b7", True, LOCAL)
    assert log_fields(trace) == {"trace": CALLER}
    assert log_fields(trace._replace(style=AWS)) == {"xray_trace_id": "1-4bf92f35-77b34da6a3ce929d0e0e4736"}
    assert log_fields(trace._replace(style="projects/demo")) == {
        "logging.googleapis.com/trace": f"projects/demo/traces/{CALLER}",
        "logging.googleapis.com/spanId": "00f067aa0ba902b7",
        "logging.googleapis.com/trace_sampled": True,
    }


def test_a_call_continues_its_message_s_trace_then_the_platform_s_then_a_new_one() -> None:
    platform = Trace("1" * 32, "2" * 16, False, AWS)
    assert continued(platform, PARENT) == Trace(CALLER, "00f067aa0ba902b7", True, AWS)
    assert continued(platform, "garbage") == platform and continued(None) == untraced(LOCAL)
    call = child(continued(platform, PARENT))
    assert (call.trace_id, call.sampled, call.style) == (CALLER, True, AWS) and call.span_id != "00f067aa0ba902b7"
    fresh = child(untraced(AWS))
    assert re.fullmatch("[0-9a-f]{32}", fresh.trace_id) and fresh.style == AWS
    assert trace_id() is None  # outside a call


def test_a_new_trace_id_is_one_x_ray_takes_and_ids_do_not_repeat() -> None:
    import time

    from portable.tracing import new_span_id, new_trace_id

    ids = {new_trace_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(re.fullmatch("[0-9a-f]{32}", i) for i in ids)
    assert all(abs(int(i[:8], 16) - time.time()) < 5 for i in ids)  # X-Ray's first part: the time in seconds
    spans = {new_span_id() for _ in range(1000)}
    assert len(spans) == 1000 and "0" * 16 not in spans


def test_a_call_reads_its_platforms_trace_only_when_something_asks_for_it() -> None:
    """Reading a trace header costs more than the rest of an event's delivery: a call that logs nothing, sends
    nothing and never calls trace_id() never reads it; one that asks reads it once, and keeps its own span."""
    reads: list[str] = []

    def platform() -> Trace:
        reads.append("read")
        return Trace(CALLER, "00f067aa0ba902b7", True, AWS)

    CallTrace(platform)
    assert reads == [], "made without reading the platform's trace"
    asked = CallTrace(platform)
    first = asked.resolved()
    assert reads == ["read"] and first.trace_id == CALLER and first.span_id != "00f067aa0ba902b7" and first.sampled
    assert asked.resolved() is first and reads == ["read"], "worked out once per call"
    carried = CallTrace(platform, f"00-{'a' * 32}-{'b' * 16}-00").resolved()
    assert carried.trace_id == "a" * 32 and carried.style == AWS, "a carried traceparent wins, in the platform's style"
