"""The project's own functions/ build under mocks on both stacks, from the real Pulumi.<stack>.yaml settings."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pulumi
import pytest

from providers.stack import main
from tests.deploy.mocks import Deployment, RecordingMocks

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

ROOT = Path(__file__).resolve().parents[2]


def stack_config(stack: str) -> dict[str, str]:
    """The `config:` block of Pulumi.<stack>.yaml (flat `key: value` lines, which is all it holds)."""
    config: dict[str, str] = {}
    lines = (ROOT / f"Pulumi.{stack}.yaml").read_text().splitlines()
    for line in lines[lines.index("config:") + 1:]:
        key, _, value = line.strip().partition(": ")
        config[key] = value.strip('"')
    return config


def deploy_project(stack: str, extra: dict[str, str]) -> Deployment:
    mocks = RecordingMocks("project")
    pulumi.runtime.set_mocks(mocks, project="portable", stack=stack, preview=False)
    pulumi.runtime.set_all_config({**stack_config(stack), **extra})
    deployment = Deployment(mocks.resources)

    @pulumi.runtime.test
    def program() -> pulumi.Output[Any]:
        return pulumi.Output.from_input(main()).apply(deployment.outputs.update)

    program()
    return deployment


def test_aws_stack_file_deploys_functions_and_hello_ships_without_pillow() -> None:
    deployment = deploy_project("aws", {})
    archives = {r.name: r.inputs["code"].path for r in deployment.of_type("aws:lambda/function:Function")}
    assert {"hello", "make_thumbnail"} <= archives.keys()
    with zipfile.ZipFile(archives["hello"]) as hello:
        assert not [name for name in hello.namelist() if name.startswith(("PIL/", "pillow"))]
    with zipfile.ZipFile(archives["make_thumbnail"]) as thumbnail:
        assert "PIL/__init__.py" in thumbnail.namelist()
    assert "api_url" in deployment.outputs


def test_gcp_stack_file_needs_only_a_project() -> None:
    deployment = deploy_project("gcp", {"gcp:project": "demo-project"})
    functions = {r.name for r in deployment.of_type("gcp:cloudfunctionsv2/function:Function")}
    assert {"hello", "make_thumbnail"} <= functions
    assert "api_url" in deployment.outputs
