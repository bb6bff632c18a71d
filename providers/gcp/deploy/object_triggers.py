"""The `object` kind on GCP: an Eventarc trigger on each function for its bucket's object events.

Cloud Storage's service agent publishes the events; each function's invoker account, which Eventarc
uses, may receive events and call that one function. Eventarc has no prefix or suffix filter: the
delivery rule drops events outside the trigger's filters. Eventarc neither counts attempts nor
dead-letters: the shim ends the retries and logs a dead letter, which the stack's `dead_letters`
output finds (a Cloud Logging query).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from portable.app import App
from portable.object_trigger import ObjectFunction, ObjectTrigger
from providers.gcp.deploy.deployment import GcpDeployment, Wiring
from providers.gcp.deploy.functions import dead_letter_filter
from providers.gcp.deploy.iam import PUBLISHER, allow_event_delivery, service_account
from providers.gcp.deploy.settings import GcpSettings
from providers.gcp.object_codec import EVENT_TYPES

SERVICES = ("eventarc.googleapis.com", "pubsub.googleapis.com")


def plan(app: App, settings: GcpSettings) -> None:
    """Eventarc takes every object trigger Portable takes."""


def prepare(deployment: GcpDeployment) -> None:
    """Cloud Storage's service agent publishes the object events that Eventarc delivers."""
    if not deployment.app.functions_of(ObjectTrigger):
        return
    settings = deployment.settings
    agent = gcp.storage.get_project_service_account_output(project=settings.project)
    deployment.shared_grants["object"] = [
        gcp.projects.IAMMember(
            "storage-agent-publisher",
            project=settings.project,
            role=PUBLISHER,
            member=agent.email_address.apply(lambda email: f"serviceAccount:{email}"),
            opts=deployment.after_services,
        )
    ]


def wire(deployment: GcpDeployment, spec: ObjectFunction) -> Wiring:
    """The invoker account Eventarc uses, allowed to receive events, and the function's trigger on its bucket's
    events of its kind."""
    settings, stack = deployment.settings, deployment.info.stack
    invoker = service_account(spec.name, "invoker", settings.project, stack, deployment.after_services)
    grants: list[pulumi.Resource] = [
        allow_event_delivery(spec.name, invoker.member, settings.project),
        *deployment.shared_grants.get("object", []),
    ]
    trigger = gcp.cloudfunctionsv2.FunctionEventTriggerArgs(
        event_type=EVENT_TYPES[spec.trigger.kind],
        trigger_region=settings.region,
        retry_policy="RETRY_POLICY_RETRY",
        service_account_email=invoker.email,
        event_filters=[
            gcp.cloudfunctionsv2.FunctionEventTriggerEventFilterArgs(
                attribute="bucket",
                value=deployment.buckets[spec.trigger.bucket].name,
            )
        ],
    )
    return Wiring(invoker, grants, trigger)


def connect(deployment: GcpDeployment, spec: ObjectFunction, wiring: Wiring, invoker_grant: pulumi.Resource) -> None:
    """Its dead letters are its log's."""
    deployment.dead_letters[spec.name] = dead_letter_filter(deployment.functions[spec.name])


def finish(deployment: GcpDeployment) -> None:
    """Nothing waits for every object function."""
