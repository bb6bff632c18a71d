"""Thousands of mutated published AWS payloads through the Lambda entry point.

Nothing but EventFailed may escape, and no HTTP reply may be a 5xx: the probe handlers
never fail, so a 5xx or an escape is the shim's fault. Seeded, so a failure reproduces.
"""

from __future__ import annotations

import io
import random
import time
from collections import Counter
from typing import Any

import pytest

from portable.errors import EventFailed
from tests.conftest import FIXTURES, aws_handler
from tests.support.mutations import load_payloads, mutate

CASES_PER_KIND = 4000
TIME_LIMIT_SECONDS = 60.0
AWS = FIXTURES / "aws"


def _in_bucket_drop(event: dict[str, Any]) -> dict[str, Any]:
    """Point every record at the probe's bucket, so mutations reach delivery, not only the bucket check."""
    for record in event.get("Records", []):
        record["s3"]["bucket"]["name"] = "drop"
    return event


KINDS = {
    "probe_http": load_payloads(AWS, "apigw-v2/*.json", "apigw-v1/*.json"),
    "probe_auth": load_payloads(AWS, "apigw-v2/*jwt*.json"),
    "probe_created": [_in_bucket_drop(event) for event in load_payloads(AWS, "s3/*.json")],
    "probe_schedule": load_payloads(AWS, "eventbridge/*.json", "eventbridge-scheduler/*.json"),
    "probe_message": load_payloads(AWS, "sqs/batch-*.json", "sqs/single-*.json"),
    "probe_news": load_payloads(AWS, "sqs/sns-envelope-body.json"),
}


@pytest.mark.parametrize("function", sorted(KINDS))
def test_no_mutated_event_escapes_the_lambda_entry(function: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTABLE_FUNCTION", function)
    monkeypatch.setenv("PORTABLE_MODULE", "tests.apps.fuzz.probes")
    monkeypatch.setenv("PORTABLE_PROVIDER", "local")
    monkeypatch.setattr("sys.stderr", io.StringIO())  # thousands of rejection log lines
    rng = random.Random(f"aws-{function}")
    escapes: Counter[str] = Counter()
    server_errors: list[Any] = []
    cases = failed = 0
    deadline = time.monotonic() + TIME_LIMIT_SECONDS
    while cases < CASES_PER_KIND and time.monotonic() < deadline:
        event = mutate(rng.choice(KINDS[function]), rng)
        cases += 1
        try:
            reply = aws_handler(event, None)
        except EventFailed:
            failed += 1
            continue
        except Exception as exc:
            escapes[f"{type(exc).__name__}: {exc}"[:200]] += 1
            continue
        if isinstance(reply, dict) and isinstance(reply.get("statusCode"), int) and reply["statusCode"] >= 500:
            server_errors.append(reply)
    assert cases >= 1000, f"only {cases} cases ran in {TIME_LIMIT_SECONDS} s"
    assert not escapes, f"{sum(escapes.values())} of {cases} events escaped: {escapes.most_common(5)}"
    assert not server_errors, f"{len(server_errors)} of {cases} replies were 5xx: {server_errors[:3]}"
    assert failed == 0, "the probes never fail, so no event may end as EventFailed"
