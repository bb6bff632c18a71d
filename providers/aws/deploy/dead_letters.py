"""Retries and dead letters for object and schedule functions, which Lambda runs asynchronously.

Each such function gets an SQS queue that receives an event after its last attempt, and an
asynchronous invoke configuration that applies the function's retry policy.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from portable.app import FunctionSpec

# SQS keeps a message at most 14 days.
RETENTION_SECONDS = 14 * 24 * 3600


def create_dead_letter_queue(spec: FunctionSpec, opts: pulumi.ResourceOptions) -> aws.sqs.Queue:
    return aws.sqs.Queue(
        f"{spec.name}-dead-letters",
        message_retention_seconds=RETENTION_SECONDS,
        sqs_managed_sse_enabled=True,
        opts=opts,
    )


def retry_async_invocations(
    spec: FunctionSpec, function: aws.lambda_.Function, queue: aws.sqs.Queue
) -> aws.lambda_.FunctionEventInvokeConfig:
    """Lambda tries each event as the policy says, then sends it with its error to `queue`."""
    policy = spec.retries
    return aws.lambda_.FunctionEventInvokeConfig(
        f"{spec.name}-async-invoke",
        function_name=function.name,
        maximum_retry_attempts=policy.attempts - 1,
        maximum_event_age_in_seconds=policy.max_age_seconds,
        destination_config={"on_failure": {"destination": queue.arn}},
    )
