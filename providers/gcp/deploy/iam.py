"""Which predefined roles a function's declarations turn into, and service accounts to hold them."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from portable.app import FunctionSpec
from providers.gcp.change_codec import DATABASE
from providers.gcp.deploy.names import resource_id

BUCKET_READER = "roles/storage.objectViewer"
BUCKET_WRITER = "roles/storage.objectUser"
# Firestore's IAM stops at the database: no role can be limited to one collection.
TABLE_READER = "roles/datastore.viewer"
TABLE_WRITER = "roles/datastore.user"
INVOKER = "roles/run.invoker"
EVENT_RECEIVER = "roles/eventarc.eventReceiver"
PUBLISHER = "roles/pubsub.publisher"
SUBSCRIBER = "roles/pubsub.subscriber"
TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"
FIRESTORE_DATABASE = DATABASE


def bucket_role(spec: FunctionSpec, bucket: str) -> str:
    return BUCKET_WRITER if bucket in spec.writes else BUCKET_READER


def table_role(spec: FunctionSpec, tables: list[str]) -> str | None:
    """One project-level role for all of the function's tables, conditioned on the database."""
    used = spec.uses.intersection(tables)
    if not used:
        return None
    return TABLE_WRITER if used & spec.writes else TABLE_READER


def database_condition(project: str) -> dict[str, str]:
    return {
        "title": "portable-firestore-database-only",
        "description": "Only the Firestore database that holds the stack's tables",
        "expression": f'resource.name == "projects/{project}/databases/{FIRESTORE_DATABASE}"',
    }


def service_account(
    name: str, role: str, project: str, stack: str, opts: pulumi.ResourceOptions
) -> gcp.serviceaccount.Account:
    """A service account for one function's `role` (function, invoker, gateway), unique per stack."""
    return gcp.serviceaccount.Account(
        f"{name}-{role}-sa",
        project=project,
        account_id=resource_id(f"{role[:3]}-{name}-{stack}", 30, 6),
        display_name=f"Portable {role} {name} ({stack})",
        opts=opts,
    )


def allow_event_delivery(name: str, member: pulumi.Input[str], project: str) -> gcp.projects.IAMMember:
    """Eventarc's trigger identity must hold eventReceiver; the role exists only at project level."""
    return gcp.projects.IAMMember(
        f"{name}-event-receiver",
        project=project,
        role=EVENT_RECEIVER,
        member=member,
    )


def allow_url_signing(name: str, account: gcp.serviceaccount.Account) -> gcp.serviceaccount.IAMMember:
    """Signed URLs are signed through IAM signBlob (functions hold no key): the account may sign as itself only."""
    return gcp.serviceaccount.IAMMember(
        f"{name}-sign-as-itself",
        service_account_id=account.name,
        role=TOKEN_CREATOR,
        member=account.member,
    )
