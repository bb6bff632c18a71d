"""The crashes the adversarial probe of issue 18 found, each replayed as it was found: every one now gets a 4xx with
the portable JSON body (or, for an event, a rejection the cloud does not retry), never a 500 or an escape."""

from __future__ import annotations

import base64
import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from portable.errors import EventFailed
from providers.aws import runtime as aws_runtime
from providers.gcp import runtime as gcp_runtime
from providers.local.sqlite_files import using_local_dir
from tests.conftest import FIXTURES, ROOT
from tests.support.mutations import load_payloads

DEEP_USERINFO = base64.urlsafe_b64encode(b'{"sub":"a","x":' + b"[" * 3000 + b"]" * 3000 + b"}").decode()


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    monkeypatch.setenv("PORTABLE_PROVIDER", "local")
    with using_local_dir(tmp_path):
        yield


def lambda_reply(function: str, module: str, event: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PORTABLE_FUNCTION", function)
    monkeypatch.setenv("PORTABLE_MODULE", module)
    return aws_runtime.handler(event, None)


def gcp_client(package: str, function: str) -> Client:
    import functions_framework

    with gcp_runtime.exporting(package, "local"):
        return functions_framework.create_app(target=function, source=str(ROOT / "main.py")).test_client()  # type: ignore[no-any-return]


def userinfo(claims: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")


def test_an_object_size_of_a_superscript_digit_is_not_an_escape_on_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    event = copy.deepcopy(load_payloads(FIXTURES / "aws", "s3/docs-put-example.json")[0])
    event["Records"][0]["s3"]["bucket"]["name"] = "drop"
    event["Records"][0]["s3"]["object"]["size"] = "²"
    reply = lambda_reply("probe_created", "tests.apps.fuzz.probes", event, monkeypatch)
    assert reply["status"] == 200


def test_an_object_size_of_a_superscript_digit_is_not_a_500_on_gcp() -> None:
    event = copy.deepcopy(load_payloads(FIXTURES / "gcp", "storage/finalized-structured.json")[0])
    event["source"] = "//storage.googleapis.com/projects/_/buckets/drop"
    event["data"]["bucket"], event["data"]["size"] = "drop", "²"
    reply = gcp_client("tests.apps.fuzz", "probe_created").post(
        "/", headers={"Content-Type": "application/cloudevents+json"}, data=json.dumps(event)
    )
    assert reply.status_code < 500


@pytest.mark.parametrize(
    "header",
    [
        DEEP_USERINFO,
        userinfo({"sub": "\ud800"}),
        userinfo({"sub": "a", "scope": "read \udfff"}),
    ],
    ids=["nested 3000 deep", "lone surrogate in sub", "lone surrogate in scope"],
)
def test_userinfo_no_gateway_writes_gets_401_from_the_gcp_shim(header: str) -> None:
    reply = gcp_client("tests.apps.fuzz", "probe_auth").get("/members/x", headers={"X-Apigateway-Api-Userinfo": header})
    assert reply.status_code == 401 and reply.get_json()["status"] == 401


@pytest.mark.parametrize(
    "authorizer",
    [{"claims": {"sub": "\ud800"}, "scopes": None}, {"claims": {"sub": "a"}, "scopes": ["read", "\udfff"]}],
    ids=["lone surrogate in sub", "lone surrogate in a scope"],
)
def test_claims_no_gateway_writes_get_401_from_the_aws_shim(
    authorizer: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    event = copy.deepcopy(load_payloads(FIXTURES / "aws", "apigw-v2/post-json-body-jwt.json")[0])
    event["requestContext"]["authorizer"] = {"jwt": authorizer}
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/members/x"
    reply = lambda_reply("probe_auth", "tests.apps.fuzz.probes", event, monkeypatch)
    assert reply["statusCode"] == 401 and json.loads(reply["body"])["status"] == 401


def test_a_firing_in_year_1_is_refused_before_the_report_runs_on_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    event = copy.deepcopy(load_payloads(FIXTURES / "aws", "eventbridge-scheduler/*.json")[0])
    event["time"] = "0001-01-01T00:00:00Z"
    try:
        reply = lambda_reply("nightly_report", "functions.report", event, monkeypatch)
    except EventFailed as exc:  # what the cloud would retry until the dead letters
        pytest.fail(f"the firing failed instead of being refused: {exc}")
    assert reply["status"] == 400 and "0001-01-01" in reply["error"]


def test_a_firing_in_year_1_is_refused_before_the_report_runs_on_gcp() -> None:
    headers = {"X-CloudScheduler": "true", "X-CloudScheduler-ScheduleTime": "0001-01-01T00:00:00Z"}
    reply = gcp_client("functions", "nightly_report").post("/", headers=headers)
    assert reply.status_code == 400 and "years 1970 to 9998" in reply.get_json()["error"]
