"""The `change` kind on AWS: the table's DynamoDB stream (NEW_AND_OLD_IMAGES), read by one Lambda event source
mapping per change function.

Each mapping filters the stream by the trigger's kinds and key prefix (filter criteria), so the function
is invoked only for the changes it takes; it reports the first failed record (`ReportBatchItemFailures`),
from which Lambda reads the shard again, retries a failing batch `max_attempts - 1` times, and then sends
the batch's place in the stream (shard and sequence numbers) to the function's on-failure queue: the
change itself stays in the stream for its 24 hours. DynamoDB advises at most two readers per shard: the
App refuses a third change function on one table when it loads.
"""

from __future__ import annotations

import json

import pulumi_aws as aws

from portable.app import App
from portable.change_trigger import ChangeFunction, ChangeTrigger
from portable.limits import TABLE_CHANGE_RETENTION_SECONDS
from providers.aws.change_codec import EVENT_NAMES, VIEW_TYPE
from providers.aws.deploy.dead_letters import create_dead_letter_queue
from providers.aws.deploy.deployment import AwsDeployment
from providers.aws.deploy.iam import DEAD_LETTER_SEND, STREAM_READ
from providers.aws.deploy.settings import AwsSettings
from providers.aws.dynamodb_keys import KEY_ATTRIBUTE
from providers.deploy.resources import data_options

REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"
_EVENT_NAMES = {kind: name for name, kind in EVENT_NAMES.items()}
# What a function of this kind is granted for its trigger, beside what it declares: (sid, actions, the resource it is
# granted on). The plan's limit check (limits.py) builds the function's policy with the same grants.
OWN_GRANTS = (("ReadOwnStream", STREAM_READ, "stream"), ("SendOwnDeadLetters", DEAD_LETTER_SEND, "dead-letters"))


def plan(app: App, settings: AwsSettings) -> None:
    """A stream takes every change option Portable takes (two readers per table are refused when the App loads)."""


def declare(deployment: AwsDeployment) -> None:
    """A table whose changes trigger a function has its stream, with the item before and after each change."""
    for spec in deployment.app.functions_of(ChangeTrigger):
        deployment.table_options[spec.trigger.table] = {"stream_enabled": True, "stream_view_type": VIEW_TYPE}


def prepare(deployment: AwsDeployment) -> None:
    """Each change function reads its table's stream, and sends to its own on-failure queue (Lambda does so with
    the function's role)."""
    for spec in deployment.app.functions_of(ChangeTrigger):
        queue = create_dead_letter_queue(spec, data_options(deployment.info))
        granted_on = {"stream": deployment.tables[spec.trigger.table].stream_arn, "dead-letters": queue.arn}
        for sid, actions, resource in OWN_GRANTS:
            deployment.grant(spec.name, sid, actions, granted_on[resource])
        deployment.dead_letters[spec.name] = queue.url
        deployment.dead_letter_queues[spec.name] = queue


def filter_pattern(spec: ChangeFunction) -> dict[str, object]:
    """The mapping's filter: the records of the kinds the trigger listens to, with a key under its prefix."""
    pattern: dict[str, object] = {"eventName": [_EVENT_NAMES[kind] for kind in spec.trigger.kinds]}
    if spec.trigger.prefix:
        pattern["dynamodb"] = {"Keys": {KEY_ATTRIBUTE: {"S": [{"prefix": spec.trigger.prefix}]}}}
    return pattern


def connect(deployment: AwsDeployment) -> None:
    """One event source mapping per change function, from the changes made after the deploy."""
    for spec in deployment.app.functions_of(ChangeTrigger):
        trigger = spec.trigger
        aws.lambda_.EventSourceMapping(
            f"{spec.name}-changes",
            event_source_arn=deployment.tables[trigger.table].stream_arn,
            function_name=deployment.functions[spec.name].arn,
            starting_position="LATEST",
            batch_size=trigger.batch_size,
            maximum_retry_attempts=trigger.max_attempts - 1,
            maximum_record_age_in_seconds=TABLE_CHANGE_RETENTION_SECONDS,
            function_response_types=[REPORT_BATCH_ITEM_FAILURES],
            destination_config={"on_failure": {"destination_arn": deployment.dead_letter_queues[spec.name].arn}},
            filter_criteria={"filters": [{"pattern": json.dumps(filter_pattern(spec), separators=(",", ":"))}]},
        )
