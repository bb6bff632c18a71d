"""The project's own functions/ build under mocks on both stacks, from the real Pulumi.<stack>.yaml settings."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.archive_contents import archived_pulumi_imports, deploy_entries, entry_names, pulumi_imports
from tests.support.mocks import Deployment
from tests.support.project import ROOT, deploy_project, function_archives

AWS_TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture(scope="module")
def aws_project() -> Deployment:
    return deploy_project("aws", {})


@pytest.fixture(scope="module")
def gcp_project() -> Deployment:
    return deploy_project("gcp", {"gcp:project": "demo-project"})


def test_aws_stack_file_deploys_functions_and_hello_ships_without_pillow(aws_project: Deployment) -> None:
    archives = function_archives(aws_project)
    assert {"hello", "make_thumbnail"} <= archives.keys()
    assert not [name for name in entry_names(archives["hello"]) if name.startswith(("PIL/", "pillow"))]
    assert "PIL/__init__.py" in entry_names(archives["make_thumbnail"])
    assert "api_url" in aws_project.outputs


def test_gcp_stack_file_needs_only_a_project(gcp_project: Deployment) -> None:
    functions = {r.name for r in gcp_project.of_type("gcp:cloudfunctionsv2/function:Function")}
    assert {"hello", "make_thumbnail"} <= functions
    assert "api_url" in gcp_project.outputs


def test_no_archived_module_is_deploy_code_or_imports_pulumi(aws_project: Deployment, gcp_project: Deployment) -> None:
    aws, gcp = function_archives(aws_project), function_archives(gcp_project)
    assert aws.keys() == gcp.keys() and {"hello", "make_thumbnail"} <= aws.keys()
    for archive in [*aws.values(), *gcp.values()]:
        assert deploy_entries(entry_names(archive)) == [], archive.name
        assert archived_pulumi_imports(archive) == {}, archive.name


def test_the_pulumi_import_scan_sees_deploy_code() -> None:
    source = (ROOT / "providers" / "aws" / "deploy" / "functions.py").read_bytes()
    assert pulumi_imports(source) == ["pulumi", "pulumi_aws"]
    assert pulumi_imports(b"def lazy():\n    from pulumi.runtime import Mocks\n") == ["pulumi.runtime"]


def invoke_archive(function: dict[str, Any], event: dict[str, Any], moto_endpoint: str, tmp_path: Path) -> Any:
    """Run the built Lambda archive alone (plus boto3, which the Lambda runtime provides) on `event`, with the
    function's environment from the deploy, against moto; return the reply."""
    import json
    import os
    import site
    import subprocess
    import sys

    with zipfile.ZipFile(function["code"].path) as archive:
        archive.extractall(tmp_path)
    runner = (
        "import json, sys; sys.path[:0] = [sys.argv[1]]; sys.path.append(sys.argv[2]);"
        "from portable_entry import handler;"
        "print(json.dumps(handler(json.load(sys.stdin), None)))"
    )
    environment = {
        "PATH": os.environ.get("PATH", ""),
        **AWS_TEST_ENVIRONMENT,
        "AWS_ENDPOINT_URL": moto_endpoint,
        **function["environment"]["variables"],
    }
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", runner, str(tmp_path), site.getsitepackages()[0]],
        input=json.dumps(event),
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@contextmanager
def aws_sdk(moto_endpoint: str) -> Iterator[Any]:
    """This process's boto3 clients pointed at moto inside the block."""
    import os

    from providers.aws.sdk import client

    os.environ["AWS_ENDPOINT_URL"] = moto_endpoint
    client.cache_clear()
    try:
        yield client
    finally:
        del os.environ["AWS_ENDPOINT_URL"]
        client.cache_clear()


def http_event(method: str, path: str, body: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "body": body,
        "isBase64Encoded": False,
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": "203.0.113.9"},
            "requestId": "archive-1",
            "stage": "$default",
        },
    }


def test_hello_archive_records_its_greeting_in_dynamodb(
    aws_project: Deployment, moto_endpoint: str, tmp_path: Path
) -> None:
    """The data clients the shim binds by name are in the archive."""
    import json

    from tests.backends.fixtures import create_message_resource, create_resource

    hello = dict(aws_project.named("aws:lambda/function:Function", "hello").inputs)
    names = entry_names(Path(hello["code"].path))
    assert "providers/aws/clients.py" in names and "providers/aws/dynamodb.py" in names
    assert not [name for name in names if name.startswith("providers/gcp/")]
    variables = hello["environment"]["variables"]
    table = variables["PORTABLE_TABLE_GREETINGS"]
    with aws_sdk(moto_endpoint):
        create_resource("aws", "table", table)
        topic = create_message_resource("aws", "topic", "greeted")
    variables = {**variables, "PORTABLE_TOPIC_GREETED": topic}
    event = http_event("POST", "/hello", '{"name": "Archive"}', {"content-type": "application/json"})
    reply = invoke_archive({**hello, "environment": {"variables": variables}}, event, moto_endpoint, tmp_path)
    assert reply["statusCode"] == 200 and json.loads(reply["body"]) == {"message": "Hello, Archive!"}
    with aws_sdk(moto_endpoint) as client:
        items = client("dynamodb").scan(TableName=table)["Items"]
    assert any("Archive" in json.dumps(item) for item in items)


def test_webhook_archive_reads_its_key_from_secrets_manager(
    aws_project: Deployment, moto_endpoint: str, tmp_path: Path
) -> None:
    """The function's environment holds the secret's ARN; the archive fetches the value with GetSecretValue."""
    import hashlib
    import hmac
    import json

    webhook = dict(aws_project.named("aws:lambda/function:Function", "receive_webhook").inputs)
    with aws_sdk(moto_endpoint) as client:
        arn = client("secretsmanager").create_secret(Name=f"webhook-{tmp_path.name}", SecretString="whsec_moto")["ARN"]
    variables = {**webhook["environment"]["variables"], "PORTABLE_SECRET_WEBHOOK_KEY": arn}
    assert "whsec_moto" not in json.dumps(variables)
    body = '{"type": "ping"}'
    signed = "sha256=" + hmac.new(b"whsec_moto", body.encode(), hashlib.sha256).hexdigest()
    event = http_event("POST", "/webhooks", body, {"content-type": "application/json", "x-signature": signed})
    reply = invoke_archive({**webhook, "environment": {"variables": variables}}, event, moto_endpoint, tmp_path)
    assert (reply["statusCode"], json.loads(reply["body"])) == (200, {"received": True, "type": "ping"})


def test_the_webhook_key_reaches_only_secrets_manager_and_never_the_preview(aws_project: Deployment) -> None:
    from providers.deploy.preview import as_json, as_text

    text = as_text(aws_project, ROOT)
    assert "whsec_test" not in as_json(aws_project) + text
    assert "    secretString: [secret]" in text
    variables = aws_project.named("aws:lambda/function:Function", "receive_webhook").inputs["environment"]["variables"]
    assert variables["PORTABLE_SECRET_WEBHOOK_KEY"].startswith("arn:aws:secretsmanager:")
    assert variables["SIGNATURE_HEADER"] == "X-Signature"


def test_the_reference_app_needs_its_secret_set_before_it_deploys() -> None:
    import pulumi

    from providers.deploy import preview

    with pytest.raises(
        pulumi.RunError,
        match=r"secret 'webhook_key' \(read by receive_webhook\) has no value in "
        r"stack 'aws'; run `pulumi config set --secret secrets:webhook_key <value> --stack aws`",
    ):
        preview.preview_project(ROOT, "aws", {})


def test_only_the_webhook_archive_carries_the_secret_manager_client(gcp_project: Deployment) -> None:
    archives = function_archives(gcp_project)

    def requirements(name: str) -> str:
        with zipfile.ZipFile(archives[name]) as archive:
            return archive.read("requirements.txt").decode()

    assert "google-cloud-secret-manager==" in requirements("receive_webhook")
    assert "google-cloud-secret-manager" not in requirements("hello")
    variables = gcp_project.named("gcp:cloudfunctionsv2/function:Function", "receive_webhook").inputs["serviceConfig"][
        "environmentVariables"
    ]
    assert variables["PORTABLE_SECRET_WEBHOOK_KEY"] == "projects/demo-project/secrets/portable-gcp-webhook_key"
