"""What the GCP deploy builds up while it registers a stack, shared by every kind's deploy module.

The deployer makes the data resources and asks each kind's module (`<kind>_triggers.py`, found through
`portable/triggers.py`) to `prepare` what all its functions share (a service agent's grant); then, function by
function, it asks the function's kind how the function is reached (`wire`: an invoker account, the grants
the account needs, an Eventarc trigger of the function itself), creates the function, and asks the kind to
`connect` it (a subscription, a scheduler job, an Eventarc trigger); last, each kind may `finish` (the API
in front of every HTTP function).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import pulumi
import pulumi_gcp as gcp

from portable.app import ResourceSpec
from providers.deploy.plan import Deployment
from providers.gcp.deploy.settings import GcpSettings


class Wiring(NamedTuple):
    """How a function is reached: the account that calls it (None: no invoker of its own), what that account and
    the platform need before the function exists, and an event trigger the function itself carries."""

    invoker: gcp.serviceaccount.Account | None = None
    grants: list[pulumi.Resource] = []
    event_trigger: gcp.cloudfunctionsv2.FunctionEventTriggerArgs | None = None


@dataclass
class GcpDeployment(Deployment[GcpSettings]):
    services: list[gcp.projects.Service]
    buckets: dict[str, gcp.storage.Bucket] = field(default_factory=dict)
    collections: dict[str, str] = field(default_factory=dict)
    database: gcp.firestore.Database | None = None
    topics: dict[str, gcp.pubsub.Topic] = field(default_factory=dict)
    physical: dict[ResourceSpec, pulumi.Input[str]] = field(default_factory=dict)
    # Filled by each kind's `prepare`: what every function of the kind shares.
    shared_grants: dict[str, list[pulumi.Resource]] = field(default_factory=dict)
    pubsub_agent: pulumi.Output[str] | None = None
    functions: dict[str, gcp.cloudfunctionsv2.Function] = field(default_factory=dict)
    dead_letters: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    api_url: pulumi.Output[str] | None = None
    domain_target: pulumi.Output[str] | None = None

    @property
    def after_services(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(depends_on=self.services)
