"""Cold start and per-call overhead of the runtime shims, as ratios to hand-written handlers.

    .venv/bin/python bench/overhead.py [--runs 30] [--calls 20000]

Cold start: a fresh interpreter (no site-packages, as in a Lambda archive) imports the
handler module and serves one API Gateway 2.0 event (AWS), timed inside the process from
before the import to after the reply, and as a whole process from spawn to exit; the two
sides alternate so that machine noise hits both alike. Per call: the same event
served again and again in one process (AWS), and a request through functions-framework's
Flask app (GCP). Both sides do the same work: parse {"name": ...} and greet.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EVENT = {
    "version": "2.0", "routeKey": "POST /hello", "rawPath": "/hello", "rawQueryString": "",
    "headers": {"content-type": "application/json", "host": "example.com"},
    "requestContext": {"http": {"method": "POST", "path": "/hello", "sourceIp": "203.0.113.7"},
                       "requestId": "bench", "stage": "$default"},
    "body": '{"name": "Alice"}', "isBase64Encoded": False,
}

COLD = """
import json, os, sys, time
start = time.perf_counter()
{import_line}
reply = handler(json.loads(sys.argv[1]), None)
elapsed = time.perf_counter() - start
assert json.loads(reply["body"]) == {{"message": "Hello, Alice!"}}, reply
print(elapsed)
"""
PORTABLE_IMPORT = "from providers.aws.runtime import handler"
BASELINE_IMPORT = "from bench.baseline_lambda import handler"
PORTABLE_ENV = {"PORTABLE_FUNCTION": "greet", "PORTABLE_MODULE": "bench.app.greet"}


def cold_start(import_line: str) -> tuple[float, float]:
    """(import + first call, whole process from spawn to exit) in seconds."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **PORTABLE_ENV}
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-S", "-c", COLD.format(import_line=import_line), json.dumps(EVENT)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout
    return float(output), time.perf_counter() - started


def aws_per_call(calls: int) -> tuple[float, float]:
    import os

    os.environ.update(PORTABLE_ENV)
    from bench.baseline_lambda import handler as baseline
    from providers.aws.runtime import handler as portable

    assert json.loads(portable(EVENT, None)["body"]) == json.loads(baseline(EVENT, None)["body"])
    timer_portable = min(timeit.repeat(lambda: portable(EVENT, None), number=calls, repeat=5)) / calls
    timer_baseline = min(timeit.repeat(lambda: baseline(EVENT, None), number=calls, repeat=5)) / calls
    return timer_portable, timer_baseline


def gcp_per_call(calls: int) -> tuple[float, float]:
    import os

    import functions_framework

    os.environ.update(PORTABLE_ENV)
    portable = functions_framework.create_app(target="greet", source=str(ROOT / "main.py")).test_client()
    baseline = functions_framework.create_app(target="greet", source=str(ROOT / "bench" / "baseline_gcp.py"))
    baseline_client = baseline.test_client()
    body = b'{"name": "Alice"}'
    headers = {"Content-Type": "application/json"}
    for client in (portable, baseline_client):
        assert client.post("/hello", data=body, headers=headers).get_json() == {"message": "Hello, Alice!"}
    calls = max(1, calls // 10)
    timer_portable = min(timeit.repeat(lambda: portable.post("/hello", data=body, headers=headers),
                                       number=calls, repeat=5)) / calls
    timer_baseline = min(timeit.repeat(lambda: baseline_client.post("/hello", data=body, headers=headers),
                                       number=calls, repeat=5)) / calls
    return timer_portable, timer_baseline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30, help="cold starts per side")
    parser.add_argument("--calls", type=int, default=20000, help="warm calls per timing")
    args = parser.parse_args()

    portable_cold, baseline_cold = [], []
    for _ in range(args.runs):
        portable_cold.append(cold_start(PORTABLE_IMPORT))
        baseline_cold.append(cold_start(BASELINE_IMPORT))
    for index, label in ((0, "import + first call"), (1, "whole interpreter process, spawn to exit")):
        p = statistics.median(run[index] for run in portable_cold)
        b = statistics.median(run[index] for run in baseline_cold)
        print(f"AWS cold start ({label}), median of {args.runs}:")
        print(f"  portable {p * 1000:7.2f} ms   hand-written {b * 1000:7.2f} ms   ratio {p / b:5.2f}x   "
              f"extra {1000 * (p - b):.2f} ms")

    p, b = aws_per_call(args.calls)
    print("AWS warm call (API Gateway 2.0 event in, reply out):")
    print(f"  portable {p * 1e6:7.2f} us   hand-written {b * 1e6:7.2f} us   ratio {p / b:5.2f}x   "
          f"extra {1e6 * (p - b):.2f} us")

    p, b = gcp_per_call(args.calls)
    print("GCP warm call (through functions-framework's Flask app, test client):")
    print(f"  portable {p * 1e6:7.2f} us   hand-written {b * 1e6:7.2f} us   ratio {p / b:5.2f}x   "
          f"extra {1e6 * (p - b):.2f} us")
    print(f"measured {time.strftime('%Y-%m-%d %H:%M')} on Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
