"""Run the Pulumi program in-process under Pulumi's mocks (providers/deploy/preview.py) on the test apps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from providers.deploy.preview import ACCOUNT, GCS_AGENT, Preview, RecordingMocks, Registered
from providers.deploy.preview import run_program as run_preview

__all__ = ["ACCOUNT", "APPS", "GCS_AGENT", "Deployment", "RecordingMocks", "Registered", "run_program"]

APPS = Path(__file__).parents[1] / "apps" / "deploy"


@dataclass
class Deployment(Preview):
    """A preview with the lookups the stack tests make."""

    def named(self, typ: str, name: str) -> Registered:
        matches = [resource for resource in self.of_type(typ) if resource.name == name]
        assert len(matches) == 1, f"expected one {typ} named {name}, found {len(matches)}"
        return matches[0]

    def policy(self, resource: Registered, key: str = "policy") -> dict[str, Any]:
        document: dict[str, Any] = json.loads(resource.inputs[key])
        return document

    @classmethod
    def of(cls, preview: Preview) -> Deployment:
        return cls(preview.project, preview.stack, preview.resources, preview.outputs)


def run_program(
    stack: str, config: dict[str, str], package: str = "sampleapp", mocks: RecordingMocks | None = None
) -> tuple[Deployment, RecordingMocks]:
    """Run the program for `stack` with `config` on a test app of APPS; raise what it raises."""
    mocks = mocks or RecordingMocks(config.get("aws:region", config.get("gcp:region", "none")))
    preview = run_preview(stack, config, package=package, search_path=str(APPS), mocks=mocks)
    return Deployment.of(preview), mocks


TEST_APPS = Path(__file__).resolve().parents[1] / "apps"
STACK_CONFIG = {
    "aws": {"aws:region": "eu-central-1"},
    "gcp": {"gcp:project": "proj", "gcp:region": "europe-west1"},
}


def app_stack(cloud: str, package: str) -> Deployment:
    """The stack `cloud` of the test app `package` (a package of tests/apps/), with the usual region and project."""
    return Deployment.of(run_preview(cloud, STACK_CONFIG[cloud], package=package, search_path=str(TEST_APPS)))
