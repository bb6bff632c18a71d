"""The aws stack under Pulumi's mocks: resource graph, wiring, least privilege, outputs."""

from __future__ import annotations

import json
import zipfile
from typing import Any

import pytest

from tests.support.mocks import ACCOUNT, Deployment, run_program

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

REGION = "eu-central-1"
LAMBDA = "aws:lambda/function:Function"
ASYNC_INVOKE = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
EVENT_FUNCTIONS = ("forget", "make_thumbnail", "nightly_report", "tick")


@pytest.fixture(scope="module")
def aws_stack() -> Deployment:
    deployment, _ = run_program("aws", {"aws:region": REGION, "portable:httpRateLimit": "25"})
    return deployment


@pytest.fixture(scope="module")
def disposable_stack() -> Deployment:
    deployment, _ = run_program("aws", {"aws:region": REGION, "portable:allowDataDeletion": "true"})
    return deployment


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}-0000001"


def queue_arn(function: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{function}-dead-letters-0000001"


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["Statement"])


def test_every_function_is_a_python_lambda_running_the_aws_shim(aws_stack: Deployment) -> None:
    functions = {resource.name: resource.inputs for resource in aws_stack.of_type(LAMBDA)}
    assert set(functions) == {"hello", "show_greeting", "files", "make_thumbnail", "forget", "nightly_report", "tick"}
    for name, inputs in functions.items():
        assert inputs["runtime"] == "python3.12"
        assert inputs["handler"] == "portable_entry.handler"
        assert inputs["architectures"] == ["x86_64"]
        assert inputs["loggingConfig"]["logFormat"] == "JSON"
        with zipfile.ZipFile(inputs["code"].path) as archive:
            assert "providers/aws/runtime.py" in archive.namelist()
            entry = archive.read("portable_entry.py").decode()
            assert f"handler = bind({name!r}, " in entry, "the archive's entry module binds its function at import"


def test_environment_names_exactly_the_resources_a_function_uses(aws_stack: Deployment) -> None:
    variables = aws_stack.named(LAMBDA, "make_thumbnail").inputs["environment"]["variables"]
    assert variables == {
        "PORTABLE_BUCKET_UPLOADS": "uploads-0000001",
        "PORTABLE_BUCKET_THUMBNAILS": "thumbnails-0000001",
    }
    hello = aws_stack.named(LAMBDA, "hello").inputs["environment"]
    assert hello == {"variables": {}}, "the entry module names the function: no variable does"


def test_each_route_reaches_its_function_through_a_payload_2_proxy(aws_stack: Deployment) -> None:
    integrations = {
        f"integrations/{r.name}-id": r.inputs for r in aws_stack.of_type("aws:apigatewayv2/integration:Integration")
    }
    wiring = {}
    for route in aws_stack.of_type("aws:apigatewayv2/route:Route"):
        integration = integrations[route.inputs["target"]]
        assert integration["integrationType"] == "AWS_PROXY"
        assert integration["payloadFormatVersion"] == "2.0"
        wiring[route.inputs["routeKey"]] = integration["integrationUri"]
    assert wiring == {
        "POST /hello": f"arn:aws:apigateway:{REGION}:lambda:path/functions/{lambda_arn('hello')}/invocations",
        "GET /greetings/{id}": (
            f"arn:aws:apigateway:{REGION}:lambda:path/functions/{lambda_arn('show_greeting')}/invocations"
        ),
        "ANY /files/{path+}": f"arn:aws:apigateway:{REGION}:lambda:path/functions/{lambda_arn('files')}/invocations",
    }


def test_default_stage_auto_deploys_with_throttling(aws_stack: Deployment) -> None:
    (stage,) = aws_stack.of_type("aws:apigatewayv2/stage:Stage")
    assert stage.inputs["name"] == "$default"
    assert stage.inputs["autoDeploy"] is True
    assert stage.inputs["defaultRouteSettings"] == {"throttlingRateLimit": 25, "throttlingBurstLimit": 200}


def test_api_may_invoke_only_its_own_routes(aws_stack: Deployment) -> None:
    api_arn = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:http-api-id"
    permissions = {
        p.name: p.inputs
        for p in aws_stack.of_type("aws:lambda/permission:Permission")
        if p.inputs["principal"] == "apigateway.amazonaws.com"
    }
    assert {name: (inputs["function"], inputs["sourceArn"]) for name, inputs in permissions.items()} == {
        "hello-api-invoke": ("hello-0000001", f"{api_arn}/*/POST/hello"),
        "show_greeting-api-invoke": ("show_greeting-0000001", f"{api_arn}/*/GET/greetings/*"),
        "files-api-invoke": ("files-0000001", f"{api_arn}/*/*/files/*"),
    }


def test_bucket_notifications_carry_each_functions_filters(aws_stack: Deployment) -> None:
    (notification,) = aws_stack.of_type("aws:s3/bucketNotification:BucketNotification")
    assert notification.inputs["bucket"] == "uploads-id"
    configurations = {c["lambdaFunctionArn"]: c for c in notification.inputs["lambdaFunctions"]}
    assert configurations == {
        lambda_arn("make_thumbnail"): {
            "lambdaFunctionArn": lambda_arn("make_thumbnail"),
            "events": ["s3:ObjectCreated:*"],
            "filterPrefix": "incoming/",
            "filterSuffix": ".jpg",
        },
        lambda_arn("forget"): {
            "lambdaFunctionArn": lambda_arn("forget"),
            "events": ["s3:ObjectRemoved:*"],
            "filterPrefix": "incoming/",
        },
    }
    s3_permissions = [
        p.inputs
        for p in aws_stack.of_type("aws:lambda/permission:Permission")
        if p.inputs["principal"] == "s3.amazonaws.com"
    ]
    assert sorted((p["function"], p["sourceArn"], p["sourceAccount"]) for p in s3_permissions) == [
        ("forget-0000001", "arn:aws:s3:::uploads-0000001", ACCOUNT),
        ("make_thumbnail-0000001", "arn:aws:s3:::uploads-0000001", ACCOUNT),
    ]


def test_schedules_invoke_their_function_at_the_compiled_time_in_their_zone(aws_stack: Deployment) -> None:
    nightly = aws_stack.named("aws:scheduler/schedule:Schedule", "nightly_report").inputs
    assert nightly["scheduleExpression"] == "cron(30 2 ? * 2-6 *)"  # Monday-Friday; EventBridge counts Sunday as 1
    assert nightly["scheduleExpressionTimezone"] == "Europe/Berlin"
    assert nightly["flexibleTimeWindow"] == {"mode": "OFF"}
    target = nightly["target"]
    assert target["arn"] == lambda_arn("nightly_report")
    event = json.loads(target["input"])
    assert (event["source"], event["detail-type"], event["time"]) == (
        "aws.scheduler",
        "Scheduled Event",
        "<aws.scheduler.scheduled-time>",
    )
    tick = aws_stack.named("aws:scheduler/schedule:Schedule", "tick").inputs
    assert tick["target"]["arn"] == lambda_arn("tick")
    assert tick["scheduleExpressionTimezone"] == "UTC"


def test_scheduler_role_may_invoke_only_its_function_and_send_only_to_its_queue(aws_stack: Deployment) -> None:
    for name in ("nightly_report", "tick"):
        role = aws_stack.named("aws:iam/role:Role", f"{name}-scheduler-role")
        trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
        assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
        policy = aws_stack.policy(aws_stack.named("aws:iam/rolePolicy:RolePolicy", f"{name}-scheduler-invoke"))
        assert [(s["Action"], s["Resource"]) for s in statements(policy)] == [
            (["lambda:InvokeFunction"], [lambda_arn(name)]),
            (["sqs:SendMessage"], [queue_arn(name)]),
        ]


def test_event_functions_retry_as_their_policy_says_then_dead_letter_to_their_own_queue(
    aws_stack: Deployment,
) -> None:
    configs = {r.name: r.inputs for r in aws_stack.of_type(ASYNC_INVOKE)}
    assert {
        name: (c["functionName"], c["maximumRetryAttempts"], c["maximumEventAgeInSeconds"])
        for name, c in configs.items()
    } == {
        "make_thumbnail-async-invoke": ("make_thumbnail-0000001", 1, 900),  # RetryPolicy(2, 900)
        "forget-async-invoke": ("forget-0000001", 2, 3600),  # the default: 3 attempts, 1 hour
        "nightly_report-async-invoke": ("nightly_report-0000001", 0, 21600),  # RetryPolicy(1, 21600)
        "tick-async-invoke": ("tick-0000001", 2, 3600),
    }
    for name in EVENT_FUNCTIONS:
        assert configs[f"{name}-async-invoke"]["destinationConfig"] == {"onFailure": {"destination": queue_arn(name)}}


def test_schedules_retry_undelivered_firings_by_the_same_policy_into_the_same_queue(aws_stack: Deployment) -> None:
    targets = {
        name: aws_stack.named("aws:scheduler/schedule:Schedule", name).inputs["target"]
        for name in ("nightly_report", "tick")
    }
    assert targets["nightly_report"]["retryPolicy"] == {"maximumRetryAttempts": 0, "maximumEventAgeInSeconds": 21600}
    assert targets["tick"]["retryPolicy"] == {"maximumRetryAttempts": 2, "maximumEventAgeInSeconds": 3600}
    for name, target in targets.items():
        assert target["deadLetterConfig"] == {"arn": queue_arn(name)}


def test_dead_letter_queues_are_encrypted_and_keep_messages_14_days(aws_stack: Deployment) -> None:
    queues = {r.name: r.inputs for r in aws_stack.of_type("aws:sqs/queue:Queue")}
    assert set(queues) == {f"{name}-dead-letters" for name in EVENT_FUNCTIONS}
    for inputs in queues.values():
        assert inputs["sqsManagedSseEnabled"] is True
        assert inputs["messageRetentionSeconds"] == 14 * 24 * 3600


def test_first_events_find_permissions_and_retry_policies_in_place(aws_stack: Deployment) -> None:
    (notification,) = aws_stack.of_type("aws:s3/bucketNotification:BucketNotification")
    assert {
        "make_thumbnail-s3-invoke",
        "forget-s3-invoke",
        "make_thumbnail-async-invoke",
        "forget-async-invoke",
    } <= notification.depends_on
    for name in ("nightly_report", "tick"):
        schedule = aws_stack.named("aws:scheduler/schedule:Schedule", name)
        assert {f"{name}-scheduler-invoke", f"{name}-async-invoke"} <= schedule.depends_on
    (stage,) = aws_stack.of_type("aws:apigatewayv2/stage:Stage")
    for name in ("hello", "show_greeting", "files"):
        assert {f"{name}-route", f"{name}-api-invoke"} <= stage.depends_on
    assert "hello-policy" in aws_stack.named(LAMBDA, "hello").depends_on
    for name in EVENT_FUNCTIONS:  # after the function, so after the role policy that lets Lambda send to the queue
        assert name in aws_stack.named(ASYNC_INVOKE, f"{name}-async-invoke").depends_on
        assert f"{name}-policy" in aws_stack.named(LAMBDA, name).depends_on


def granted(deployment: Deployment, function: str) -> dict[str, set[str]]:
    """resource ARN -> actions, from the function's role policy."""
    policy = deployment.policy(deployment.named("aws:iam/rolePolicy:RolePolicy", f"{function}-policy"))
    grants: dict[str, set[str]] = {}
    for statement in statements(policy):
        assert statement["Effect"] == "Allow"
        for resource in statement["Resource"]:
            grants.setdefault(resource, set()).update(statement["Action"])
    return grants


def test_roles_hold_only_declared_access(aws_stack: Deployment) -> None:
    logs = {"logs:CreateLogStream", "logs:PutLogEvents"}
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/greetings-0000001"
    log_group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/portable/portable/aws/" + "{}:*"
    assert granted(aws_stack, "hello") == {log_group.format("hello"): logs}
    assert granted(aws_stack, "forget") == {
        log_group.format("forget"): logs,
        "arn:aws:s3:::uploads-0000001": {"s3:ListBucket"},
        "arn:aws:s3:::uploads-0000001/*": {"s3:GetObject"},
        queue_arn("forget"): {"sqs:SendMessage"},
    }
    assert granted(aws_stack, "show_greeting") == {
        log_group.format("show_greeting"): logs,
        table: {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"},
    }
    assert granted(aws_stack, "tick")[table] == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    }
    thumbnail = granted(aws_stack, "make_thumbnail")
    assert thumbnail["arn:aws:s3:::uploads-0000001"] == {"s3:ListBucket"}
    assert thumbnail["arn:aws:s3:::uploads-0000001/*"] == {"s3:GetObject"}
    assert thumbnail["arn:aws:s3:::thumbnails-0000001/*"] == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
    }
    assert "arn:aws:s3:::reports-0000001" not in str(thumbnail)


def test_no_policy_has_a_wildcard_action_or_a_foreign_resource(aws_stack: Deployment) -> None:
    declared = {
        "hello": set(),
        "show_greeting": {"greetings"},
        "files": {"uploads"},
        "make_thumbnail": {"uploads", "thumbnails"},
        "forget": {"uploads"},
        "nightly_report": {"greetings", "reports"},
        "tick": {"greetings"},
    }
    for function, names in declared.items():
        for resource, actions in granted(aws_stack, function).items():
            assert all("*" not in action for action in actions), (function, actions)
            if ":logs:" in resource:
                assert f"/{function}:*" in resource
                continue
            if ":sqs:" in resource:
                assert (resource, actions) == (queue_arn(function), {"sqs:SendMessage"})
                continue
            physical = resource.split(":::")[-1].split(":table/")[-1].removesuffix("/*")
            assert physical.removesuffix("-0000001") in names, (function, resource)


def test_buckets_are_private_and_encrypted_and_tables_on_demand(aws_stack: Deployment) -> None:
    for name in ("uploads", "thumbnails", "reports"):
        block = aws_stack.named("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{name}-public-access")
        assert all(
            block.inputs[key] is True
            for key in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        )
        encryption = aws_stack.named(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            f"{name}-encryption",
        )
        assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    table = aws_stack.named("aws:dynamodb/table:Table", "greetings").inputs
    assert (table["billingMode"], table["hashKey"], table["rangeKey"]) == ("PAY_PER_REQUEST", "__partition__", "_key")


def test_outputs_name_the_api_and_every_physical_resource(aws_stack: Deployment) -> None:
    assert aws_stack.outputs["api_url"] == f"https://http-api.execute-api.{REGION}.amazonaws.com"
    assert aws_stack.outputs["buckets"] == {n: f"{n}-0000001" for n in ("reports", "thumbnails", "uploads")}
    assert aws_stack.outputs["tables"] == {"greetings": "greetings-0000001"}
    assert aws_stack.outputs["functions"]["make_thumbnail"] == "make_thumbnail-0000001"
    assert aws_stack.outputs["dead_letters"] == {
        name: f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}-dead-letters-0000001" for name in EVENT_FUNCTIONS
    }


DATA = (
    "aws:dynamodb/table:Table",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:sqs/queue:Queue",
)


def test_destroy_keeps_tables_buckets_and_dead_letters_by_default(aws_stack: Deployment) -> None:
    kept = [r for typ in DATA for r in aws_stack.of_type(typ)]
    assert len(kept) == 1 + 3 * 3 + 4  # the table; each bucket with its access block and encryption; the queues
    assert all(r.retain_on_delete for r in kept)
    assert aws_stack.named("aws:dynamodb/table:Table", "greetings").inputs["deletionProtectionEnabled"] is True
    assert all(r.inputs["forceDestroy"] is False for r in aws_stack.of_type("aws:s3/bucket:Bucket"))
    assert not [r for r in aws_stack.resources if r.retain_on_delete and r.type not in DATA]


def test_allow_data_deletion_lets_destroy_delete_everything(disposable_stack: Deployment) -> None:
    assert not [r for r in disposable_stack.resources if r.retain_on_delete]
    table = disposable_stack.named("aws:dynamodb/table:Table", "greetings").inputs
    assert table["deletionProtectionEnabled"] is False
    assert all(r.inputs["forceDestroy"] is True for r in disposable_stack.of_type("aws:s3/bucket:Bucket"))
