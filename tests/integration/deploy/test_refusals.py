"""What a stack lets through that a declaration alone would not: filters that overlap on GCP, where the shim filters,
and a route declared with a local issuer once the stack names a reachable one. The refusals made before any resource
is registered are in tests/unit/providers/deploy/test_program.py."""

from __future__ import annotations

import json

import pytest

from tests.support.mocks import run_program

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


GCP = {"gcp:project": "demo-project", "gcp:region": "europe-west1"}


def test_overlapping_filters_are_fine_on_gcp_where_the_shim_filters() -> None:
    deployment, _ = run_program("gcp", GCP, "overlapping")
    assert {r.name for r in deployment.of_type("gcp:cloudfunctionsv2/function:Function")} == {"index_raw", "index_png"}


def test_a_stack_naming_a_reachable_issuer_deploys_a_route_declared_with_a_local_one() -> None:
    override = {"local_users": {"issuer": "https://tenant.eu.auth0.com/", "audiences": ["admin-api"]}}
    deployment, _ = run_program(
        "aws", {"aws:region": "eu-central-1", "portable:jwtAuth": json.dumps(override)}, "localissuer"
    )
    (authorizer,) = deployment.of_type("aws:apigatewayv2/authorizer:Authorizer")
    assert authorizer.inputs["jwtConfiguration"]["issuer"] == "https://tenant.eu.auth0.com/"
