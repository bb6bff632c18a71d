"""Published payloads of a verified caller, through each shim: API Gateway's JWT claims on AWS
(`requestContext.authorizer.jwt`) and the userinfo header of API Gateway on GCP, to the one `request.auth`.
A route that requires auth but reaches a shim without a verified caller gets the portable 401."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from portable.delivery import Bound
from portable.loading import load_app
from providers.aws.runtime import Entry, serve
from providers.binding import client_factory
from tests.support.published import published

PACKAGE = "tests.apps.edge"
JWT_FIXTURES: dict[str, dict[str, Any]] = {
    "aws/apigw-v2/post-json-body-jwt.json": {
        "subject": None,
        "scopes": ["scope1", "scope2"],
        "claims": {"claim1": "value1", "claim2": "value2"},
    },
    "aws/apigw-v2/jwt-cognito-id-token-scopes-null.json": {
        "subject": "d2f50444-0041-7036-aea2-a955fca33d37",
        "scopes": [],
        "claims": {
            "aud": "3nkoep4151b7umeggnottc30u9",
            "auth_time": "1718636404",
            "cognito:username": "aamorosi",
            "event_id": "c7f6cc62-c476-4c6a-ba5b-745244dfe5ee",
            "exp": "1718722804",
            "iat": "1718636404",
            "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_y0bLG4i27",
            "jti": "13727aba-89e6-4896-bd9e-8cbc0f478f9c",
            "origin_jti": "37cc02cf-5c14-4636-beb3-4f8ca887935b",
            "sub": "d2f50444-0041-7036-aea2-a955fca33d37",
            "token_use": "id",
        },
    },
    "aws/apigw-v2/jwt-cognito-claims-no-scopes-key.json": {
        "subject": None,
        "scopes": [],
        "claims": {
            "cognito:groups": "Admin",
            "phone_number_verified": "true",
            "cognito:username": "normj",
            "aud": "3mushfc8sgm8uoacvif5vhkt49",
            "event_id": "75760f58-f984-11e7-8d4a-2389efc50d68",
            "token_use": "id",
            "auth_time": "1515973296",
            "you_are_special": "true",
        },
    },
}
USERINFO = "gcp/apigateway/userinfo-header.documented-contract.json"
USED = {*JWT_FIXTURES, USERINFO}


def aws_reply(function: str, event: dict[str, Any]) -> dict[str, Any]:
    app = load_app(PACKAGE)
    bound = Bound.of(app.functions[function], app.handlers[function], client_factory("local"))
    return serve(Entry(bound, "local"), event, "fixture")


@pytest.fixture(scope="module")
def gcp_client() -> Iterator[Client]:
    from providers.local.runner import LocalApp

    runner = LocalApp(PACKAGE)
    yield runner.targets["whoami"].test_client()


@pytest.mark.parametrize("fixture", list(JWT_FIXTURES))
def test_api_gateway_jwt_claims_become_request_auth(fixture: str) -> None:
    reply = aws_reply("whoami", published(fixture))
    assert reply["statusCode"] == 200
    assert json.loads(reply["body"])["auth"] == JWT_FIXTURES[fixture]


def test_an_open_route_ignores_the_authorizer_context() -> None:
    reply = aws_reply("open_route", published("aws/apigw-v2/post-json-body-jwt.json"))
    assert json.loads(reply["body"]) == {"auth": None}


def test_an_auth_route_reached_without_the_authorizer_answers_the_portable_401() -> None:
    event = published("aws/apigw-v2/jwt-cognito-id-token-scopes-null.json")
    del event["requestContext"]["authorizer"]
    reply = aws_reply("whoami", event)
    body = json.loads(reply["body"])
    assert reply["statusCode"] == 401 and reply["headers"]["www-authenticate"].startswith("Bearer")
    assert set(body) == {"error", "status", "request_id"} and "requires a signed-in caller" in body["error"]


def test_malformed_claims_are_the_senders_fault() -> None:
    event = published("aws/apigw-v2/post-json-body-jwt.json")
    event["requestContext"]["authorizer"]["jwt"]["scopes"] = "scope1"
    reply = aws_reply("whoami", event)
    assert reply["statusCode"] == 400 and "authorizer.jwt.scopes" in json.loads(reply["body"])["error"]


@pytest.mark.parametrize("case", ["esp-v2-es256-token-payload", "endpoints-sample-standard-padded"])
def test_the_gateways_userinfo_header_becomes_request_auth(gcp_client: Client, case: str) -> None:
    contract = published(USERINFO)
    value, claims = contract["values"][case]["value"], contract["values"][case]["claims"]
    response = gcp_client.get("/whoami", headers={contract["header"]: value})
    assert response.status_code == 200
    assert response.get_json()["auth"] == {"subject": claims.get("sub"), "scopes": [], "claims": claims}


@pytest.mark.parametrize("value", [None, "not base64!", "WzEsMl0"])  # WzEsMl0 is [1,2]: no claims object
def test_an_auth_route_without_readable_userinfo_answers_the_portable_401(
    gcp_client: Client,
    value: str | None,
) -> None:
    headers = {"X-Apigateway-Api-Userinfo": value} if value else {}
    response = gcp_client.get("/whoami", headers=headers)
    body = response.get_json()
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(body) == {"error", "status", "request_id"}


def test_the_same_claims_read_the_same_from_either_gateway(gcp_client: Client) -> None:
    """AWS hands claims over as text; GCP as the token's JSON. The portable rule makes them one `request.auth`."""
    import base64

    claims = {"sub": "u-1", "exp": 1718722804, "email_verified": True, "scope": "a b", "aud": "x"}
    header = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    gcp = gcp_client.get("/whoami", headers={"X-Apigateway-Api-Userinfo": header}).get_json()["auth"]
    event = published("aws/apigw-v2/jwt-cognito-id-token-scopes-null.json")
    event["requestContext"]["authorizer"]["jwt"] = {
        "claims": {"sub": "u-1", "exp": "1718722804", "email_verified": "true", "scope": "a b", "aud": "x"},
        "scopes": ["a", "b"],
    }
    aws = json.loads(aws_reply("whoami", event)["body"])["auth"]
    assert aws == gcp and gcp["scopes"] == ["a", "b"] and gcp["claims"]["exp"] == "1718722804"
