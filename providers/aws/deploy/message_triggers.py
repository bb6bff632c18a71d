"""The `message` kind on AWS: a Lambda event source mapping on each consumer's own SQS queue.

The queues are the App's resources (`messaging.py`: a queue's, or the one a topic subscription fills).
The mapping reports partial batch failures, so SQS keeps only the messages that failed; after
`max_attempts` receives the queue's redrive policy moves one to its dead-letter queue.
"""

from __future__ import annotations

import pulumi_aws as aws

from portable.app import App
from portable.message_trigger import MessageTrigger
from providers.aws.deploy.deployment import AwsDeployment
from providers.aws.deploy.iam import QUEUE_RECEIVE
from providers.aws.deploy.settings import AwsSettings

REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"
# What a function of this kind is granted for its trigger, beside what it declares: (sid, actions, the resource it is
# granted on). The plan's limit check (limits.py) builds the function's policy with the same grants.
OWN_GRANTS = (("ReceiveOwnQueue", QUEUE_RECEIVE, "queue"),)


def plan(app: App, settings: AwsSettings) -> None:
    """SQS runs every message option Portable takes."""


def declare(deployment: AwsDeployment) -> None:
    """The consumer queues are made with the App's queues and topics."""


def prepare(deployment: AwsDeployment) -> None:
    """Each consumer receives from its own queue only (the mapping polls with the function's role; the shim holds
    failed messages back there), and its dead letters are that queue's."""
    for spec in deployment.app.functions_of(MessageTrigger):
        consumer = deployment.messaging.consumers[spec.name]
        for sid, actions, _ in OWN_GRANTS:
            deployment.grant(spec.name, sid, actions, consumer.queue.arn)
        deployment.dead_letters[spec.name] = consumer.dead_letters.url


def connect(deployment: AwsDeployment) -> None:
    """Lambda polls each function's queue and reports which messages of a batch failed."""
    for spec in deployment.app.functions_of(MessageTrigger):
        aws.lambda_.EventSourceMapping(
            f"{spec.name}-messages",
            event_source_arn=deployment.messaging.consumers[spec.name].queue.arn,
            function_name=deployment.functions[spec.name].arn,
            batch_size=spec.trigger.batch_size,
            function_response_types=[REPORT_BATCH_ITEM_FAILURES],
        )
