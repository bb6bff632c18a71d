"""The reference app's OpenAPI documents as each stack deploys them: the same schemas on AWS (the `api_document`
output), on GCP (in API Gateway's OpenAPI 2.0 document, and the same output) and from `portable openapi`."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from portable.loading import load_app
from portable.openapi import openapi_document
from providers.deploy.api_document import stack_document
from tests.conftest import ROOT
from tests.support.mocks import Deployment
from tests.support.project import deploy_project

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"), pytest.mark.slow]


@pytest.fixture(scope="module")
def stacks() -> dict[str, Deployment]:
    return {
        "aws": deploy_project("aws", {}),
        "gcp": deploy_project("gcp", {"gcp:project": "demo-project", "gcp:region": "europe-west1"}),
    }


def gateway_document(gcp: Deployment) -> dict[str, Any]:
    config = gcp.named("gcp:apigateway/apiConfig:ApiConfig", "http-api-config").inputs
    (document,) = config["openapiDocuments"]
    return dict(json.loads(base64.b64decode(document["document"]["contents"])))


def test_each_stack_exports_the_document_with_its_url_as_server(stacks: dict[str, Deployment]) -> None:
    declared = openapi_document(load_app("functions", str(ROOT)), "portable")
    for cloud, deployment in stacks.items():
        document = deployment.outputs["api_document"]
        validate(document)
        assert document["servers"] == [{"url": deployment.outputs["api_url"]}], cloud
        assert document["components"]["schemas"] == declared["components"]["schemas"], cloud
        assert document["paths"] == declared["paths"], cloud


def test_the_gcp_gateway_document_carries_the_same_schemas_in_openapi_2(stacks: dict[str, Deployment]) -> None:
    gateway = gateway_document(stacks["gcp"])
    validate(gateway)  # as Swagger 2.0
    assert gateway["definitions"]["HelloIn"] == {
        "title": "HelloIn",
        "type": "object",
        "properties": {"name": {"type": "string", "default": "World"}},
        "description": "Who to greet; without a name (or without a body), the world.",
    }
    hello = gateway["paths"]["/hello"]["post"]
    [body] = [parameter for parameter in hello["parameters"] if parameter["in"] == "body"]
    assert body == {"name": "body", "in": "body", "required": False, "schema": {"$ref": "#/definitions/HelloIn"}}
    assert hello["responses"]["200"]["schema"] == {"$ref": "#/definitions/HelloOut"}
    assert hello["responses"]["422"]["schema"] == {"$ref": "#/definitions/ValidationError"}
    assert hello["x-google-backend"]["path_translation"] == "APPEND_PATH_TO_ADDRESS"
    me = gateway["paths"]["/me"]["get"]
    assert me["security"] == [{"users": []}] and me["responses"]["401"]["schema"] == {"$ref": "#/definitions/Error"}
    assert gateway["definitions"]["Caller"]["required"] == ["subject", "scopes"]


def test_a_stack_document_takes_the_stacks_issuer_and_domain(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: guarded\nruntime: python\n")
    (tmp_path / "Pulumi.aws.yaml").write_text(
        "config:\n"
        "  portable:cloud: aws\n"
        "  aws:region: eu-west-1\n"
        "  portable:domain: api.example.org\n"
        "  portable:jwtAuth:\n"
        "    members:\n"
        "      issuer: https://login.example.org/\n"
        "      audiences: [shop-api]\n"
    )
    document = stack_document(load_app("tests.apps.edge"), tmp_path, "aws")
    validate(document)
    assert document["info"]["title"] == "guarded"
    assert document["servers"] == [{"url": "https://api.example.org"}]
    scheme = document["components"]["securitySchemes"]["members"]
    assert (scheme["x-portable-issuer"], scheme["x-portable-audiences"]) == ("https://login.example.org/", ["shop-api"])
    assert document["paths"]["/whoami"]["get"]["security"] == [{"members": []}]


def test_the_validator_refuses_a_broken_document() -> None:
    """The checks above mean something: a reply without its description does not validate."""
    document = openapi_document(load_app("functions", str(ROOT)), "portable")
    del document["paths"]["/hello"]["post"]["responses"]["200"]["description"]
    with pytest.raises(OpenAPIValidationError):
        validate(document)
