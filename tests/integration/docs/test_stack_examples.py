"""The documentation's deploy examples under Pulumi's mocks: the stack file of the Secrets and settings page, and the
refusal of a delayed queue on GCP that the Queues and topics page describes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pulumi
import pytest

from providers.deploy.preview import Preview, run_program, stack_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "docs" / "examples"
LAMBDA = "aws:lambda/function:Function"


def lambda_inputs(preview: Preview, name: str) -> dict[str, object]:
    [function] = [resource for resource in preview.of_type(LAMBDA) if resource.name == name]
    return function.inputs


def test_the_stack_file_overrides_what_the_code_declares(tmp_path: Path) -> None:
    # The example's functions/ as an app's top-level package, as the deploy packages it.
    shutil.copytree(EXAMPLES / "settings" / "functions", tmp_path / "docs_settings_app")
    config = stack_config(EXAMPLES / "settings", "aws")
    preview = run_program("aws", config, package="docs_settings_app", search_path=str(tmp_path))
    webhook = lambda_inputs(preview, "receive_webhook")
    assert (webhook["memorySize"], webhook["timeout"]) == (512, 10)
    variables = webhook["environment"]["variables"]  # type: ignore[index]
    assert (variables["SIGNATURE_HEADER"], variables["LOG_LEVEL"], variables["GREETING"]) == (
        "X-Hub-Signature-256",
        "debug",
        "Hello",
    )
    greeting = lambda_inputs(preview, "greeting")
    assert (greeting["memorySize"], greeting["timeout"]) == (256, 30), "the defaults, where the stack says nothing"
    assert greeting["environment"]["variables"]["GREETING"] == "Hi"  # type: ignore[index]
    assert greeting["environment"]["variables"]["LOG_LEVEL"] == "debug"  # type: ignore[index]


def test_gcp_refuses_a_queue_declared_with_delays() -> None:
    config = {"gcp:project": "docs-project", "gcp:region": "europe-west1"}
    with pytest.raises(pulumi.RunError, match="reminders"):
        run_program("gcp", config, package="docs.examples.messaging.functions", search_path=str(ROOT))
