"""Table changes under Pulumi's mocks on both stacks: the stream or the Eventarc trigger of each change function,
its filters, retries and dead letters, and least privilege."""

from __future__ import annotations

import json
from typing import Any

import pytest

from providers.deploy.preview import run_program
from tests.conftest import ROOT
from tests.support.mocks import ACCOUNT, Deployment

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

REGION = "eu-central-1"
APPS = str(ROOT / "tests" / "apps")
STREAM = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/stock-0000001/stream/2026-01-01T00:00:00.000"
MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
TRIGGER = "gcp:eventarc/trigger:Trigger"


@pytest.fixture(scope="module")
def aws_stack() -> Deployment:
    return Deployment.of(run_program("aws", {"aws:region": REGION}, package="changes", search_path=APPS))


@pytest.fixture(scope="module")
def gcp_stack() -> Deployment:
    config = {"gcp:project": "proj", "gcp:region": "europe-west1"}
    return Deployment.of(run_program("gcp", config, package="changes", search_path=APPS))


def statements(stack: Deployment, function: str) -> dict[str, dict[str, Any]]:
    policy = stack.policy(stack.named("aws:iam/rolePolicy:RolePolicy", f"{function}-policy"))
    return {statement["Sid"]: statement for statement in policy["Statement"]}


def test_only_a_table_with_change_functions_has_a_stream_with_both_images(aws_stack: Deployment) -> None:
    table = "aws:dynamodb/table:Table"
    stock = aws_stack.named(table, "stock").inputs
    assert (stock["streamEnabled"], stock["streamViewType"]) == (True, "NEW_AND_OLD_IMAGES")
    assert "streamEnabled" not in aws_stack.named(table, "ledger").inputs


@pytest.mark.parametrize(
    ("function", "pattern", "batch_size", "retries"),
    [
        ("record_stock", {"eventName": ["INSERT", "MODIFY", "REMOVE"]}, 10, 4),
        ("new_order", {"eventName": ["INSERT"], "dynamodb": {"Keys": {"_key": {"S": [{"prefix": "orders/"}]}}}}, 5, 6),
    ],
)
def test_each_change_function_reads_the_stream_through_its_own_filtered_mapping(
    aws_stack: Deployment, function: str, pattern: dict[str, Any], batch_size: int, retries: int
) -> None:
    mapping = aws_stack.named(MAPPING, f"{function}-changes").inputs
    assert mapping["eventSourceArn"] == STREAM
    assert mapping["functionName"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}-0000001"
    assert [json.loads(f["pattern"]) for f in mapping["filterCriteria"]["filters"]] == [pattern]
    assert mapping["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert (mapping["batchSize"], mapping["maximumRetryAttempts"]) == (batch_size, retries)
    assert mapping["maximumRecordAgeInSeconds"] == 24 * 3600
    assert mapping["startingPosition"] == "LATEST"
    dead_letters = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{function}-dead-letters-0000001"
    assert mapping["destinationConfig"] == {"onFailure": {"destinationArn": dead_letters}}
    granted = statements(aws_stack, function)
    assert granted["ReadOwnStream"]["Resource"] == [STREAM]
    assert set(granted["ReadOwnStream"]["Action"]) == {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    }
    assert granted["SendOwnDeadLetters"] == {
        "Sid": "SendOwnDeadLetters",
        "Effect": "Allow",
        "Action": ["sqs:SendMessage"],
        "Resource": [dead_letters],
    }
    assert "WriteTableStock" not in granted, "a change function does not write to the table that triggers it"


def test_no_other_function_may_read_the_stream_and_the_dead_letters_are_outputs(aws_stack: Deployment) -> None:
    assert "ReadOwnStream" not in statements(aws_stack, "put_stock")
    assert {r.name for r in aws_stack.of_type(MAPPING)} == {"record_stock-changes", "new_order-changes"}
    assert set(aws_stack.outputs["dead_letters"]) == {"record_stock", "new_order"}


@pytest.mark.parametrize(("function", "event_type"), [("record_stock", "written"), ("new_order", "created")])
def test_each_change_function_has_an_eventarc_firestore_trigger_on_the_tables_collection(
    gcp_stack: Deployment, function: str, event_type: str
) -> None:
    trigger = gcp_stack.named(TRIGGER, f"{function}-changes").inputs
    assert trigger["matchingCriterias"] == [
        {"attribute": "type", "value": f"google.cloud.firestore.document.v1.{event_type}"},
        {"attribute": "database", "value": "(default)"},
        {"attribute": "document", "value": "gcp-stock/{key}", "operator": "match-path-pattern"},
    ]
    assert trigger["eventDataContentType"] == "application/json"
    assert trigger["location"] == "europe-west1"
    service = function.replace("_", "-") + "-gcp"
    assert trigger["destination"] == {"cloudRunService": {"service": service, "region": "europe-west1"}}
    invoker = f"inv-{function.replace('_', '-')}-gcp@proj.iam.gserviceaccount.com"
    assert trigger["serviceAccount"] == invoker
    receiver = gcp_stack.named("gcp:projects/iAMMember:IAMMember", f"{function}-event-receiver").inputs
    assert (receiver["role"], receiver["member"]) == ("roles/eventarc.eventReceiver", f"serviceAccount:{invoker}")
    run_invoker = gcp_stack.named("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", f"{function}-invoker").inputs
    assert (run_invoker["name"], run_invoker["member"]) == (service, f"serviceAccount:{invoker}")
    waits_for = gcp_stack.named(TRIGGER, f"{function}-changes").depends_on
    assert {f"{function}-invoker", f"{function}-event-receiver", "api-eventarc", "api-firestore"} <= waits_for
    assert "eventTrigger" not in gcp_stack.named("gcp:cloudfunctionsv2/function:Function", function).inputs
    assert gcp_stack.outputs["dead_letters"][function] == (
        f'resource.labels.service_name="{service}" AND jsonPayload.dead_letter=true'
    )


def test_a_change_function_only_reads_the_table_that_triggers_it(gcp_stack: Deployment) -> None:
    access = gcp_stack.named("gcp:projects/iAMMember:IAMMember", "record_stock-firestore-access").inputs
    assert access["role"] == "roles/datastore.viewer"
    assert {r.name for r in gcp_stack.of_type(TRIGGER)} == {"record_stock-changes", "new_order-changes"}
