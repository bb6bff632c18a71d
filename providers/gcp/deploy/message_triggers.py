"""The `message` kind on GCP: for each message function a push subscription of its own, with a retry policy and a
dead-letter topic.

The subscription pushes each message to the function's URL with an OIDC token of the function's invoker
account, backs off from 10 s to 600 s after a failure, and after `max_attempts` deliveries publishes the
message to the function's dead-letter topic, whose pull subscription keeps it 7 days to be inspected and
published again. An Eventarc Pub/Sub trigger is not used: the subscription it creates belongs to Eventarc,
and the deploy could give it neither a dead-letter policy nor the delivery attempt that the handler's
`Message.attempt` needs.

Pub/Sub's service agent moves a message to the dead-letter topic, so it may publish there and subscribe to
(acknowledge on) the function's subscription; it mints the push's OIDC tokens for the invoker account.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from portable.app import App
from portable.errors import AppDefinitionError
from portable.message_trigger import (
    FIRST_BACKOFF_SECONDS,
    MAX_BACKOFF_SECONDS,
    RETENTION_SECONDS,
    MessageFunction,
    MessageTrigger,
)
from providers.gcp.deploy.deployment import GcpDeployment, Wiring
from providers.gcp.deploy.iam import PUBLISHER, SUBSCRIBER, TOKEN_CREATOR, service_account
from providers.gcp.deploy.names import resource_id
from providers.gcp.deploy.settings import GcpSettings

SERVICES = ("pubsub.googleapis.com",)
# Pub/Sub's acknowledgement deadline for push subscriptions: 10 to 600 s.
MIN_ACK_DEADLINE_SECONDS = 10
MAX_ACK_DEADLINE_SECONDS = 600


def plan(app: App, settings: GcpSettings) -> None:
    """Pub/Sub has no delayed delivery: a queue declared with delays=True cannot run on GCP."""
    refuse_delays(app)


def refuse_delays(app: App) -> None:
    """Pub/Sub has no delayed delivery: a queue declared with delays=True cannot run on GCP."""
    if app.delayed_queues:
        declared = "; ".join(f"queue {name!r} at {where}" for name, where in sorted(app.delayed_queues.items()))
        raise AppDefinitionError(
            f"{declared}: declared with delays=True, which GCP cannot run: Pub/Sub has no delayed delivery, so a "
            "message cannot be held back. Drop delays=True (and send without delay_seconds, e.g. keep the due "
            "time in the body), or keep this app on AWS"
        )


def prepare(deployment: GcpDeployment) -> None:
    """The project's Pub/Sub service agent, which every subscription's dead-lettering and tokens need."""
    if deployment.app.functions_of(MessageTrigger):
        deployment.pubsub_agent = service_agent(deployment.settings)


def wire(deployment: GcpDeployment, spec: MessageFunction) -> Wiring:
    """The invoker account the subscription pushes as."""
    settings = deployment.settings
    return Wiring(
        service_account(spec.name, "invoker", settings.project, deployment.info.stack, deployment.after_services)
    )


def connect(deployment: GcpDeployment, spec: MessageFunction, wiring: Wiring, invoker_grant: pulumi.Resource) -> None:
    """The function's subscription, once its invoker may call it; its dead letters are its dead-letter topic's."""
    assert wiring.invoker is not None and deployment.pubsub_agent is not None
    dead_letters = subscribe(
        spec,
        deployment.topics[spec.trigger.source],
        deployment.functions[spec.name],
        wiring.invoker,
        deployment.pubsub_agent,
        deployment.settings,
        pulumi.ResourceOptions(depends_on=[*deployment.services, invoker_grant]),
    )
    deployment.dead_letters[spec.name] = dead_letters.name


def finish(deployment: GcpDeployment) -> None:
    """Nothing waits for every message function."""


def service_agent(settings: GcpSettings) -> pulumi.Output[str]:
    """The member of the project's Pub/Sub service agent."""
    number = gcp.organizations.get_project_output(project_id=settings.project).number
    return number.apply(lambda n: f"serviceAccount:service-{n}@gcp-sa-pubsub.iam.gserviceaccount.com")


def subscribe(
    spec: MessageFunction,
    topic: gcp.pubsub.Topic,
    function: gcp.cloudfunctionsv2.Function,
    invoker: gcp.serviceaccount.Account,
    agent: pulumi.Output[str],
    settings: GcpSettings,
    opts: pulumi.ResourceOptions,
) -> gcp.pubsub.Topic:
    """The function's push subscription to `topic`, with its retry policy; returns its dead-letter topic."""
    label, project = spec.name, settings.project
    stack = pulumi.get_stack()
    dead_letters = gcp.pubsub.Topic(
        f"{label}-dead-letters", project=project, name=resource_id(f"{label}-dead-letters-{stack}", 255), opts=opts
    )
    gcp.pubsub.Subscription(
        f"{label}-dead-letters-kept",
        project=project,
        topic=dead_letters.name,
        name=resource_id(f"{label}-dead-letters-{stack}", 255),
        ack_deadline_seconds=MAX_ACK_DEADLINE_SECONDS,
        message_retention_duration=f"{RETENTION_SECONDS}s",
        expiration_policy={"ttl": ""},
        opts=opts,
    )
    dead_letter_grant = gcp.pubsub.TopicIAMMember(
        f"{label}-agent-dead-letters", project=project, topic=dead_letters.name, role=PUBLISHER, member=agent
    )
    token_grant = gcp.serviceaccount.IAMMember(
        f"{label}-agent-tokens", service_account_id=invoker.name, role=TOKEN_CREATOR, member=agent
    )
    subscription = gcp.pubsub.Subscription(
        f"{label}-messages",
        project=project,
        topic=topic.name,
        name=resource_id(f"{label}-{stack}", 255),
        ack_deadline_seconds=min(MAX_ACK_DEADLINE_SECONDS, max(MIN_ACK_DEADLINE_SECONDS, spec.timeout_seconds)),
        message_retention_duration=f"{RETENTION_SECONDS}s",
        expiration_policy={"ttl": ""},
        retry_policy={"minimum_backoff": f"{FIRST_BACKOFF_SECONDS}s", "maximum_backoff": f"{MAX_BACKOFF_SECONDS}s"},
        dead_letter_policy={"dead_letter_topic": dead_letters.id, "max_delivery_attempts": spec.trigger.max_attempts},
        push_config={
            "push_endpoint": function.url,
            "oidc_token": {"service_account_email": invoker.email, "audience": function.url},
        },
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[dead_letter_grant, token_grant])),
    )
    gcp.pubsub.SubscriptionIAMMember(
        f"{label}-agent-acknowledges", project=project, subscription=subscription.name, role=SUBSCRIBER, member=agent
    )
    return dead_letters
