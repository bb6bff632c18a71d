"""The `change` kind on GCP: an Eventarc Firestore trigger per change function, on its table's collection.

The trigger takes the Firestore event type of the function's declaration (`document.v1.created`,
`updated`, `deleted`, or `written` for all three), in the stack's database, for the documents of the
table's collection (the path pattern `<collection>/{key}`: a document id is one path segment, '/' in a
key being escaped, so the key prefix is applied by the delivery rule). It delivers the event data as JSON
to the function's Cloud Run service, as the function's invoker account; Firestore's triggers live in the
database's location. Eventarc retries a failure until the event is a day old without counting: the
shim ends the retries by the function's `max_attempts` and logs a dead letter, which the stack's
`dead_letters` output finds (a Cloud Logging query).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from portable.app import App
from portable.change_trigger import ChangeFunction
from providers.gcp.change_codec import DATABASE, EVENT_TYPES
from providers.gcp.deploy.deployment import GcpDeployment, Wiring
from providers.gcp.deploy.functions import dead_letter_filter
from providers.gcp.deploy.iam import allow_event_delivery, service_account
from providers.gcp.deploy.names import resource_id
from providers.gcp.deploy.settings import GcpSettings

SERVICES = ("eventarc.googleapis.com", "firestore.googleapis.com")
JSON = "application/json"


def plan(app: App, settings: GcpSettings) -> None:
    """Eventarc takes every change trigger Portable takes (a third on one table is refused when the App loads)."""


def prepare(deployment: GcpDeployment) -> None:
    """Change triggers share nothing."""


def wire(deployment: GcpDeployment, spec: ChangeFunction) -> Wiring:
    """The invoker account Eventarc delivers as, allowed to receive events."""
    settings = deployment.settings
    invoker = service_account(spec.name, "invoker", settings.project, deployment.info.stack, deployment.after_services)
    return Wiring(invoker, [allow_event_delivery(spec.name, invoker.member, settings.project)])


def document_pattern(collection: str) -> str:
    """The path pattern of every document of `collection` (Eventarc's `match-path-pattern`)."""
    return f"{collection}/{{key}}"


def connect(deployment: GcpDeployment, spec: ChangeFunction, wiring: Wiring, invoker_grant: pulumi.Resource) -> None:
    """The function's Eventarc trigger, once its invoker may call it; its dead letters are its log's."""
    assert wiring.invoker is not None
    settings, trigger = deployment.settings, spec.trigger
    function = deployment.functions[spec.name]
    gcp.eventarc.Trigger(
        f"{spec.name}-changes",
        project=settings.project,
        location=settings.firestore_location,
        name=resource_id(f"{spec.name}-changes-{deployment.info.stack}", 63),
        matching_criterias=[
            gcp.eventarc.TriggerMatchingCriteriaArgs(attribute="type", value=EVENT_TYPES[trigger.listens]),
            gcp.eventarc.TriggerMatchingCriteriaArgs(attribute="database", value=DATABASE),
            gcp.eventarc.TriggerMatchingCriteriaArgs(
                attribute="document",
                value=document_pattern(deployment.collections[trigger.table]),
                operator="match-path-pattern",
            ),
        ],
        destination=gcp.eventarc.TriggerDestinationArgs(
            cloud_run_service=gcp.eventarc.TriggerDestinationCloudRunServiceArgs(
                service=function.service_config.apply(lambda config: (config.service if config else None) or ""),
                region=settings.region,
            )
        ),
        service_account=wiring.invoker.email,
        event_data_content_type=JSON,
        opts=pulumi.ResourceOptions(depends_on=[*deployment.services, invoker_grant, *wiring.grants]),
    )
    deployment.dead_letters[spec.name] = dead_letter_filter(function)


def finish(deployment: GcpDeployment) -> None:
    """Nothing waits for every change function."""
