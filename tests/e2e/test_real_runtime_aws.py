"""The project's Lambda archives under the official Runtime Interface Client, on the stack's CPython.

Each archive the program built is unpacked as the task root and served by `python -m
awslambdaric <handler>` from a virtualenv holding what Lambda's Python runtime holds (the
client and boto3, at their locked versions), with the function's environment as the deploy
set it, no time zone data, and a loopback stand-in for the Runtime API handing it published
payloads. Data lives on moto's server.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from providers.deploy.lock import read_lock
from tests.backends.lambda_api import LambdaRuntime, Outcome, lambda_runtime
from tests.backends.pipeline_kit import assert_report, assert_thumbnail, photo, report_due_after
from tests.support.mocks import ACCOUNT, Deployment
from tests.support.project import deploy_project, stack_config
from tests.support.runtimes import (
    Provisioned,
    cached_venv,
    fixture,
    interpreter,
    on_loopback,
    unpack,
    without_zone_data,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

LAMBDA = "aws:lambda/function:Function"
# What Lambda's Python runtime holds besides the standard library; everything else comes from the archive.
RUNTIME_PACKAGES = ("awslambdaric", "boto3")
_MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}


@pytest.fixture(scope="module")
def project() -> Deployment:
    return deploy_project("aws", {})


@pytest.fixture(scope="module")
def lambda_python(project: Deployment) -> Path:
    architecture = stack_config("aws").get("portable:architecture", "x86_64")
    if _MACHINE[architecture] != platform.machine():
        pytest.skip(f"the stack's Lambda wheels are for {architecture}; this machine is {platform.machine()}")
    (version,) = {function.inputs["runtime"].removeprefix("python") for function in project.of_type(LAMBDA)}
    pins = read_lock().closure(Requirement(package) for package in RUNTIME_PACKAGES)
    return cached_venv(interpreter(version), "".join(f"{pin}\n" for pin in pins)) / "bin" / "python"


@pytest.fixture
def aws(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, project: Deployment) -> Provisioned:
    return on_loopback("aws", request, monkeypatch, project, AWS_DEFAULT_REGION=stack_config("aws")["aws:region"])


@pytest.fixture
def runtime(
    project: Deployment, lambda_python: Path, aws: Provisioned, moto_endpoint: str, tmp_path: Path
) -> Iterator[Callable[[str], LambdaRuntime]]:
    """A function's runtime process, started on first use, with its environment as the deploy set it."""
    region = stack_config("aws")["aws:region"]
    started: dict[str, LambdaRuntime] = {}

    with ExitStack() as running:

        def start(function: str) -> LambdaRuntime:
            if function in started:
                return started[function]
            inputs = project.named(LAMBDA, function).inputs
            task_root = unpack(Path(inputs["code"].path), tmp_path / function)
            environment = {
                "PATH": os.environ.get("PATH", ""),
                "LANG": "en_US.UTF-8",
                "TZ": ":UTC",
                "LAMBDA_TASK_ROOT": str(task_root),
                "PYTHONPATH": str(task_root),
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{inputs['runtime']}",
                "AWS_LAMBDA_FUNCTION_NAME": function,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(int(inputs["memorySize"])),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing",
                "AWS_ENDPOINT_URL": moto_endpoint,
                **without_zone_data([str(lambda_python)], task_root),
                **aws.renamed(inputs["environment"]["variables"]),
            }
            started[function] = running.enter_context(
                lambda_runtime(
                    [str(lambda_python), "-m", "awslambdaric", inputs["handler"]],
                    task_root,
                    environment,
                    f"arn:aws:lambda:{region}:{ACCOUNT}:function:{function}",
                    tmp_path / f"{function}.log",
                )
            )
            return started[function]

        yield start


def api_gateway_post(path: str, body: dict[str, Any]) -> dict[str, Any]:
    event = fixture("aws/apigw-v2/docs-payload-v2-post.json")
    event.update(routeKey=f"POST {path}", rawPath=path, body=json.dumps(body), isBase64Encoded=False)
    event["requestContext"]["http"]["path"] = path
    return event


def test_hello_answers_an_api_gateway_request(runtime: Callable[[str], LambdaRuntime]) -> None:
    outcome = runtime("hello").invoke(api_gateway_post("/hello", {"name": "Ada"}))
    assert outcome.kind == "response", outcome.body
    assert outcome.body["statusCode"] == 200
    assert json.loads(outcome.body["body"]) == {"message": "Hello, Ada!"}


def test_make_thumbnail_shrinks_a_jpeg_put_in_uploads(
    runtime: Callable[[str], LambdaRuntime], aws: Provisioned
) -> None:
    from providers.aws.sdk import client

    s3 = client("s3")
    image = photo(640, 480)
    s3.put_object(Bucket=aws.physical["uploads"], Key="cats/tabby.jpg", Body=image)
    event = fixture("aws/s3/put-lambda-docs-capture.json")
    notified = event["Records"][0]["s3"]
    notified["bucket"].update(name=aws.physical["uploads"], arn=f"arn:aws:s3:::{aws.physical['uploads']}")
    notified["object"].update(key="cats/tabby.jpg", size=len(image))
    thumbnailer = runtime("make_thumbnail")
    assert thumbnailer.invoke(event) == Outcome("response", {"status": 200, "delivered": 1}), thumbnailer.output()
    thumbnail = s3.get_object(Bucket=aws.physical["thumbnails"], Key="cats/tabby.jpg")
    assert thumbnail["ContentType"] == "image/jpeg"
    assert_thumbnail(thumbnail["Body"].read(), (200, 150))


def test_nightly_report_fired_by_eventbridge_scheduler_lists_the_days_greetings(
    runtime: Callable[[str], LambdaRuntime], aws: Provisioned
) -> None:
    from providers.aws.sdk import client

    for name in ("Ada", "Grace"):
        assert runtime("hello").invoke(api_gateway_post("/hello", {"name": name})).body["statusCode"] == 200
    today = datetime.now(UTC).date()
    event = fixture("aws/eventbridge-scheduler/scheduled-event-default-input.json")
    event["time"] = report_due_after(today).isoformat().replace("+00:00", "Z")
    report = runtime("nightly_report")
    assert report.invoke(event) == Outcome("response", {"status": 200, "delivered": 1}), report.output()
    s3 = client("s3")
    reports = aws.physical["reports"]
    assert_report(
        s3.get_object(Bucket=reports, Key=f"greetings/{today}.json")["Body"].read(),
        s3.get_object(Bucket=reports, Key=f"greetings/{today}.csv")["Body"].read(),
        today,
        ["Ada", "Grace"],
    )


def test_write_welcome_handles_an_sqs_batch_and_reports_the_failed_record(
    runtime: Callable[[str], LambdaRuntime],
    aws: Provisioned,
) -> None:
    from providers.aws.dynamodb import DynamoTable

    event = fixture("aws/sqs/batch-two-records-message-attribute.json")
    first, second = event["Records"]
    first["body"] = json.dumps({"name": "Ada"})
    first["messageAttributes"] = {"greeting": {"stringValue": "g-1", "dataType": "String"}}
    second["body"] = "not json"
    welcome = runtime("write_welcome")
    outcome = welcome.invoke(event)
    assert outcome == Outcome("response", {"batchItemFailures": [{"itemIdentifier": second["messageId"]}]}), (
        welcome.output()
    )
    notes = DynamoTable("welcome-notes", aws.physical["welcome-notes"]).get("Ada")
    assert notes is not None and notes.value == {"text": "Welcome, Ada!", "greeting": "g-1"}


def test_count_greeting_unwraps_the_sns_envelope_of_its_queue(
    runtime: Callable[[str], LambdaRuntime],
    aws: Provisioned,
) -> None:
    from providers.aws.dynamodb import DynamoTable

    event = fixture("aws/sqs/sns-envelope-body.json")
    envelope = json.loads(event["Records"][0]["body"])
    envelope["Message"] = json.dumps({"name": "Grace"})
    event["Records"][0]["body"] = json.dumps(envelope)
    counter = runtime("count_greeting")
    assert counter.invoke(event) == Outcome("response", {"batchItemFailures": []}), counter.output()
    counted = DynamoTable("name-counts", aws.physical["name-counts"]).get("Grace")
    assert counted is not None and counted.value == {"count": 1}
