"""The GCP stack's settings, read from Pulumi config and checked before any resource exists."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from providers.deploy.config import domain_name, flag, require
from providers.deploy.plan import StackInfo


@dataclass(frozen=True)
class GcpSettings:
    project: str
    region: str
    firestore_location: str
    create_firestore_database: bool
    domain: str | None = None


def read_settings(info: StackInfo) -> GcpSettings:
    project = require("gcp", "project", "my-project-id", "the Google Cloud project to deploy to")
    region = require("gcp", "region", "europe-west1", "the region of the functions, buckets and gateway")
    config = pulumi.Config("portable")
    create = flag("portable", "createFirestoreDatabase", True)
    return GcpSettings(
        project=project,
        region=region,
        firestore_location=config.get("firestoreLocation") or region,
        create_firestore_database=create,
        domain=domain_name("portable", "domain"),
    )
