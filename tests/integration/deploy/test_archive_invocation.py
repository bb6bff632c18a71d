"""Unpack the archives the program built and invoke them as each cloud would, with real payloads.

AWS: the Lambda handler in a fresh interpreter that sees only the unpacked archive (no
site-packages), with the environment the program gave the function. GCP: a real
functions-framework process serving the archive's main.py on a loopback port.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from portable import load_app
from providers.aws.deploy.package import WheelTarget
from providers.aws.deploy.package import build_archive as build_lambda_archive
from tests.backends.servers import free_port
from tests.support.mocks import APPS, Deployment, run_program
from tests.support.runtimes import fixture, unpack, wait_for_port, without_zone_data

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


RUNNER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from portable_entry import handler
print("RESULT " + json.dumps(handler(json.load(sys.stdin), None)))
"""


def handled(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"handled"')]


@pytest.fixture(scope="module")
def aws_stack() -> Deployment:
    return run_program("aws", {"aws:region": "eu-central-1"})[0]


@pytest.fixture(scope="module")
def gcp_stack() -> Deployment:
    return run_program("gcp", {"gcp:project": "demo-project", "gcp:region": "europe-west1"})[0]


def invoke_lambda(stack: Deployment, function: str, event: dict[str, Any], tmp: Path) -> tuple[Any, str]:
    """Run the handler in an interpreter that sees only the archive and finds no time zone data."""
    inputs = stack.named("aws:lambda/function:Function", function).inputs
    unpacked = unpack(Path(inputs["code"].path), tmp / function)
    environment = {
        "PATH": os.environ.get("PATH", ""),
        **without_zone_data([sys.executable, "-I", "-S"], unpacked),
        **inputs["environment"]["variables"],
    }
    process = subprocess.run(
        [sys.executable, "-I", "-S", "-c", RUNNER, str(unpacked)],
        input=json.dumps(event),
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    result = next(line for line in process.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(result.removeprefix("RESULT ")), process.stdout


def test_lambda_answers_an_api_gateway_request(aws_stack: Deployment, tmp_path: Path) -> None:
    event = fixture("aws/apigw-v2/docs-payload-v2-post.json")
    event.update(routeKey="POST /hello", rawPath="/hello", body='{"name": "Ada"}', isBase64Encoded=False)
    event["requestContext"]["http"]["path"] = "/hello"
    reply, _ = invoke_lambda(aws_stack, "hello", event, tmp_path)
    assert reply["statusCode"] == 200
    assert json.loads(reply["body"]) == {"message": "Hello, Ada!", "path": "/hello"}


def test_lambda_passes_a_greedy_path_parameter(aws_stack: Deployment, tmp_path: Path) -> None:
    event = fixture("aws/apigw-v2/get-querystring-multivalue-proxy-param.json")
    event.update(routeKey="ANY /files/{path+}", rawPath="/files/a/b.txt", pathParameters={"path": "a/b.txt"})
    event["requestContext"]["http"]["path"] = "/files/a/b.txt"
    reply, _ = invoke_lambda(aws_stack, "files", event, tmp_path)
    assert json.loads(reply["body"]) == {"path": "a/b.txt", "method": "GET"}


def s3_event(path: str, bucket: str, key: str) -> dict[str, Any]:
    event = fixture(path)
    record = event["Records"][0]
    record["s3"]["bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
    record["s3"]["object"]["key"] = key
    return event


def test_lambda_handles_s3_notifications_within_its_filters(aws_stack: Deployment, tmp_path: Path) -> None:
    physical = aws_stack.outputs["buckets"]["uploads"]
    created = s3_event("aws/s3/put-lambda-docs-capture.json", physical, "incoming/cat.jpg")
    reply, output = invoke_lambda(aws_stack, "make_thumbnail", created, tmp_path / "in")
    assert reply == {"status": 200, "delivered": 1}
    assert handled(output) == [
        {"handled": "make_thumbnail", "bucket": "uploads", "key": "incoming/cat.jpg", "kind": "created"}
    ]
    outside = s3_event("aws/s3/put-lambda-docs-capture.json", physical, "incoming/cat.png")
    reply, output = invoke_lambda(aws_stack, "make_thumbnail", outside, tmp_path / "out")
    assert (reply, handled(output)) == ({"status": 200, "delivered": 0}, [])
    deleted = s3_event("aws/s3/delete.json", physical, "incoming/cat.jpg")
    reply, output = invoke_lambda(aws_stack, "forget", deleted, tmp_path / "deleted")
    assert handled(output) == [{"handled": "forget", "key": "incoming/cat.jpg", "kind": "deleted"}]


def test_lambda_handles_an_eventbridge_scheduler_firing(aws_stack: Deployment, tmp_path: Path) -> None:
    """The schedule is in Europe/Berlin, yet the function needs no zone data: the deploy compiled it."""
    event = fixture("aws/eventbridge-scheduler/scheduled-event-default-input.json")
    reply, output = invoke_lambda(aws_stack, "nightly_report", event, tmp_path)
    assert reply == {"status": 200, "delivered": 1}
    (line,) = handled(output)
    assert line["time"] == "2025-02-20T16:03:00+00:00"


def test_lambda_imports_compiled_wheels_from_its_archive(tmp_path: Path) -> None:
    """Built for this interpreter, since the Lambda-platform wheels cannot load on this machine."""
    app = load_app("wheelapp", str(APPS))
    archive = build_lambda_archive(app.functions["shrink"], WheelTarget.this_interpreter(), tmp_path / "build")
    event = fixture("aws/apigw-v2/docs-payload-v2-post.json")
    event.update(routeKey="POST /shrink", rawPath="/shrink", body="")
    event["requestContext"]["http"]["path"] = "/shrink"
    unpacked = unpack(archive, tmp_path / "shrink")
    process = subprocess.run(
        [sys.executable, "-I", "-S", "-c", RUNNER, str(unpacked)],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={},
    )
    assert process.returncode == 0, process.stderr
    reply = json.loads(process.stdout.split("RESULT ", 1)[1])
    assert json.loads(reply["body"])["size"] == [16, 8]


class Served:
    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    def output(self) -> str:
        return self.log.read_text()


@pytest.fixture
def serve(gcp_stack: Deployment, tmp_path: Path) -> Iterator[Any]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(function: str) -> Served:
        inputs = gcp_stack.named("gcp:cloudfunctionsv2/function:Function", function).inputs
        archive = Path(
            gcp_stack.named("gcp:storage/bucketObject:BucketObject", f"{function}-source").inputs["source"].path
        )
        unpacked = unpack(archive, tmp_path / function)
        port = free_port()
        log = tmp_path / f"{function}.log"
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "PYTHONUNBUFFERED": "1",
            **inputs["serviceConfig"]["environmentVariables"],
        }
        command = [
            str(Path(sys.executable).parent / "functions-framework"),
            "--source",
            "main.py",
            "--target",
            inputs["buildConfig"]["entryPoint"],
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        with log.open("wb") as sink:
            processes.append(
                subprocess.Popen(command, cwd=unpacked, env=environment, stdout=sink, stderr=subprocess.STDOUT)
            )
        wait_for_port(port, processes[-1], log)
        return Served(f"http://127.0.0.1:{port}", log)

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def test_cloud_function_answers_the_gateway_path(serve: Any) -> None:
    served = serve("hello")
    reply = requests.post(f"{served.url}/hello", json={"name": "Ada"}, timeout=10)
    assert reply.status_code == 200
    assert reply.json() == {"message": "Hello, Ada!", "path": "/hello"}


def test_cloud_function_handles_an_eventarc_storage_event(serve: Any, gcp_stack: Deployment) -> None:
    served = serve("make_thumbnail")
    physical = gcp_stack.outputs["buckets"]["uploads"]
    event = fixture("gcp/storage/finalized-structured.json")
    event["source"] = f"//storage.googleapis.com/projects/_/buckets/{physical}"
    event["subject"] = "objects/incoming/cat.jpg"
    event["data"].update(bucket=physical, name="incoming/cat.jpg", id=f"{physical}/incoming/cat.jpg/1")
    event["time"] = datetime.now(UTC).isoformat()  # a fresh upload: the published one is past any max age
    reply = requests.post(
        served.url, data=json.dumps(event), timeout=10, headers={"Content-Type": "application/cloudevents+json"}
    )
    assert reply.status_code == 204, reply.text
    event["subject"], event["data"]["name"] = "objects/elsewhere/cat.jpg", "elsewhere/cat.jpg"
    skipped = requests.post(
        served.url, data=json.dumps(event), timeout=10, headers={"Content-Type": "application/cloudevents+json"}
    )
    assert skipped.status_code == 204
    assert handled(served.output()) == [
        {"handled": "make_thumbnail", "bucket": "uploads", "key": "incoming/cat.jpg", "kind": "created"}
    ]


def test_cloud_function_handles_a_cloud_scheduler_call(serve: Any) -> None:
    served = serve("nightly_report")
    reply = requests.post(
        served.url,
        timeout=10,
        headers={
            "User-Agent": "Google-Cloud-Scheduler",
            "X-CloudScheduler": "true",
            "X-CloudScheduler-JobName": "nightly-report-gcp",
            "X-CloudScheduler-ScheduleTime": "2025-02-20T01:30:00Z",
        },
    )
    assert reply.status_code == 204, reply.text
    (line,) = handled(served.output())
    assert line["time"] == "2025-02-20T01:30:00+00:00"
