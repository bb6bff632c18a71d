"""The Pulumi program under mocks (providers/deploy/program.py): bad stacks and bad declarations stop it when it
starts, before any resource is registered."""

from __future__ import annotations

import json

import pulumi
import pytest

from providers.deploy.preview import SECRET
from tests.support.mocks import ACCOUNT, RecordingMocks, run_program

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
            "pad.py:6 (pad): 'left-pad>=1' is not in requirements.lock; add 'left-pad>=1' to "
            "requirements-dev.txt and run `./dev lock`",
        ),
        ("gcp", GCP, "unlocked", "pad.py:6 (pad): 'left-pad>=1' is not in requirements.lock"),
        ("gcp", GCP, "anyauth", "route 'ANY /files/{path+}' requires auth and takes OPTIONS"),
        (
            "aws",
            AWS,
            "localissuer",
            "jwt_auth 'local_users', which GET /admin (",
        ),
        (
            "gcp",
            GCP,
            "localissuer",
            "admin.py:8) require, cannot be deployed: its issuer 'http://localhost:9000/' is not an https URL, which "
            "a deployed gateway requires. Locally it serves; for this stack, name the issuer your users sign in with: "
            "`pulumi config set --path 'portable:jwtAuth.local_users.issuer' https://example.eu.auth0.com/ --stack "
            "gcp`",
        ),
        (
            "aws",
            {**AWS, "portable:jwtAuth": json.dumps({"local_users": {"issuer": "https://127.0.0.1:8443/"}})},
            "localissuer",
            "its issuer 'https://127.0.0.1:8443/' is on this machine's loopback, which no deployed gateway reaches",
        ),
        (
            "gcp",
            {**GCP, "portable:buildServiceAccount": "the-builder"},
            "sampleapp",
            "portable:buildServiceAccount is 'the-builder'; give the email of the service account Cloud Build builds "
            "the functions as, e.g. `pulumi config set portable:buildServiceAccount "
            "builder@demo-project.iam.gserviceaccount.com --stack gcp`",
        ),
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


REGION = "eu-central-1"
# The configured app declares a secret: its stacks carry a value.
AWS_WITH_SECRET = {"aws:region": REGION, "secrets:stripe_key": SECRET}
GCP_WITH_SECRET = {"gcp:project": "demo-project", "gcp:region": "europe-west1", "secrets:stripe_key": SECRET}
CERTIFICATE = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"


def functions_override(value: object) -> dict[str, str]:
    return {"portable:functions": json.dumps(value)}


@pytest.mark.parametrize(
    ("stack", "config", "expected"),
    [
        (
            "aws",
            {"aws:region": REGION},
            "secret 'stripe_key' (read by charge) has no value in stack 'aws'; run "
            "`pulumi config set --secret secrets:stripe_key <value> --stack aws` "
            "(for `portable preview`: `-c secrets:stripe_key=...`)",
        ),
        (
            "gcp",
            {k: v for k, v in GCP_WITH_SECRET.items() if not k.startswith("secrets:")},
            "has no value in stack 'gcp'",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, "secrets:stripe_key": "sk_live_plain"},
            "secrets:stripe_key is stored in plain text in "
            "Pulumi.aws.yaml; set it again as a secret (encrypted) with `pulumi config set --secret secrets:stripe_key",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, **functions_override({"charge": {"memory_mb": "lots"}})},
            "portable:functions.charge.memory_mb: memory_mb is 'lots'; "
            "it must be a whole number of MB from 128 to 10240",
        ),
        (
            "gcp",
            {**GCP_WITH_SECRET, **functions_override({"charge": {"memory_mb": 64}})},
            "fix it with `pulumi config set --path portable:functions.charge.memory_mb 512 --stack gcp` "
            "(for `portable preview`, set it in Pulumi.gcp.yaml)",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, **functions_override({"charge": {"timeout_seconds": 900}})},
            "portable:functions.charge.timeout_seconds: timeout_seconds is 900; it must be a whole number of seconds "
            "from 1 to 540",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, **functions_override({"charge": {"timeout_seconds": True}})},
            "timeout_seconds is True",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, **functions_override({"chrage": {}})},
            "portable:functions.chrage names no function; the functions are charge, greet",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, **functions_override({"charge": {"memory": 512}})},
            "portable:functions.charge.memory is not a function setting; "
            "a stack can set memory_mb, timeout_seconds, env",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, **functions_override(["charge"])},
            "portable:functions is ['charge']; it must be a mapping",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, **functions_override({"charge": {"env": {"GREETING": ["a"]}}})},
            "setting 'GREETING' is ['a'] (list); settings are strings",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, "portable:env": json.dumps({"GRETING": "x"})},
            "portable:env.GRETING overrides a setting the code does not declare (declared: GREETING, LOG_LEVEL)",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, "portable:env": json.dumps({"LOG_LEVEL": "x" * 4000})},
            "the settings take 4009 bytes",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, "portable:domain": "https://api.example.com/"},
            "portable:domain is 'https://api.example.com/'; it must be a host name such as api.example.com",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, "portable:domain": "api.example.com"},
            "portable:domain is 'api.example.com' but the stack has no portable:certificateArn",
        ),
        (
            "aws",
            {
                **AWS_WITH_SECRET,
                "portable:domain": "api.example.com",
                "portable:certificateArn": CERTIFICATE.replace(REGION, "us-east-1"),
            },
            "portable:certificateArn is in us-east-1, but a regional API Gateway domain needs a certificate "
            "in the stack's region eu-central-1",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, "portable:domain": "api.example.com", "portable:certificateArn": "my-cert"},
            "portable:certificateArn is 'my-cert', not an ACM certificate ARN",
        ),
        (
            "aws",
            {**AWS_WITH_SECRET, "portable:certificateArn": CERTIFICATE},
            "portable:certificateArn is set but portable:domain is not",
        ),
        ("gcp", {**GCP_WITH_SECRET, "portable:domain": "api..example.com"}, "portable:domain is 'api..example.com'"),
    ],
)
def test_refused_when_the_program_starts(stack: str, config: dict[str, str], expected: str) -> None:
    mocks = RecordingMocks("none")
    with pytest.raises(pulumi.RunError) as refusal:
        run_program(stack, config, "configured", mocks)
    assert expected in str(refusal.value)
    assert mocks.resources == []
