"""The project's own functions/ deployed under mocks, from the real Pulumi.<stack>.yaml settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from providers.deploy.program import main
from tests.deploy.mocks import Deployment, RecordingMocks

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


def function_archives(deployment: Deployment) -> dict[str, Path]:
    """Function name -> the archive the program built for it (Lambda code, or Cloud Functions source)."""
    lambdas = {r.name: r.inputs["code"].path for r in deployment.of_type("aws:lambda/function:Function")}
    sources = {r.name.removesuffix("-source"): r.inputs["source"].path
               for r in deployment.of_type("gcp:storage/bucketObject:BucketObject")}
    return {name: Path(path) for name, path in {**lambdas, **sources}.items()}
