"""Thousands of mutated published GCP payloads through functions-framework, as Cloud Functions runs the shim.

Storage CloudEvents in structured and binary mode, Cloud Scheduler calls, HTTP requests and Pub/Sub pushes;
the probe handlers never fail, so any 5xx (functions-framework's HTML 500 included) is the
shim's fault. Seeded, so a failure reproduces.
"""

from __future__ import annotations

import io
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from providers.gcp import runtime
from tests.conftest import FIXTURES, ROOT
from tests.support.mutations import ODD_VALUES, load_payloads, mutate

CASES_PER_KIND = 1500
TIME_LIMIT_SECONDS = 60.0
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000


def _in_bucket_drop(event: dict[str, Any]) -> dict[str, Any]:
    event["bucket"] = event["data"]["bucket"] = "drop"
    event["source"] = "//storage.googleapis.com/projects/_/buckets/drop"
    return event


STRUCTURED = [_in_bucket_drop(event) for event in load_payloads(FIXTURES / "gcp", "storage/*.json")]


def _odd_text(rng: random.Random) -> str:
    """Header-safe odd text: WSGI servers refuse newlines and NULs before any code of ours runs."""
    value = rng.choice(ODD_VALUES)
    text = value if isinstance(value, str) else json.dumps(value)
    return text.replace("\n", " ").replace("\x00", " ").encode("utf-8", "surrogatepass").decode("latin-1")


def _noise(rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randrange(60)))


def _json_body(value: Any) -> bytes:
    """`value` as JSON bytes; one too deep for json.dumps is sent as a deep document anyway."""
    try:
        return json.dumps(value).encode("utf-8", "surrogatepass")
    except (RecursionError, ValueError):
        return DEEP_JSON


def _structured(rng: random.Random) -> tuple[dict[str, str], bytes]:
    return {"Content-Type": "application/cloudevents+json"}, _json_body(mutate(rng.choice(STRUCTURED), rng))


def _binary(rng: random.Random) -> tuple[dict[str, str], bytes]:
    base = rng.choice(STRUCTURED)
    headers = {f"ce-{name}": str(value) for name, value in base.items() if name not in ("data", "datacontenttype")}
    headers["Content-Type"] = "application/json"
    headers[rng.choice(list(headers))] = _odd_text(rng)
    try:
        body = json.dumps(mutate(base["data"], rng)).encode("utf-8", "surrogatepass")
    except (RecursionError, ValueError):
        body = DEEP_JSON
    if rng.random() < 0.2:
        return ({} if rng.random() < 0.5 else headers), _noise(rng)
    return headers, body


def _scheduler(rng: random.Random) -> tuple[dict[str, str], bytes]:
    headers = {
        "X-CloudScheduler": "true",
        "User-Agent": "Google-Cloud-Scheduler",
        "X-CloudScheduler-ScheduleTime": _odd_text(rng),
    }
    if rng.random() < 0.2:
        headers["ce-type"] = _odd_text(rng)
    return headers, _noise(rng)


def _http(rng: random.Random) -> tuple[dict[str, str], bytes]:
    headers = {"X-Odd": _odd_text(rng), "Function-Execution-Id": _odd_text(rng), "Content-Type": _odd_text(rng)}
    return headers, rng.choice((_noise(rng), DEEP_JSON, b'{"a": "\\ud800"}', b"9" * 5000))


USERINFO = [
    {"iss": "https://issuer.example.com/", "aud": "fuzz-api", "sub": "user-1", "scope": "read write", "exp": 1},
    *(entry["claims"] for entry in load_payloads(FIXTURES / "gcp", "apigateway/*.json")[0]["values"].values()),
]


def _userinfo(rng: random.Random) -> tuple[dict[str, str], bytes]:
    """The claims API Gateway forwards on a route with auth, mutated, in either of the header's encodings."""
    import base64

    claims = _json_body(mutate(rng.choice(USERINFO), rng))
    encoded = base64.urlsafe_b64encode(claims) if rng.random() < 0.5 else base64.b64encode(claims)
    value = encoded.decode().rstrip("=" if rng.random() < 0.5 else "")
    return {"X-Apigateway-Api-Userinfo": value if rng.random() < 0.9 else _odd_text(rng)}, _noise(rng)


PUBSUB = load_payloads(FIXTURES / "gcp", "pubsub/*.json", "pubsub/push/*.json", "pubsub/data/*.json")


def _pubsub(rng: random.Random) -> tuple[dict[str, str], bytes]:
    """A mutated Pub/Sub push body or Eventarc CloudEvent (structured), now and then with odd headers or noise."""
    payload = mutate(rng.choice(PUBSUB), rng)
    body = _json_body(payload)
    structured = isinstance(payload, dict) and "specversion" in payload
    headers = {"Content-Type": "application/cloudevents+json" if structured else "application/json"}
    if rng.random() < 0.2:
        headers["ce-type"] = _odd_text(rng)
    return headers, _noise(rng) if rng.random() < 0.1 else body


KINDS: dict[str, tuple[str, Callable[[random.Random], tuple[dict[str, str], bytes]]]] = {
    "structured": ("probe_created", _structured),
    "binary": ("probe_created", _binary),
    "scheduler": ("probe_schedule", _scheduler),
    "http": ("probe_http", _http),
    "userinfo": ("probe_auth", _userinfo),
    "pubsub": ("probe_message", _pubsub),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_no_mutated_request_gets_a_5xx_from_the_gcp_entry(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import functions_framework

    function, make_request = KINDS[kind]
    with runtime.exporting("tests.apps.fuzz", "local"):
        client = functions_framework.create_app(target=function, source=str(ROOT / "main.py")).test_client()
    monkeypatch.setattr("sys.stderr", io.StringIO())
    rng = random.Random(f"gcp-{kind}")
    server_errors: Counter[str] = Counter()
    cases = 0
    deadline = time.monotonic() + TIME_LIMIT_SECONDS
    while cases < CASES_PER_KIND and time.monotonic() < deadline:
        headers, body = make_request(rng)
        cases += 1
        path = f"/members/{rng.randrange(3)}" if function == "probe_auth" else f"/{rng.randrange(3)}"
        reply = client.post(path, headers=headers, data=body)
        if reply.status_code >= 500:
            server_errors[f"{reply.status_code} {reply.data[:120]!r}"] += 1
        elif reply.status_code >= 400:
            assert reply.is_json, f"a {reply.status_code} without the portable JSON body: {reply.data[:120]!r}"
    assert cases >= 500, f"only {cases} cases ran in {TIME_LIMIT_SECONDS} s"
    assert not server_errors, f"{sum(server_errors.values())} of {cases} were 5xx: {server_errors.most_common(5)}"
