"""What the AWS deploy builds up while it registers a stack, shared by every kind's deploy module.

The deployer makes the data resources, asks each kind's module (`<kind>_triggers.py`, found through
`portable/triggers.py`) to `declare` what it needs of them, to `prepare` what its functions need before they
exist (dead-letter queues, consumer queues, the statements their roles need), creates every function, and
then asks each kind to `connect` its triggers to the functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pulumi
import pulumi_aws as aws

from providers.aws.deploy.messaging import Messaging
from providers.aws.deploy.settings import AwsSettings
from providers.deploy.plan import Deployment


class Grant(NamedTuple):
    """One statement a function's role needs for its trigger: its id, actions, and the resource's ARN."""

    sid: str
    actions: tuple[str, ...]
    resource: pulumi.Input[str]


@dataclass
class AwsDeployment(Deployment[AwsSettings]):
    account_id: pulumi.Output[str]
    # Filled by each kind's `declare`, before the data resources exist: what it needs set on a table.
    table_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    buckets: dict[str, aws.s3.Bucket] = field(default_factory=dict)
    tables: dict[str, aws.dynamodb.Table] = field(default_factory=dict)
    secrets: dict[str, pulumi.Output[str]] = field(default_factory=dict)
    messaging: Messaging = field(default_factory=lambda: Messaging({}, {}, {}))
    # Filled by each kind's `prepare`: what each function's role needs for its trigger, and where its dead
    # letters go (the stack's `dead_letters` output).
    grants: dict[str, list[Grant]] = field(default_factory=dict)
    dead_letters: dict[str, pulumi.Output[str]] = field(default_factory=dict)
    dead_letter_queues: dict[str, aws.sqs.Queue] = field(default_factory=dict)
    functions: dict[str, aws.lambda_.Function] = field(default_factory=dict)
    # Filled by the http kind's `connect`.
    api_url: pulumi.Output[str] | None = None
    domain_target: pulumi.Output[str] | None = None

    def grant(self, function: str, sid: str, actions: tuple[str, ...], resource: pulumi.Input[str]) -> None:
        self.grants.setdefault(function, []).append(Grant(sid, actions, resource))
