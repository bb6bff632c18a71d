"""Metrics (portable/metrics.py): declarations checked against the strictest cloud where they are written; a record
as a CloudWatch Embedded Metric Format document on AWS, valid by the published specification, and as a structured
line on GCP and locally; a record that does not fit its declaration refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from portable import AppDefinitionError, InvalidValue, load_app
from portable.app import MetricSpec
from portable.metrics import NAMESPACE_VARIABLE, UNITS, Metric, emf_line, metric
from providers.testing.kit import Kit
from providers.testing.targets import TARGETS

PACKAGE = "tests.apps.metered"

# The embedded metric format's document structure, as its specification states it
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
# the root's `_aws` metadata with a Timestamp (milliseconds since the epoch) and CloudWatchMetrics, a list of metric
# directives, each with a Namespace, Dimensions (lists of at most 30 dimension keys) and Metrics (at most 100 metric
# definitions, each a Name and an optional Unit of CloudWatch's and StorageResolution of 1 or 60).
EMF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["_aws"],
    "properties": {
        "_aws": {
            "type": "object",
            "required": ["Timestamp", "CloudWatchMetrics"],
            "properties": {
                "Timestamp": {"type": "integer", "minimum": 0},
                "LogGroupName": {"type": "string", "minLength": 1},
                "CloudWatchMetrics": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["Namespace", "Dimensions", "Metrics"],
                        "additionalProperties": False,
                        "properties": {
                            "Namespace": {"type": "string", "minLength": 1, "maxLength": 1024},
                            "Dimensions": {
                                "type": "array",
                                "items": {
                                    "type": "array",
                                    "maxItems": 30,
                                    "items": {"type": "string", "minLength": 1, "maxLength": 250},
                                },
                            },
                            "Metrics": {
                                "type": "array",
                                "maxItems": 100,
                                "items": {
                                    "type": "object",
                                    "required": ["Name"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "Name": {"type": "string", "minLength": 1, "maxLength": 1024},
                                        "Unit": {"enum": [*UNITS]},
                                        "StorageResolution": {"enum": [1, 60]},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}


def check_emf(document: dict[str, Any]) -> None:
    """Valid by the schema, and by the rules the specification states in words: each dimension key names a member of
    the root holding text of at most 1024 characters, each metric name a member holding a number (or up to 100)."""
    jsonschema.validate(document, EMF_SCHEMA)
    for directive in document["_aws"]["CloudWatchMetrics"]:
        for dimension_set in directive["Dimensions"]:
            for key in dimension_set:
                assert isinstance(document[key], str) and 1 <= len(document[key]) <= 1024, key
        for definition in directive["Metrics"]:
            value = document[definition["Name"]]
            values = value if isinstance(value, list) else [value]
            assert len(values) <= 100 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


@pytest.fixture(params=TARGETS)
def kit(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kit]:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.setenv(NAMESPACE_VARIABLE, "photo-app")
    with Kit(request.param, package=PACKAGE) as kit:
        yield kit


def test_records_are_emf_on_aws_and_metric_lines_elsewhere(kit: Kit, capsys: pytest.CaptureFixture[str]) -> None:
    kit.http("POST", "/photos", json={"tier": "pro"}, headers={"traceparent": f"00-{'a' * 32}-{'b' * 16}-01"})
    out, err = capsys.readouterr()
    if kit.target == "aws":
        documents = [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]
        assert [sorted(d) for d in documents] == [
            ["_aws", "function", "photos_uploaded", "source", "tier", "xray_trace_id"],
            ["_aws", "function", "resize_time", "xray_trace_id"],
        ]
        for document in documents:
            check_emf(document)
        uploaded, resized = documents
        assert uploaded["_aws"]["CloudWatchMetrics"] == [
            {
                "Namespace": "photo-app",
                "Dimensions": [["tier", "source"]],
                "Metrics": [{"Name": "photos_uploaded", "Unit": "Count"}],
            }
        ]
        assert (uploaded["photos_uploaded"], uploaded["tier"], uploaded["source"]) == (1, "pro", "api")
        assert resized["resize_time"] == 12.5 and resized["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [[]]
        assert {d["xray_trace_id"] for d in documents} == {f"1-{'a' * 8}-{'a' * 24}"}
        assert "metric" not in err
        return
    lines = [json.loads(line) for line in err.splitlines() if '"metric":' in line]
    assert [line["message"] for line in lines] == ["metric photos_uploaded", "metric resize_time"]
    assert lines[0]["metric"] == {
        "name": "photos_uploaded",
        "namespace": "photo-app",
        "value": 1,
        "unit": "Count",
        "dimensions": {"tier": "pro", "source": "api"},
    }
    assert {line["trace"] for line in lines} == {"a" * 32} and lines[1]["function"] == "resize"
    assert '"_aws"' not in out


def test_the_app_knows_its_metrics() -> None:
    app = load_app(PACKAGE)
    assert sorted(app.metrics) == ["photos_uploaded", "resize_time"]
    assert app.metrics["photos_uploaded"].dimensions == ("tier", "source")


@pytest.mark.parametrize(
    ("declare", "fault"),
    [
        (lambda: metric("9lives"), "must be 1 to 64 ASCII letters"),
        (lambda: metric("a" * 65), "must be 1 to 64"),
        (lambda: metric("photos", unit="Furlongs"), "use one of CloudWatch's units"),
        (lambda: metric("photos", dimensions=[f"d{n}" for n in range(11)]), "at most 10 labels"),
        (lambda: metric("photos", dimensions=["Tier"]), "lower-case letters"),
        (lambda: metric("photos", dimensions=["function"]), "not one of a log line's own fields"),
        (lambda: metric("photos", dimensions=["tier", "tier"]), "names a dimension twice"),
        (lambda: metric("photos", dimensions="tier"), "takes a list of names"),
    ],
)
def test_declarations_follow_the_strictest_cloud(declare: Any, fault: str) -> None:
    with pytest.raises(AppDefinitionError, match=fault) as refused:
        declare()
    assert "test_metrics.py:" in str(refused.value)  # the file and line of the declaration


@pytest.mark.parametrize(
    ("value", "dimensions", "fault"),
    [
        (True, {"tier": "pro"}, "finite number"),
        (float("nan"), {"tier": "pro"}, "finite number"),
        ("1", {"tier": "pro"}, "finite number"),
        (1, {}, "a value for each dimension"),
        (1, {"tier": "pro", "other": "x"}, "a value for each dimension"),
        (1, {"tier": " "}, "not only spaces"),
        (1, {"tier": "x" * 1025}, "1 to 1024 characters"),
    ],
)
def test_a_record_that_does_not_fit_is_refused(value: Any, dimensions: dict[str, str], fault: str) -> None:
    photos = Metric(MetricSpec("photos", "Count", ("tier",), "photos.py:3"))
    with pytest.raises(InvalidValue, match=fault):
        photos.record(value, **dimensions)


def test_one_name_declared_two_ways_is_refused(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "twice"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "a.py").write_text("from portable import metric\nm = metric('twice_metric', unit='Count')\n")
    (folder / "b.py").write_text("from portable import metric\nm = metric('twice_metric', unit='Bytes')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(AppDefinitionError, match=r"declared at .*a\.py:2 and at .*b\.py:2"):
        load_app("twice")


def test_an_emf_document_outside_a_call_is_valid_too() -> None:
    check_emf(json.loads(emf_line(MetricSpec("photos", "Bytes", ("tier",), "x"), "ns", 3, {"tier": "pro"})))
