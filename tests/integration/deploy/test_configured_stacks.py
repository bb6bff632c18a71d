"""Secrets, settings and custom domains on both stacks under mocks, and their refusals when the program starts."""

from __future__ import annotations

import json

import pytest
from pulumi.runtime import rpc

from providers.deploy.preview import SECRET
from tests.support.mocks import ACCOUNT, Deployment, run_program

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

REGION = "eu-central-1"
AWS = {"aws:region": REGION, "secrets:stripe_key": SECRET}
GCP = {"gcp:project": "demo-project", "gcp:region": "europe-west1", "secrets:stripe_key": SECRET}
CERTIFICATE = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"
OVERRIDES = {
    "portable:env": json.dumps({"LOG_LEVEL": "debug"}),
    "portable:functions": json.dumps(
        {"charge": {"memory_mb": 1024, "timeout_seconds": "20", "env": {"CURRENCY": "USD"}}}
    ),
}
# How an input marked secret reaches the mocks: Pulumi encrypts such values in the state.
SECRET_INPUT = {rpc._special_sig_key: rpc._special_secret_sig, "value": SECRET}
LAMBDA = "aws:lambda/function:Function"
CLOUD_FUNCTION = "gcp:cloudfunctionsv2/function:Function"


def deploy(stack: str, config: dict[str, str]) -> Deployment:
    deployment, _ = run_program(stack, config, "configured")
    return deployment


@pytest.fixture(scope="module")
def aws_stack() -> Deployment:
    return deploy("aws", AWS)


@pytest.fixture(scope="module")
def gcp_stack() -> Deployment:
    return deploy("gcp", GCP)


def lambda_environment(deployment: Deployment, name: str) -> dict[str, str]:
    variables: dict[str, str] = deployment.named(LAMBDA, name).inputs["environment"]["variables"]
    return variables


def function_environment(deployment: Deployment, name: str) -> dict[str, str]:
    variables: dict[str, str] = deployment.named(CLOUD_FUNCTION, name).inputs["serviceConfig"]["environmentVariables"]
    return variables


def test_aws_keeps_the_value_in_secrets_manager_and_only_the_arn_in_the_environment(aws_stack: Deployment) -> None:
    secret = aws_stack.named("aws:secretsmanager/secret:Secret", "stripe_key-secret")
    version = aws_stack.named("aws:secretsmanager/secretVersion:SecretVersion", "stripe_key-secret-value")
    assert version.inputs["secretString"] == SECRET_INPUT
    assert version.inputs["secretId"] == "stripe_key-secret-id"
    arn = secret.state["arn"]
    assert lambda_environment(aws_stack, "charge")["PORTABLE_SECRET_STRIPE_KEY"] == arn
    assert "PORTABLE_SECRET_STRIPE_KEY" not in lambda_environment(aws_stack, "greet")
    for name in ("charge", "greet"):
        assert SECRET not in json.dumps(lambda_environment(aws_stack, name))
    assert "stripe_key-secret-value" in aws_stack.named(LAMBDA, "charge").depends_on, "no function before its value"


def test_aws_grants_get_secret_value_on_that_secret_to_the_declaring_function_only(aws_stack: Deployment) -> None:
    arn = aws_stack.named("aws:secretsmanager/secret:Secret", "stripe_key-secret").state["arn"]
    charge = aws_stack.policy(aws_stack.named("aws:iam/rolePolicy:RolePolicy", "charge-policy"))
    reads = [s for s in charge["Statement"] if s["Sid"] == "ReadSecretStripeKey"]
    assert reads == [
        {
            "Sid": "ReadSecretStripeKey",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [arn],
        }
    ]
    greet = aws_stack.policy(aws_stack.named("aws:iam/rolePolicy:RolePolicy", "greet-policy"))
    assert not any("secretsmanager" in json.dumps(s) for s in greet["Statement"])


def test_gcp_keeps_the_value_in_secret_manager_and_grants_the_accessor_to_the_declaring_function_only(
    gcp_stack: Deployment,
) -> None:
    secret = gcp_stack.named("gcp:secretmanager/secret:Secret", "stripe_key-secret")
    assert secret.inputs["secretId"] == "portable-gcp-stripe_key"
    assert secret.inputs["replication"] == {"auto": {}}
    version = gcp_stack.named("gcp:secretmanager/secretVersion:SecretVersion", "stripe_key-secret-value")
    assert version.inputs["secretData"] == SECRET_INPUT
    grants = gcp_stack.of_type("gcp:secretmanager/secretIamMember:SecretIamMember")
    assert [(g.name, g.inputs["role"], g.inputs["secretId"], g.inputs["member"]) for g in grants] == [
        (
            "charge-reads-stripe_key",
            "roles/secretmanager.secretAccessor",
            "portable-gcp-stripe_key",
            "serviceAccount:fun-charge-gcp@demo-project.iam.gserviceaccount.com",
        )
    ]
    assert (
        function_environment(gcp_stack, "charge")["PORTABLE_SECRET_STRIPE_KEY"]
        == "projects/demo-project/secrets/portable-gcp-stripe_key"
    )
    assert "PORTABLE_SECRET_STRIPE_KEY" not in function_environment(gcp_stack, "greet")
    assert SECRET not in json.dumps(function_environment(gcp_stack, "charge"))
    assert "stripe_key-secret-value" in gcp_stack.named(CLOUD_FUNCTION, "charge").depends_on
    services = {r.inputs["service"] for r in gcp_stack.of_type("gcp:projects/service:Service")}
    assert "secretmanager.googleapis.com" in services and "compute.googleapis.com" not in services


@pytest.mark.parametrize("stack", ["aws", "gcp"])
def test_settings_reach_each_function_as_declared(stack: str, aws_stack: Deployment, gcp_stack: Deployment) -> None:
    environment = lambda_environment if stack == "aws" else function_environment
    deployment = aws_stack if stack == "aws" else gcp_stack
    charge = environment(deployment, "charge")
    assert {k: charge[k] for k in ("CURRENCY", "GREETING", "LOG_LEVEL", "PORTABLE_SETTINGS")} == {
        "CURRENCY": "EUR",
        "GREETING": "Hello",
        "LOG_LEVEL": "info",
        "PORTABLE_SETTINGS": "CURRENCY,GREETING,LOG_LEVEL",
    }
    assert environment(deployment, "greet")["GREETING"] == "Hi", "a function's own setting wins over the app's"


def test_a_stack_overrides_memory_timeout_and_settings() -> None:
    aws = deploy("aws", {**AWS, **OVERRIDES})
    charge = aws.named(LAMBDA, "charge").inputs
    assert (charge["memorySize"], charge["timeout"]) == (1024, 20)
    assert charge["environment"]["variables"]["CURRENCY"] == "USD"
    assert charge["environment"]["variables"]["LOG_LEVEL"] == "debug"
    greet = aws.named(LAMBDA, "greet").inputs
    assert (greet["memorySize"], greet["environment"]["variables"]["LOG_LEVEL"]) == (256, "debug")
    gcp = deploy("gcp", {**GCP, **OVERRIDES})
    config = gcp.named(CLOUD_FUNCTION, "charge").inputs["serviceConfig"]
    assert (config["availableMemory"], config["timeoutSeconds"]) == ("1024M", 20)
    assert config["environmentVariables"]["CURRENCY"] == "USD"


def test_aws_serves_the_api_on_a_custom_domain() -> None:
    aws = deploy("aws", {**AWS, "portable:domain": "API.example.com", "portable:certificateArn": CERTIFICATE})
    domain = aws.named("aws:apigatewayv2/domainName:DomainName", "http-api-domain").inputs
    assert domain["domainName"] == "api.example.com"
    assert domain["domainNameConfiguration"] == {
        "certificateArn": CERTIFICATE,
        "endpointType": "REGIONAL",
        "securityPolicy": "TLS_1_2",
    }
    mapping = aws.named("aws:apigatewayv2/apiMapping:ApiMapping", "http-api-domain-mapping").inputs
    assert (mapping["apiId"], mapping["domainName"], mapping["stage"]) == (
        "http-api-id",
        "http-api-domain-id",
        "$default",
    )
    assert aws.outputs["api_url"] == "https://api.example.com"
    assert aws.outputs["domain_target"] == f"d-http-api-domain.execute-api.{REGION}.amazonaws.com"


def test_gcp_serves_the_gateway_on_a_custom_domain_through_a_load_balancer() -> None:
    gcp = deploy("gcp", {**GCP, "portable:domain": "api.example.com"})
    group = gcp.named("gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup", "http-api-domain-neg")
    assert group.inputs["networkEndpointType"] == "SERVERLESS"
    gateway = gcp.named("gcp:apigateway/gateway:Gateway", "http-gateway").inputs["gatewayId"]
    assert group.inputs["serverlessDeployment"] == {"platform": "apigateway.googleapis.com", "resource": gateway}
    backend = gcp.named("gcp:compute/backendService:BackendService", "http-api-domain-backend").inputs
    assert backend["backends"] == [{"group": "http-api-domain-neg-id"}]
    certificate = gcp.named("gcp:compute/managedSslCertificate:ManagedSslCertificate", "http-api-domain-certificate")
    assert certificate.inputs["managed"] == {"domains": ["api.example.com"]}
    rule = gcp.named("gcp:compute/globalForwardingRule:GlobalForwardingRule", "http-api-domain-https").inputs
    assert (rule["portRange"], rule["target"]) == ("443", "http-api-domain-proxy-id")
    assert gcp.outputs["api_url"] == "https://api.example.com"
    assert gcp.outputs["domain_target"] == "203.0.113.10"
    services = {r.inputs["service"] for r in gcp.of_type("gcp:projects/service:Service")}
    assert "compute.googleapis.com" in services


def test_without_a_domain_the_url_is_the_gateways(aws_stack: Deployment, gcp_stack: Deployment) -> None:
    assert aws_stack.outputs["api_url"] == f"https://http-api.execute-api.{REGION}.amazonaws.com"
    assert gcp_stack.outputs["api_url"].endswith(".gateway.dev")
    assert "domain_target" not in aws_stack.outputs and "domain_target" not in gcp_stack.outputs
