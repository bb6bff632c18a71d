"""The Google APIs the stack uses, enabled by the program (and left enabled on destroy)."""

from __future__ import annotations

import pulumi_gcp as gcp

from portable.app import App
from portable.triggers import KINDS
from providers.deploy.plan import kind_deployers

ALWAYS = (
    "cloudfunctions.googleapis.com",
    "run.googleapis.com",
    "cloudbuild.googleapis.com",
    "artifactregistry.googleapis.com",
    "storage.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
)
FOR_TABLES = ("firestore.googleapis.com",)
FOR_SECRETS = ("secretmanager.googleapis.com",)
FOR_DOMAIN = ("compute.googleapis.com",)
FOR_MESSAGES = ("pubsub.googleapis.com",)
# Signed URLs are signed through IAM's signBlob, which the IAM Service Account Credentials API serves.
FOR_SIGNING = ("iamcredentials.googleapis.com",)


def needed_services(app: App, domain: str | None = None) -> list[str]:
    """The APIs every stack needs, each kind's (its deploy module's SERVICES) when the App has such functions, and
    those of its resources; each once, in that order."""
    services = list(ALWAYS)
    used = {spec.kind for spec in app.functions.values()}
    deployers = kind_deployers("gcp")
    for kind in KINDS:
        if kind in used:
            services += deployers[kind].SERVICES
    if domain and "http" in used:
        services += FOR_DOMAIN
    if app.tables:
        services += FOR_TABLES
    if app.secrets:
        services += FOR_SECRETS
    if app.queues or app.topics:
        services += FOR_MESSAGES
    if any(spec.uses & set(app.buckets) for spec in app.functions.values()):  # each may sign URLs to its buckets
        services += FOR_SIGNING
    return list(dict.fromkeys(services))


def enable_services(app: App, project: str, domain: str | None = None) -> list[gcp.projects.Service]:
    return [
        gcp.projects.Service(f"api-{service.split('.')[0]}", project=project, service=service, disable_on_destroy=False)
        for service in needed_services(app, domain)
    ]
