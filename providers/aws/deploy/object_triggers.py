"""The `object` kind on AWS: S3 notifications to Lambda, Lambda's asynchronous retries, a dead-letter queue each.

S3 invokes the function asynchronously; the function's asynchronous invoke configuration applies its
RetryPolicy and sends an event that failed its last attempt to the function's own dead-letter queue.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from portable.app import App
from portable.errors import AppDefinitionError
from portable.object_trigger import ObjectTrigger
from providers.aws.deploy.dead_letters import create_dead_letter_queue, retry_async_invocations
from providers.aws.deploy.deployment import AwsDeployment
from providers.aws.deploy.iam import DEAD_LETTER_SEND
from providers.aws.deploy.settings import AwsSettings
from providers.deploy.resources import data_options

S3_EVENTS = {"created": "s3:ObjectCreated:*", "deleted": "s3:ObjectRemoved:*"}
# What a function of this kind is granted for its trigger, beside what it declares: (sid, actions, the resource it is
# granted on). The plan's limit check (limits.py) builds the function's policy with the same grants.
OWN_GRANTS = (("SendOwnDeadLetters", DEAD_LETTER_SEND, "dead-letters"),)


def _overlap(first: ObjectTrigger, second: ObjectTrigger) -> bool:
    prefixes = first.prefix.startswith(second.prefix) or second.prefix.startswith(first.prefix)
    suffixes = first.suffix.endswith(second.suffix) or second.suffix.endswith(first.suffix)
    return first.kind == second.kind and prefixes and suffixes


def plan(app: App, settings: AwsSettings) -> None:
    """S3 refuses two notifications of one event type whose prefix and suffix filters overlap."""
    for bucket in app.buckets:
        specs = app.functions_of(ObjectTrigger, bucket)
        for index, first in enumerate(specs):
            for second in specs[index + 1 :]:
                a, b = first.trigger, second.trigger
                if _overlap(a, b):
                    raise AppDefinitionError(
                        f"functions {first.name!r} ({first.where}) and {second.name!r} ({second.where}) "
                        f"both take {a.kind} events of bucket {bucket!r} with overlapping filters "
                        f"(prefix {a.prefix!r}/{b.prefix!r}, suffix {a.suffix!r}/{b.suffix!r}); S3 sends each event "
                        "to one function only. Give them prefixes or suffixes that cannot both match, or merge them"
                    )


def declare(deployment: AwsDeployment) -> None:
    """Buckets notify as they are."""


def prepare(deployment: AwsDeployment) -> None:
    """Each object function's dead-letter queue, where Lambda sends (with the function's role) what failed."""
    for spec in deployment.app.functions_of(ObjectTrigger):
        queue = create_dead_letter_queue(spec, data_options(deployment.info))
        for sid, actions, _ in OWN_GRANTS:
            deployment.grant(spec.name, sid, actions, queue.arn)
        deployment.dead_letters[spec.name] = queue.url
        deployment.dead_letter_queues[spec.name] = queue


def connect(deployment: AwsDeployment) -> None:
    """Each function's retries, then one notification configuration per bucket; each function may be invoked by
    that bucket only. The notifications come last, so the first event finds the permissions and the retry policy
    in place."""
    for name, bucket in deployment.buckets.items():
        specs = deployment.app.functions_of(ObjectTrigger, name)
        if not specs:
            continue
        waits: list[pulumi.Resource] = []
        configurations: list[aws.s3.BucketNotificationLambdaFunctionArgs] = []
        for spec in specs:
            function = deployment.functions[spec.name]
            waits.append(retry_async_invocations(spec, function, deployment.dead_letter_queues[spec.name]))
            waits.append(
                aws.lambda_.Permission(
                    f"{spec.name}-s3-invoke",
                    action="lambda:InvokeFunction",
                    function=function.name,
                    principal="s3.amazonaws.com",
                    source_arn=bucket.arn,
                    source_account=deployment.account_id,
                )
            )
            configurations.append(
                aws.s3.BucketNotificationLambdaFunctionArgs(
                    lambda_function_arn=function.arn,
                    events=[S3_EVENTS[spec.trigger.kind]],
                    filter_prefix=spec.trigger.prefix or None,
                    filter_suffix=spec.trigger.suffix or None,
                )
            )
        aws.s3.BucketNotification(
            f"{name}-notifications",
            bucket=bucket.id,
            lambda_functions=configurations,
            opts=pulumi.ResourceOptions(depends_on=waits),
        )
