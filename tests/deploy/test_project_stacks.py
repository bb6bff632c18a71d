"""The project's own functions/ build under mocks on both stacks, from the real Pulumi.<stack>.yaml settings."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.deploy.archive_contents import archived_pulumi_imports, deploy_entries, entry_names, pulumi_imports
from tests.deploy.mocks import Deployment
from tests.deploy.project import ROOT, deploy_project, function_archives

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


def test_hello_archive_records_its_greeting_in_dynamodb(
    aws_project: Deployment, moto_endpoint: str, tmp_path: Path
) -> None:
    """The built archive alone (plus boto3, which the Lambda runtime provides) serves hello and
    writes to its table: the data clients the shim binds by name are in the archive."""
    import json
    import os
    import site
    import subprocess
    import sys

    from tests.backends.fixtures import create_message_resource, create_resource

    hello = aws_project.named("aws:lambda/function:Function", "hello").inputs
    with zipfile.ZipFile(hello["code"].path) as archive:
        archive.extractall(tmp_path)
        names = archive.namelist()
    assert "providers/aws/clients.py" in names and "providers/aws/dynamodb.py" in names
    assert not [name for name in names if name.startswith("providers/gcp/")]
    variables = hello["environment"]["variables"]
    table = variables["PORTABLE_TABLE_GREETINGS"]
    os.environ["AWS_ENDPOINT_URL"] = moto_endpoint
    try:
        create_resource("aws", "table", table)
        variables = {**variables, "PORTABLE_TOPIC_GREETED": create_message_resource("aws", "topic", "greeted")}
    finally:
        del os.environ["AWS_ENDPOINT_URL"]
    runner = (
        "import json, sys; sys.path[:0] = [sys.argv[1]]; sys.path.append(sys.argv[2]);"
        "from providers.aws.runtime import handler;"
        "print(json.dumps(handler(json.load(sys.stdin), None)))"
    )
    event = {
        "version": "2.0", "routeKey": "POST /hello", "rawPath": "/hello", "rawQueryString": "",
        "headers": {"content-type": "application/json"}, "body": '{"name": "Archive"}', "isBase64Encoded": False,
        "requestContext": {"http": {"method": "POST", "path": "/hello", "sourceIp": "203.0.113.9"},
                           "requestId": "archive-1", "stage": "$default"},
    }
    environment = {
        "PATH": os.environ.get("PATH", ""), "AWS_ENDPOINT_URL": moto_endpoint, "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1", **variables,
    }
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", runner, str(tmp_path), site.getsitepackages()[0]],
        input=json.dumps(event), env=environment, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout.splitlines()[-1])
    assert reply["statusCode"] == 200 and json.loads(reply["body"]) == {"message": "Hello, Archive!"}
    os.environ["AWS_ENDPOINT_URL"] = moto_endpoint
    try:
        from providers.aws.sdk import client

        client.cache_clear()
        items = client("dynamodb").scan(TableName=table)["Items"]
    finally:
        del os.environ["AWS_ENDPOINT_URL"]
        client.cache_clear()
    assert any("Archive" in json.dumps(item) for item in items)
