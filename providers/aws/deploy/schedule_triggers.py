"""The `schedule` kind on AWS: EventBridge Scheduler schedules, each with a role that may invoke only its function.

Scheduler invokes Lambda asynchronously: its retry policy and dead-letter queue cover an invocation
Lambda did not accept; the function's asynchronous invoke configuration covers a handler that failed.
Both follow the function's retry policy and send to the function's one dead-letter queue.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from portable.app import App, FunctionSpec
from portable.schedule_trigger import ScheduleTrigger
from providers.aws.deploy.dead_letters import create_dead_letter_queue, retry_async_invocations
from providers.aws.deploy.deployment import AwsDeployment
from providers.aws.deploy.iam import DEAD_LETTER_SEND, assume_role_policy, scheduler_policy
from providers.aws.deploy.schedule_expressions import scheduler_expression
from providers.aws.deploy.settings import AwsSettings
from providers.deploy.plan import compile_schedules
from providers.deploy.resources import data_options

# What the Lambda receives: the shape of a scheduled event, with Scheduler's own values filled in.
# `time` is the firing's due time, the same on every retry, so the shim derives a stable id from it.
EVENT_TEMPLATE = json.dumps(
    {
        "version": "0",
        "id": "<aws.scheduler.execution-id>",
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "time": "<aws.scheduler.scheduled-time>",
        "resources": ["<aws.scheduler.schedule-arn>"],
        "detail": "{}",
    },
    separators=(",", ":"),
)


def create_schedule(
    spec: FunctionSpec,
    expression: tuple[str, str],
    function: aws.lambda_.Function,
    account_id: pulumi.Input[str],
    dead_letters: aws.sqs.Queue,
    async_invoke: aws.lambda_.FunctionEventInvokeConfig,
) -> aws.scheduler.Schedule:
    role = aws.iam.Role(
        f"{spec.name}-scheduler-role",
        assume_role_policy=pulumi.Output.from_input(account_id).apply(
            lambda account: json.dumps(assume_role_policy("scheduler.amazonaws.com", account))
        ),
    )
    policy = aws.iam.RolePolicy(
        f"{spec.name}-scheduler-invoke",
        role=role.id,
        policy=pulumi.Output.all(function.arn, dead_letters.arn).apply(
            lambda arns: json.dumps(scheduler_policy(*arns))
        ),
    )
    schedule_expression, timezone = expression
    return aws.scheduler.Schedule(
        spec.name,
        schedule_expression=schedule_expression,
        schedule_expression_timezone=timezone,
        flexible_time_window={"mode": "OFF"},
        state="ENABLED",
        target={
            "arn": function.arn,
            "role_arn": role.arn,
            "input": EVENT_TEMPLATE,
            "retry_policy": {
                "maximum_retry_attempts": spec.retries.attempts - 1,
                "maximum_event_age_in_seconds": spec.retries.max_age_seconds,
            },
            "dead_letter_config": {"arn": dead_letters.arn},
        },
        opts=pulumi.ResourceOptions(depends_on=[policy, async_invoke]),
    )


# What a function of this kind is granted for its trigger, beside what it declares: (sid, actions, the resource it is
# granted on). The plan's limit check (limits.py) builds the function's policy with the same grants.
OWN_GRANTS = (("SendOwnDeadLetters", DEAD_LETTER_SEND, "dead-letters"),)


def plan(app: App, settings: AwsSettings) -> dict[str, tuple[str, str]]:
    """Every schedule as EventBridge Scheduler's (expression, time zone); one it cannot express stops the deploy."""
    return compile_schedules(app, scheduler_expression, "EventBridge Scheduler")


def declare(deployment: AwsDeployment) -> None:
    """Schedules ask nothing of the data resources."""


def prepare(deployment: AwsDeployment) -> None:
    """Each scheduled function's dead-letter queue, shared by Scheduler (undelivered firings) and Lambda (failed
    ones)."""
    for spec in deployment.app.functions_of(ScheduleTrigger):
        queue = create_dead_letter_queue(spec, data_options(deployment.info))
        for sid, actions, _ in OWN_GRANTS:
            deployment.grant(spec.name, sid, actions, queue.arn)
        deployment.dead_letters[spec.name] = queue.url
        deployment.dead_letter_queues[spec.name] = queue


def connect(deployment: AwsDeployment) -> None:
    """Each function's retries, then its schedule."""
    expressions = deployment.plan.triggers["schedule"]
    for spec in deployment.app.functions_of(ScheduleTrigger):
        function, queue = deployment.functions[spec.name], deployment.dead_letter_queues[spec.name]
        async_invoke = retry_async_invocations(spec, function, queue)
        create_schedule(spec, expressions[spec.name], function, deployment.account_id, queue, async_invoke)
