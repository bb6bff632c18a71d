"""Queues and topics on GCP: a Pub/Sub topic for each, and the grants of the functions that send or publish.

A queue is a topic with one subscriber; each message function's push subscription is the message kind's
(`message_triggers.py`).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from portable.app import FunctionSpec
from portable.message_trigger import RETENTION_SECONDS
from providers.gcp.deploy.iam import PUBLISHER
from providers.gcp.deploy.names import resource_id
from providers.gcp.deploy.settings import GcpSettings


def create_topics(
    names: list[str],
    settings: GcpSettings,
    stack: str,
    opts: pulumi.ResourceOptions,
) -> dict[str, gcp.pubsub.Topic]:
    """One Pub/Sub topic per queue and topic of the App."""
    return {
        name: gcp.pubsub.Topic(
            name,
            project=settings.project,
            name=resource_id(f"{name}-{stack}", 255),
            message_retention_duration=f"{RETENTION_SECONDS}s",
            opts=opts,
        )
        for name in names
    }


def grant_publishing(
    spec: FunctionSpec,
    topics: dict[str, gcp.pubsub.Topic],
    member: pulumi.Input[str],
    settings: GcpSettings,
) -> list[gcp.pubsub.TopicIAMMember]:
    """The function may publish to each queue and topic it declares in writes=, and to no other."""
    return [
        gcp.pubsub.TopicIAMMember(
            f"{spec.name}-publishes-{name}",
            project=settings.project,
            topic=topics[name].name,
            role=PUBLISHER,
            member=member,
        )
        for name in sorted(spec.writes & topics.keys())
    ]
