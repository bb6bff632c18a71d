"""The project's own functions/ under mocks with its real Pulumi.<stack>.yaml settings, as `portable preview`."""

from __future__ import annotations

from pathlib import Path

from providers.deploy import preview
from tests.support.mocks import Deployment

ROOT = Path(__file__).resolve().parents[2]


def stack_config(stack: str) -> dict[str, str]:
    return preview.stack_config(ROOT, stack)


# The values `pulumi config set --secret` gives the reference app's secrets.
SECRETS = {"secrets:webhook_key": "whsec_test"}


def deploy_project(stack: str, extra: dict[str, str]) -> Deployment:
    return Deployment.of(preview.preview_project(ROOT, stack, {**SECRETS, **extra}))


def function_archives(deployment: Deployment) -> dict[str, Path]:
    """Function name -> the archive the program built for it (Lambda code, or Cloud Functions source)."""
    lambdas = {r.name: r.inputs["code"].path for r in deployment.of_type("aws:lambda/function:Function")}
    sources = {
        r.name.removesuffix("-source"): r.inputs["source"].path
        for r in deployment.of_type("gcp:storage/bucketObject:BucketObject")
    }
    return {name: Path(path) for name, path in {**lambdas, **sources}.items()}
