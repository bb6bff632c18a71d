"""The idempotency store under Pulumi's mocks on both stacks: one table per app with the cloud's time to live on
its expiry field, named to every idempotent function and writable by it alone."""

from __future__ import annotations

import pytest

from portable.data_rules import EXPIRES_FIELD, IDEMPOTENCY_TABLE
from providers.deploy.preview import run_program
from tests.conftest import ROOT
from tests.support.mocks import Deployment, app_stack

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

APPS = str(ROOT / "tests" / "apps")
VARIABLE = "PORTABLE_TABLE_PORTABLE_IDEMPOTENCY"


@pytest.fixture(scope="module")
def aws_stack() -> Deployment:
    return app_stack("aws", "once")


@pytest.fixture(scope="module")
def gcp_stack() -> Deployment:
    return app_stack("gcp", "once")


def test_aws_keeps_the_store_in_a_dynamodb_table_with_ttl_on_its_expiry(aws_stack: Deployment) -> None:
    store = aws_stack.named("aws:dynamodb/table:Table", IDEMPOTENCY_TABLE).inputs
    assert store["ttl"] == {"enabled": True, "attributeName": EXPIRES_FIELD}
    assert "ttl" not in aws_stack.named("aws:dynamodb/table:Table", "once-runs").inputs
    work = aws_stack.named("aws:lambda/function:Function", "work").inputs
    assert work["environment"]["variables"][VARIABLE] == "portable-idempotency-0000001"
    policy = aws_stack.policy(aws_stack.named("aws:iam/rolePolicy:RolePolicy", "work-policy"))
    sids = {statement["Sid"] for statement in policy["Statement"]}
    assert {"ReadTablePortableIdempotency", "WriteTablePortableIdempotency"} <= sids


def test_gcp_keeps_the_store_in_a_collection_with_a_ttl_policy_on_its_expiry(gcp_stack: Deployment) -> None:
    policy = gcp_stack.named("gcp:firestore/field:Field", "idempotency-ttl").inputs
    assert (policy["collection"], policy["field"], policy["database"]) == (
        f"gcp-{IDEMPOTENCY_TABLE}",
        EXPIRES_FIELD,
        "(default)",
    )
    assert policy["ttlConfig"] == {}
    work = gcp_stack.named("gcp:cloudfunctionsv2/function:Function", "work").inputs
    assert work["serviceConfig"]["environmentVariables"][VARIABLE] == f"gcp-{IDEMPOTENCY_TABLE}"


def test_an_app_without_idempotent_functions_has_no_store() -> None:
    stack = Deployment.of(run_program("aws", {"aws:region": "eu-central-1"}, package="changes", search_path=APPS))
    assert IDEMPOTENCY_TABLE not in {r.name for r in stack.resources}
