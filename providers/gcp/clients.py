"""GCP data clients: Cloud Storage buckets, Firestore tables, Secret Manager secrets, Pub/Sub queues and topics
(SDKs imported on first use)."""

from __future__ import annotations

from typing import Any

from portable.app import ResourceSpec
from portable.context import physical_name
from providers.gcp.firestore import FirestoreTable
from providers.gcp.gcs import GcsBucket
from providers.gcp.secret_manager import SecretManagerSecret


def client_for(spec: ResourceSpec) -> Any:
    if spec.kind == "secret":
        return SecretManagerSecret(spec.name, physical_name(spec))
    if spec.kind in ("queue", "topic"):
        from providers.gcp.pubsub import PubSubTopic

        return PubSubTopic(spec.name, physical_name(spec))
    if spec.kind == "bucket":
        return GcsBucket(spec.name, physical_name(spec))
    return FirestoreTable(spec.name, physical_name(spec))
