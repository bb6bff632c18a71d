"""The measurements, run by `python -m bench` inside a bench virtualenv (one per Python version); prints JSON.

    <venv>/bin/python bench/measure.py <plan.json>

Every figure is a same-run comparison: the sides take turns, round after round, so that noise
from a shared machine hits them alike, and each ratio is taken within one round.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HTTP_V2 = {
    "version": "2.0",
    "routeKey": "POST /hello",
    "rawPath": "/hello",
    "rawQueryString": "",
    "headers": {"content-type": "application/json", "host": "example.com"},
    "requestContext": {
        "http": {"method": "POST", "path": "/hello", "sourceIp": "203.0.113.7"},
        "requestId": "bench",
        "stage": "$default",
    },
    "body": '{"name": "Alice"}',
    "isBase64Encoded": False,
}


def routed(path: str) -> dict[str, Any]:
    """HTTP_V2 sent to another route: the typed handlers' (bench/app/greet_typed.py, greet_pydantic.py)."""
    event = json.loads(json.dumps(HTTP_V2))
    event["routeKey"], event["rawPath"] = f"POST {path}", path
    event["requestContext"]["http"]["path"] = path
    return event


TYPED_V2 = routed("/hello-typed")
PYDANTIC_V2 = routed("/hello-pydantic")
HTTP_V1 = {  # the same request as API Gateway's REST API sends it, for Chalice (which reads payload 1.0 only)
    "resource": "/hello",
    "path": "/hello",
    "httpMethod": "POST",
    "headers": {"content-type": "application/json", "host": "example.com"},
    "multiValueHeaders": {"content-type": ["application/json"], "host": ["example.com"]},
    "queryStringParameters": None,
    "multiValueQueryStringParameters": None,
    "pathParameters": None,
    "stageVariables": None,
    "requestContext": {
        "resourcePath": "/hello",
        "httpMethod": "POST",
        "path": "/hello",
        "stage": "$default",
        "requestId": "bench",
        "identity": {"sourceIp": "203.0.113.7"},
    },
    "body": '{"name": "Alice"}',
    "isBase64Encoded": False,
}
UPLOAD = {
    "Records": [
        {
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": "us-east-1",
            "eventTime": "2026-11-28T02:30:00.000Z",
            "eventName": "ObjectCreated:Put",
            "s3": {
                "bucket": {"name": "uploads"},
                "object": {"key": "in/a.jpg", "size": 10, "eTag": "e", "sequencer": "0A"},
            },
        }
    ]
}
NOTE = {
    "Records": [
        {
            "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
            "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
            "body": '{"note": "remember the milk"}',
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1545082649183",
                "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                "ApproximateFirstReceiveTimestamp": "1545082649185",
            },
            "messageAttributes": {},
            "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:jottings",
            "awsRegion": "us-east-1",
        }
    ]
}
CHANGE = {
    "Records": [
        {
            "eventID": "c4ca4238a0b923820dcc509a6f75849b",
            "eventName": "MODIFY",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {
                "ApproximateCreationDateTime": 1796617752,
                "Keys": {"__partition__": {"S": "in/"}, "_key": {"S": "in/a"}},
                "OldImage": {
                    "__partition__": {"S": "in/"},
                    "_key": {"S": "in/a"},
                    "_version": {"S": "0a"},
                    "count": {"N": "1"},
                    "name": {"S": "Ada"},
                },
                "NewImage": {
                    "__partition__": {"S": "in/"},
                    "_key": {"S": "in/a"},
                    "_version": {"S": "0b"},
                    "count": {"N": "2"},
                    "name": {"S": "Ada"},
                },
                "SequenceNumber": "111",
                "SizeBytes": 90,
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/tallies/stream/2026-01-01T00:00:00.000",
        }
    ]
}
TRACED_NOTE = json.loads(json.dumps(NOTE))  # a message whose sender's call carried its trace on
TRACED_NOTE["Records"][0]["messageAttributes"] = {
    "traceparent": {"stringValue": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "dataType": "String"}
}
FIRING = {
    "version": "0",
    "id": "d167b752",
    "detail-type": "Scheduled Event",
    "source": "aws.scheduler",
    "account": "533568316194",
    "time": "2026-11-28T02:30:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail": "{}",
}


class Side:
    """One contender: where its handler is (module, name, extra path), the event it takes, its environment; a
    Portable side measured in this process binds its function as a deployed entry module does (`binding`)."""

    def __init__(
        self,
        module: str,
        event: dict[str, Any],
        path: str = "",
        attribute: str = "handler",
        env: dict[str, str] | None = None,
        binding: tuple[str, ...] | None = None,
        fresh: bool = False,
    ) -> None:
        self.module, self.event, self.path, self.attribute, self.env = module, event, path, attribute, env or {}
        self.binding = binding
        self.fresh = fresh  # each call a message of its own (a new id), made before the clock starts

    def loaded(self) -> Callable[[Any, Any], Any]:
        os.environ.update(self.env)
        if self.binding is not None:
            from providers.aws.runtime import bind

            return bind(*self.binding)
        module = __import__(self.module, fromlist=[self.attribute])
        handler: Callable[[Any, Any], Any] = getattr(module, self.attribute)
        return handler


def portable_side(
    function: str, module: str, event: dict[str, Any], path: str = "", buckets: tuple[str, ...] = ()
) -> Side:
    """The Lambda entry of `function` with the environment a deploy gives it: its buckets' physical names (here
    the logical names, which the bench's events carry). From an unpacked archive (`path`), the archive's entry
    module, as Lambda imports it; in this process, the function bound as that module binds it."""
    env = {f"PORTABLE_BUCKET_{bucket.upper()}": bucket for bucket in buckets}
    if path:
        return Side("portable_entry", event, path, env=env)
    return Side("portable_entry", event, env=env, binding=(function, module))


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "low": ordered[len(ordered) // 10],
        "high": ordered[-1 - len(ordered) // 10],
    }


def interleaved(sides: dict[str, Callable[[], float]], rounds: int, baseline: str) -> dict[str, Any]:
    """Each side's per-round figure, and its ratio to `baseline`'s in the same round."""
    figures: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, measure in sides.items():
            figures[name].append(measure())
    result: dict[str, Any] = {}
    for name, values in figures.items():
        ratios = [value / base for value, base in zip(values, figures[baseline], strict=True)]
        extras = [value - base for value, base in zip(values, figures[baseline], strict=True)]
        result[name] = {"value": summary(values), "ratio": summary(ratios), "extra": summary(extras)}
    return result


def per_call(groups: dict[str, dict[str, Side]], calls: int, rounds: int) -> dict[str, Any]:
    """Seconds per call of each side on its event, in this process; the first side of a group is its baseline."""
    results: dict[str, Any] = {}
    for group, sides in groups.items():
        timers: dict[str, Callable[[], float]] = {}
        for name, side in sides.items():
            handler = side.loaded()
            event, env = side.event, side.env
            handler(json.loads(json.dumps(event)), None)

            def timer(
                handler: Callable[[Any, Any], Any] = handler,
                event: dict[str, Any] = event,
                env: dict[str, str] = env,
                fresh: bool = side.fresh,
            ) -> float:
                os.environ.update(env)
                events = new_messages(event, calls) if fresh else [event] * calls
                started = time.perf_counter()
                for each in events:
                    handler(each, None)
                return (time.perf_counter() - started) / calls

            timers[name] = timer
        results[group] = interleaved(timers, rounds, next(iter(sides)))
    return results


def new_messages(event: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """`count` copies of an SQS batch of one, each message with an id of its own."""
    record = event["Records"][0]
    return [{"Records": [{**record, "messageId": os.urandom(16).hex()}]} for _ in range(count)]


OTEL_CALLS = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from providers.aws.runtime import bind
handler = bind("noted_traced", "bench.app.noted_traced")
event = json.loads(sys.argv[2])
handler(event, None)
calls = int(sys.argv[3])
started = time.perf_counter()
for _ in range(calls):
    handler(event, None)
print((time.perf_counter() - started) / calls)
"""


def otel_per_call(calls: int, rounds: int) -> dict[str, Any]:
    """A span per call: the same message function in a process whose app configured OpenTelemetry (an SDK tracer
    provider with a batch processor), against one that did not; each round two fresh processes (a tracer provider
    is set once per process)."""

    def timer(env: dict[str, str]) -> Callable[[], float]:
        def measure() -> float:
            done = subprocess.run(
                [sys.executable, "-c", OTEL_CALLS, str(ROOT), json.dumps(NOTE), str(calls)],
                env={"PATH": os.environ.get("PATH", ""), **env},
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            return float(done.stdout.splitlines()[-1])

        return measure

    sides = {"no OpenTelemetry": timer({}), "OpenTelemetry span": timer({"BENCH_OTEL": "1"})}
    return interleaved(sides, rounds, "no OpenTelemetry")


def gcp_per_call(calls: int, rounds: int) -> dict[str, Any]:
    """Through functions-framework's Flask app (test client): a bare function against the Portable target."""
    import tempfile
    from types import SimpleNamespace

    import functions_framework

    from providers.deploy.entry_modules import gcp_entry

    entry = Path(tempfile.mkdtemp(prefix="bench-gcp-")) / "main.py"  # what a deployed archive's main.py holds
    entry.write_text(gcp_entry(SimpleNamespace(name="greet", module="bench.app.greet")))  # type: ignore[arg-type]
    bare = functions_framework.create_app(target="greet", source=str(ROOT / "bench" / "baseline_gcp.py")).test_client()
    ours = functions_framework.create_app(target="greet", source=str(entry)).test_client()
    body, headers = b'{"name": "Alice"}', {"Content-Type": "application/json"}
    for client in (bare, ours):
        assert client.post("/hello", data=body, headers=headers).get_json() == {"message": "Hello, Alice!"}

    def timer(client: Any) -> Callable[[], float]:
        def measure() -> float:
            started = time.perf_counter()
            for _ in range(calls):
                client.post("/hello", data=body, headers=headers)
            return (time.perf_counter() - started) / calls

        return measure

    return interleaved({"functions-framework": timer(bare), "portable": timer(ours)}, rounds, "functions-framework")


COLD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from {module} import {attribute} as handler
handler(json.loads(sys.argv[2]), None)
"""
MEMORY = """
import json, sys
sys.path.insert(0, sys.argv[1])
{load}
event = json.loads(sys.argv[2])
for _ in range({calls}):
    handler(event, None)
for line in open("/proc/self/status"):
    if line.startswith("VmRSS:"):
        print(int(line.split()[1]) * 1024)
"""
BARE = Side("json", {}, attribute="loads")


def _process(side: Side, script: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), **side.env}
    return subprocess.run(
        [sys.executable, "-B", "-c", script, side.path or str(ROOT), json.dumps(side.event)],
        env=env,
        cwd=side.path or ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


def _cold_start(side: Side) -> Callable[[], float]:
    script = "" if side is BARE else COLD.format(module=side.module, attribute=side.attribute)

    def measure() -> float:
        started = time.perf_counter()
        _process(side, script)
        return time.perf_counter() - started

    return measure


def cold_starts(sides: dict[str, Side], runs: int) -> dict[str, Any]:
    """A whole process from spawn to exit: import the handler from where it ships, answer one event (-B: Lambda's
    code directory is read-only, so nothing compiled at run time is kept). "bare" only starts Python."""
    timers = {"bare": _cold_start(BARE), **{name: _cold_start(side) for name, side in sides.items()}}
    return interleaved(timers, runs, "bare")


def cold_starts_against(sides: dict[str, Side], runs: int) -> dict[str, Any]:
    """Whole-process cold starts against the first side (not bare Python): what typing adds to a cold start."""
    return interleaved({name: _cold_start(side) for name, side in sides.items()}, runs, next(iter(sides)))


def memory(sides: dict[str, Side], calls: int, runs: int) -> dict[str, Any]:
    """Resident memory after `calls` calls, over a Python that only loaded json (bytes)."""

    def timer(side: Side) -> Callable[[], float]:
        load = (
            "handler = lambda event, context: None"
            if side is BARE
            else f"from {side.module} import {side.attribute} as handler"
        )
        script = MEMORY.format(load=load, calls=calls)
        return lambda: float(_process(side, script).stdout)

    return interleaved({"bare": timer(BARE), **{name: timer(side) for name, side in sides.items()}}, runs, "bare")


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def main() -> None:
    plan = json.loads(Path(sys.argv[1]).read_text())
    calls, rounds, runs = plan["calls"], plan["rounds"], plan["runs"]
    archives = plan["archives"]  # kind -> unpacked archive folder
    sys.path.insert(0, str(ROOT))
    http = {
        "hand-written": Side("bench.baseline_lambda", HTTP_V2),
        "portable": portable_side("greet", "bench.app.greet", HTTP_V2),
        "chalice": Side("bench.peers.chalice_app", HTTP_V1),
        "powertools": Side("bench.peers.powertools_app", HTTP_V2),
        "mangum+starlette": Side("bench.peers.mangum_app", HTTP_V2),
    }
    typing = {
        "portable untyped": portable_side("greet", "bench.app.greet", HTTP_V2),
        "portable typed, dataclasses": portable_side("greet_typed", "bench.app.greet_typed", TYPED_V2),
        "portable typed, pydantic": portable_side("greet_pydantic", "bench.app.greet_pydantic", PYDANTIC_V2),
    }
    events = {
        "s3": {
            "hand-written": Side("bench.baseline_events", UPLOAD, attribute="s3_handler"),
            "portable": portable_side("uploaded", "bench.app.uploaded", UPLOAD, buckets=("uploads",)),
        },
        "schedule": {
            "hand-written": Side("bench.baseline_events", FIRING, attribute="schedule_handler"),
            "portable": portable_side("tick", "bench.app.tick", FIRING),
        },
        "message": {
            "hand-written": Side("bench.baseline_events", NOTE, attribute="message_handler"),
            "portable": portable_side("noted", "bench.app.noted", NOTE),
        },
        "change": {
            "hand-written": Side("bench.baseline_events", CHANGE, attribute="change_handler"),
            "portable": portable_side("changed", "bench.app.changed", CHANGE),
        },
    }
    shipped = {
        "hand-written": Side("baseline_lambda", HTTP_V2, archives["hand-written"]),
        "portable http": portable_side("greet", "bench.app.greet", HTTP_V2, archives["http"]),
        "portable http, source only": portable_side("greet", "bench.app.greet", HTTP_V2, archives["http-source"]),
        "portable http typed, dataclasses": portable_side(
            "greet_typed", "bench.app.greet_typed", TYPED_V2, archives["http-typed"]
        ),
        "portable http typed, pydantic": portable_side(
            "greet_pydantic", "bench.app.greet_pydantic", PYDANTIC_V2, archives["http-pydantic"]
        ),
        "portable object": portable_side("uploaded", "bench.app.uploaded", UPLOAD, archives["object"], ("uploads",)),
        "portable schedule": portable_side("tick", "bench.app.tick", FIRING, archives["schedule"]),
        "portable message": portable_side("noted", "bench.app.noted", NOTE, archives["message"]),
        "portable change": portable_side("changed", "bench.app.changed", CHANGE, archives["change"]),
        "chalice": Side("bench.peers.chalice_app", HTTP_V1),
        "powertools": Side("bench.peers.powertools_app", HTTP_V2),
        "mangum+starlette": Side("bench.peers.mangum_app", HTTP_V2),
    }
    store = {"PORTABLE_LOCAL_DIR": str(Path(plan["archives"]["http"]).parent / "local-data")}
    ops = {
        "portable": portable_side("noted", "bench.app.noted", NOTE),
        "traced message": portable_side("noted", "bench.app.noted", TRACED_NOTE),
        "metric recorded": portable_side("noted_metered", "bench.app.noted_metered", NOTE),
        "idempotent, first delivery": Side(
            "", NOTE, env=store, binding=("noted_once", "bench.app.noted_once", "local"), fresh=True
        ),
        "idempotent, repeat delivery": Side(
            "", NOTE, env=store, binding=("noted_once", "bench.app.noted_once", "local")
        ),
    }
    shipped.update(
        {
            "portable message, metric": portable_side(
                "noted_metered", "bench.app.noted_metered", NOTE, archives["message-metered"]
            ),
            "portable message, OpenTelemetry installed": portable_side(
                "noted_traced", "bench.app.noted_traced", NOTE, archives["message-traced"]
            ),
            "portable message, OpenTelemetry configured": Side(
                "portable_entry", NOTE, archives["message-traced"], env={"BENCH_OTEL": "1"}
            ),
        }
    )
    cold_store = {
        "portable message, local data": Side("bench.local_entries", NOTE, attribute="noted", env=store),
        "portable message, idempotent, local data": Side(
            "bench.local_entries", NOTE, attribute="noted_once", env=store
        ),
    }
    if _importable("boto3"):
        cold_store["boto3 and a DynamoDB client (the AWS store's)"] = Side(
            "bench.local_entries", NOTE, attribute="dynamodb_client"
        )
    resident = {
        name: shipped[name] for name in ("hand-written", "portable http", "chalice", "powertools", "mangum+starlette")
    }
    result = {
        "python": sys.version.split()[0],
        "http": per_call({"http": http}, calls, rounds)["http"],
        **per_call(events, calls, rounds),
        "typing": per_call({"typing": typing}, calls, rounds)["typing"],
        "gcp": gcp_per_call(max(1, calls // 10), rounds),
        "cold": cold_starts(shipped, runs),
        "cold_typing": cold_starts_against(
            {
                name: shipped[f"portable http{suffix}"]
                for name, suffix in (
                    ("portable untyped", ""),
                    ("portable typed, dataclasses", " typed, dataclasses"),
                    ("portable typed, pydantic", " typed, pydantic"),
                )
            },
            runs,
        ),
        "memory": memory(resident, plan["memory_calls"], max(1, runs // 5)),
        "ops": per_call({"ops": ops}, calls, rounds)["ops"],
        "trace_work": per_call(
            {
                "trace_work": {
                    "hand-written": Side("bench.baseline_events", NOTE, attribute="message_handler"),
                    "the trace work of a call, alone": Side("bench.trace_work", NOTE),
                }
            },
            calls,
            rounds,
        )["trace_work"],
        "otel": otel_per_call(calls, rounds),
        "cold_ops": cold_starts_against(cold_store, runs),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
