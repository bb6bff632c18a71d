"""Metrics under Pulumi's mocks, and the lines the shims write for them: on AWS, each function's namespace is the
Pulumi project's and its records are EMF documents in it; on GCP, one log-based metric per declared metric, whose
filter, value extractor and label extractors, evaluated as Cloud Logging does, match the lines the GCP shim writes
with the environment the deploy gave it, and only those."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from portable.metrics import NAMESPACE_VARIABLE
from tests.conftest import ROOT
from tests.support.mocks import Deployment, app_stack
from tests.support.targets import MAIN, function_env, invoke_aws

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

APPS = str(ROOT / "tests" / "apps")
MODULE = "tests.apps.metered.photos"
# The fields of a structured line that Cloud Logging takes out of jsonPayload (Cloud Run's structured logging).
SPECIAL = {"severity", "time", "timestamp", "httpRequest", "labels", "sourceLocation"}


@pytest.fixture(scope="module")
def aws_stack() -> Deployment:
    return app_stack("aws", "metered")


@pytest.fixture(scope="module")
def gcp_stack() -> Deployment:
    return app_stack("gcp", "metered")


# Cloud Logging's filter language, the part the deploy writes: comparisons of a field path with a string, joined by
# AND; and EXTRACT(path).
COMPARISON = re.compile(r'^([A-Za-z_][\w.]*)="((?:[^"\\]|\\.)*)"$')


def field(entry: dict[str, Any], path: str) -> Any:
    value: Any = entry
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def matches(log_filter: str, entry: dict[str, Any]) -> bool:
    for clause in log_filter.split(" AND "):
        found = COMPARISON.match(clause.strip())
        assert found, f"not a comparison the test reads: {clause!r}"
        value = field(entry, found[1])
        if value is None or str(value) != found[2]:
            return False
    return True


def extract(extractor: str, entry: dict[str, Any]) -> Any:
    found = re.fullmatch(r"EXTRACT\(([\w.]+)\)", extractor)
    assert found, extractor
    return field(entry, found[1])


def log_entry(line: dict[str, Any]) -> dict[str, Any]:
    """The LogEntry Cloud Logging makes of one structured line written by a Cloud Functions (gen2) function."""
    return {
        "severity": line.get("severity"),
        "resource": {"type": "cloud_run_revision"},
        "jsonPayload": {name: value for name, value in line.items() if name not in SPECIAL},
    }


def test_aws_names_the_namespace_after_the_project_and_writes_emf_in_it(
    aws_stack: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    variables = aws_stack.named("aws:lambda/function:Function", "upload").inputs["environment"]["variables"]
    assert variables[NAMESPACE_VARIABLE] == aws_stack.project == "portable"
    event = {
        "version": "2.0",
        "routeKey": "POST /photos",
        "rawPath": "/photos",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": "/photos", "sourceIp": "1.2.3.4"}, "requestId": "r"},
        "body": '{"tier": "pro"}',
        "isBase64Encoded": False,
    }
    invoke_aws(event, "upload", MODULE, **{NAMESPACE_VARIABLE: variables[NAMESPACE_VARIABLE]})
    (document,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert document["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "portable"


def test_gcp_makes_a_log_based_metric_per_metric_that_counts_the_shim_s_lines(
    gcp_stack: Deployment, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import functions_framework

    metrics = {m.inputs["name"].rpartition("/")[2]: m.inputs for m in gcp_stack.of_type("gcp:logging/metric:Metric")}
    assert sorted(metrics) == ["photos_uploaded", "resize_time"]
    uploaded = metrics["photos_uploaded"]
    assert uploaded["name"] == "portable/gcp/photos_uploaded"
    assert uploaded["metricDescriptor"]["metricKind"] == "DELTA"
    assert uploaded["metricDescriptor"]["valueType"] == "DISTRIBUTION"
    assert uploaded["metricDescriptor"]["unit"] == "1" and metrics["resize_time"]["metricDescriptor"]["unit"] == "ms"
    assert [label["key"] for label in uploaded["metricDescriptor"]["labels"]] == ["tier", "source"]
    environment = gcp_stack.named("gcp:cloudfunctionsv2/function:Function", "upload").inputs["serviceConfig"][
        "environmentVariables"
    ]
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", environment["GOOGLE_CLOUD_PROJECT"])
    with function_env("upload", MODULE, **{NAMESPACE_VARIABLE: environment[NAMESPACE_VARIABLE]}):
        client = functions_framework.create_app(target="upload", source=str(MAIN)).test_client()  # type: ignore[no-untyped-call]
        assert client.post("/photos", json={"tier": "pro"}).status_code == 200
    entries = [log_entry(json.loads(line)) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    counted = [entry for entry in entries if matches(uploaded["filter"], entry)]
    assert len(counted) == 1, "the upload's one record, and no other line"
    (entry,) = counted
    assert extract(uploaded["valueExtractor"], entry) == 1
    assert {label: extract(e, entry) for label, e in uploaded["labelExtractors"].items()} == {
        "tier": "pro",
        "source": "api",
    }
    assert entry["jsonPayload"]["logging.googleapis.com/trace"].startswith("projects/proj/traces/")
    assert not [e for e in entries if matches(metrics["resize_time"]["filter"], e)]
    other_stack = json.loads(json.dumps(entry).replace("portable/gcp", "portable/staging"))
    assert not matches(uploaded["filter"], other_stack), "another stack's lines are not counted"
