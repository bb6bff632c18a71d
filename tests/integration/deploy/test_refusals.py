"""Bad stacks and bad declarations stop the program before any resource is registered."""

from __future__ import annotations

import pulumi
import pytest

from tests.support.mocks import RecordingMocks, run_program

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

AWS = {"aws:region": "eu-central-1"}
GCP = {"gcp:project": "demo-project", "gcp:region": "europe-west1"}


@pytest.mark.parametrize(
    ("stack", "config", "package", "expected"),
    [
        (
            "dev",
            {},
            "sampleapp",
            "stack 'dev' does not say which cloud; Portable deploys to aws or gcp: run "
            "`pulumi config set portable:cloud aws --stack dev`",
        ),
        ("aws", {"portable:cloud": "azure"}, "sampleapp", "portable:cloud is 'azure'"),
        (
            "aws",
            {},
            "sampleapp",
            "stack 'aws' has no aws:region (the AWS region to deploy to); run "
            "`pulumi config set aws:region eu-central-1 --stack aws`",
        ),
        (
            "gcp",
            {"gcp:region": "europe-west1"},
            "sampleapp",
            "run `pulumi config set gcp:project my-project-id --stack gcp`",
        ),
        (
            "gcp",
            {"gcp:project": "demo-project"},
            "sampleapp",
            "`pulumi config set gcp:region europe-west1 --stack gcp`",
        ),
        ("aws", {**AWS, "portable:architecture": "sparc"}, "sampleapp", "portable:architecture is 'sparc'; use one of"),
        ("aws", {**AWS, "portable:pythonVersion": "3.9"}, "sampleapp", "portable:pythonVersion is '3.9'"),
        ("aws", {**AWS, "portable:logRetentionDays": "10"}, "sampleapp", "portable:logRetentionDays is 10"),
        ("aws", {**AWS, "portable:httpRateLimit": "fast"}, "sampleapp", "portable:httpRateLimit is 'fast'"),
        ("aws", AWS, "undeclared", "table(...), queue(...), topic(...) and secret(...) handles, got 'reports'"),
        ("gcp", GCP, "clashing", "clashes with"),
        ("aws", AWS, "overlapping", "both take created events of bucket 'photos' with overlapping filters"),
        (
            "gcp",
            {**GCP, "portable:allowDataDeletion": "yes"},
            "sampleapp",
            "portable:allowDataDeletion is 'yes'; use one of true, false, e.g. "
            "`pulumi config set portable:allowDataDeletion true --stack gcp`",
        ),
        (
            "gcp",
            GCP,
            "badretries",
            "retries=RetryPolicy(attempts=5) cannot run on AWS, where Lambda tries an event at "
            "most 3 times; use a whole number from 1 (no retry) to 3",
        ),
        (
            "aws",
            AWS,
            "unlocked",
            "pad.py (pad): 'left-pad>=1' is not in requirements.lock; add left-pad to "
            "requirements-dev.txt and run `./dev lock`",
        ),
        ("gcp", GCP, "unlocked", "pad.py (pad): 'left-pad>=1' is not in requirements.lock"),
        ("gcp", GCP, "anyauth", "route 'ANY /files/{path+}' requires auth and takes OPTIONS"),
        (
            "gcp",
            GCP,
            "delayedqueue",
            "reminders.py:3: declared with delays=True, which GCP cannot run: Pub/Sub has no "
            "delayed delivery, so a message cannot be held back. Drop delays=True "
            "(and send without delay_seconds, e.g. keep the due time in the body), or keep this app on AWS",
        ),
    ],
)
def test_refused_before_any_resource(stack: str, config: dict[str, str], package: str, expected: str) -> None:
    mocks = RecordingMocks("none")
    with pytest.raises(pulumi.RunError) as refusal:
        run_program(stack, config, package, mocks)
    message = str(refusal.value)
    assert expected in message
    assert mocks.resources == []


def test_overlapping_filters_are_fine_on_gcp_where_the_shim_filters() -> None:
    deployment, _ = run_program("gcp", GCP, "overlapping")
    assert {r.name for r in deployment.of_type("gcp:cloudfunctionsv2/function:Function")} == {"index_raw", "index_png"}
