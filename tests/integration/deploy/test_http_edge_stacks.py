"""Both stacks of the project under mocks: the CORS policy and the JWT authorizer as each gateway takes them,
and the stack's overrides of origins, issuer and audiences."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from portable.cors_policy import from_environment
from tests.support.mocks import Deployment
from tests.support.project import deploy_project

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

GCP = {"gcp:project": "demo-project"}
OVERRIDES = {
    "portable:corsAllowOrigins": "https://app.example.com,https://admin.example.com",
    "portable:jwtAuth": json.dumps(
        {"users": {"issuer": "https://tenant.eu.auth0.com/", "audiences": ["https://api.example.com"]}}
    ),
}


@pytest.fixture(scope="module")
def aws_stack() -> Deployment:
    return deploy_project("aws", {})


@pytest.fixture(scope="module")
def gcp_stack() -> Deployment:
    return deploy_project("gcp", GCP)


def openapi(deployment: Deployment) -> dict[str, Any]:
    config = deployment.named("gcp:apigateway/apiConfig:ApiConfig", "http-api-config").inputs
    (document,) = config["openapiDocuments"]
    return dict(json.loads(base64.b64decode(document["document"]["contents"])))


def test_aws_api_carries_the_declared_cors_configuration(aws_stack: Deployment) -> None:
    api = aws_stack.named("aws:apigatewayv2/api:Api", "http-api").inputs
    assert api["corsConfiguration"] == {
        "allowOrigins": ["http://localhost:3000"],
        "allowMethods": ["GET", "POST", "PUT", "PATCH", "DELETE"],
        "allowHeaders": ["authorization", "content-type"],
        "exposeHeaders": [],
        "maxAge": 600,
        "allowCredentials": False,
    }


def test_aws_jwt_authorizer_guards_only_the_routes_declared_with_auth(aws_stack: Deployment) -> None:
    (authorizer,) = aws_stack.of_type("aws:apigatewayv2/authorizer:Authorizer")
    assert authorizer.inputs["authorizerType"] == "JWT"
    assert authorizer.inputs["identitySources"] == ["$request.header.Authorization"]
    assert authorizer.inputs["jwtConfiguration"] == {
        "issuer": "https://auth.example.com/",
        "audiences": ["portable-api"],
    }
    me = aws_stack.named("aws:apigatewayv2/route:Route", "me-route").inputs
    hello = aws_stack.named("aws:apigatewayv2/route:Route", "hello-route").inputs
    assert me["authorizationType"] == "JWT" and me["authorizerId"]
    assert hello["authorizationType"] == "NONE" and "authorizerId" not in hello


def test_gcp_gateway_sends_preflights_to_the_shim_and_checks_tokens_of_auth_routes(gcp_stack: Deployment) -> None:
    spec = openapi(gcp_stack)
    assert spec["securityDefinitions"] == {
        "users": {
            "authorizationUrl": "",
            "flow": "implicit",
            "type": "oauth2",
            "x-google-issuer": "https://auth.example.com/",
            "x-google-jwks_uri": "https://auth.example.com/.well-known/jwks.json",
            "x-google-audiences": "portable-api",
        }
    }
    assert spec["paths"]["/me"]["get"]["security"] == [{"users": []}]
    assert "security" not in spec["paths"]["/hello"]["post"]
    for path in ("/me", "/hello"):
        options = spec["paths"][path]["options"]
        assert "security" not in options and options["x-google-backend"]["path_translation"] == "APPEND_PATH_TO_ADDRESS"


def test_gcp_http_functions_get_the_policy_their_shim_answers_with(gcp_stack: Deployment) -> None:
    functions = {
        r.name: r.inputs["serviceConfig"]["environmentVariables"]
        for r in gcp_stack.of_type("gcp:cloudfunctionsv2/function:Function")
    }
    assert from_environment(functions["me"]["PORTABLE_CORS"]).allow_origins == ("http://localhost:3000",)
    assert functions["me"]["PORTABLE_CORS"] == functions["hello"]["PORTABLE_CORS"]
    assert "PORTABLE_CORS" not in functions["make_thumbnail"]


def test_aws_http_functions_get_the_policy_so_that_their_replies_vary_by_origin(aws_stack: Deployment) -> None:
    functions = {
        r.name: r.inputs["environment"]["variables"] for r in aws_stack.of_type("aws:lambda/function:Function")
    }
    assert from_environment(functions["hello"]["PORTABLE_CORS"]).allow_origins == ("http://localhost:3000",)
    assert "PORTABLE_CORS" not in functions["make_thumbnail"]


def test_a_stack_overrides_origins_issuer_and_audiences_on_both_clouds() -> None:
    aws = deploy_project("aws", OVERRIDES)
    cors = aws.named("aws:apigatewayv2/api:Api", "http-api").inputs["corsConfiguration"]
    assert cors["allowOrigins"] == ["https://app.example.com", "https://admin.example.com"]
    (authorizer,) = aws.of_type("aws:apigatewayv2/authorizer:Authorizer")
    assert authorizer.inputs["jwtConfiguration"] == {
        "issuer": "https://tenant.eu.auth0.com/",
        "audiences": ["https://api.example.com"],
    }
    gcp = deploy_project("gcp", {**GCP, **OVERRIDES})
    security = openapi(gcp)["securityDefinitions"]["users"]
    assert security["x-google-issuer"] == "https://tenant.eu.auth0.com/"
    assert security["x-google-jwks_uri"] == "https://tenant.eu.auth0.com/.well-known/jwks.json"
    assert security["x-google-audiences"] == "https://api.example.com"
    me = gcp.named("gcp:cloudfunctionsv2/function:Function", "me").inputs["serviceConfig"]["environmentVariables"]
    assert from_environment(me["PORTABLE_CORS"]).allow_origins == (
        "https://app.example.com",
        "https://admin.example.com",
    )


def test_buckets_let_the_apps_origins_use_their_signed_urls_on_both_clouds() -> None:
    """Without a cors= of their own, the reference app's buckets follow its CORS policy and the stack's origins."""
    for config, origins in (
        ({}, ["http://localhost:3000"]),
        (OVERRIDES, ["https://app.example.com", "https://admin.example.com"]),
    ):
        aws = deploy_project("aws", config)
        rules = {
            r.name: r.inputs["corsRules"] for r in aws.of_type("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration")
        }
        assert set(rules) == {"uploads-cors", "thumbnails-cors", "reports-cors"}
        assert rules["uploads-cors"] == [
            {
                "allowedOrigins": origins,
                "allowedMethods": ["GET", "HEAD", "PUT"],
                "allowedHeaders": ["content-type"],
                "exposeHeaders": ["ETag"],
                "maxAgeSeconds": 3600,
            }
        ]
        gcp = deploy_project("gcp", {**GCP, **config})
        for bucket in gcp.of_type("gcp:storage/bucket:Bucket"):
            if bucket.name == "function-sources":
                continue
            assert bucket.inputs["cors"] == [
                {
                    "origins": origins,
                    "methods": ["GET", "HEAD", "PUT"],
                    "responseHeaders": ["Content-Type", "ETag"],
                    "maxAgeSeconds": 3600,
                }
            ], bucket.name
