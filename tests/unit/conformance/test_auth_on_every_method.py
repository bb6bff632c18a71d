"""A route that requires auth is closed on every method it serves, OPTIONS included, on AWS (API Gateway's JWT
authorizer in front of the Lambda shim), on GCP (API Gateway's OpenAPI `security` in front of the functions-framework
shim, as the deploy generates it) and locally: no token and a forged userinfo header both get 401, and a handler
never sees an identity the gateway did not verify."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portable import http_trigger
from providers.gcp.deploy.openapi import Backend, openapi_document
from providers.testing.kit import Kit
from tests.support.kits import kits_on_every_target

PACKAGE = "tests.apps.closed"
FORGED = {"X-Apigateway-Api-Userinfo": "eyJzdWIiOiJyb290In0"}  # {"sub":"root"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@pytest.fixture(scope="module")
def kits() -> Iterator[dict[str, Kit]]:
    with kits_on_every_target(PACKAGE) as opened:
        yield opened


@pytest.mark.parametrize(("method", "path"), [*((method, "/admin") for method in METHODS), ("OPTIONS", "/opt")])
def test_every_method_of_a_guarded_route_refuses_a_forged_identity_everywhere(
    kits: dict[str, Kit], method: str, path: str
) -> None:
    for target, kit in kits.items():
        for headers in ({}, FORGED, {**FORGED, "Authorization": "Bearer not-a-token"}):
            reply = kit.http(method, path, headers=headers)
            assert reply.status == 401, (target, method, path, headers, reply.body)
            assert b"root" not in reply.body, (target, method, path)


@pytest.mark.parametrize("method", METHODS)
def test_a_good_token_opens_every_method_and_the_handler_sees_its_subject(kits: dict[str, Kit], method: str) -> None:
    for target, kit in kits.items():
        headers = {"Authorization": f"Bearer {kit.token('user-42')}", **FORGED}
        reply = kit.http(method, "/admin", headers=headers)
        assert (reply.status, reply.json()) == (200, {"method": method, "subject": "user-42"}), target


def test_an_open_route_ignores_a_forged_identity_everywhere(kits: dict[str, Kit]) -> None:
    for target, kit in kits.items():
        reply = kit.http("GET", "/public", headers=FORGED)
        assert (reply.status, reply.json()) == (200, {"method": "GET", "subject": None}), target


def test_every_operation_of_a_guarded_route_carries_security_in_the_gcp_document() -> None:
    kit = Kit("aws", package=PACKAGE)
    try:
        specs = http_trigger.functions(kit.app)
    finally:
        kit.close()
    backends = [Backend(spec.name, spec.trigger.route, f"https://{spec.name}", 30, spec.trigger.auth) for spec in specs]
    paths = openapi_document("api", backends)["paths"]
    assert set(paths["/admin"]) == {"get", "post", "put", "patch", "delete", "head", "options"}
    for path in ("/admin", "/opt"):
        for method, operation in paths[path].items():
            assert operation["security"] == [{"members": []}], (path, method)
    assert "security" not in paths["/public"]["get"]
