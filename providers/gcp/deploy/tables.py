"""Tables as Firestore collections in the project's (default) database, one collection per table."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from portable.app import FunctionSpec
from providers.gcp.deploy.iam import FIRESTORE_DATABASE, database_condition, table_role
from providers.gcp.deploy.settings import GcpSettings


def collection_names(tables: list[str], stack: str) -> dict[str, str]:
    """Collections are prefixed with the stack, so two stacks can share one project's database."""
    return {name: f"{stack}-{name}" for name in tables}


def create_database(settings: GcpSettings, opts: pulumi.ResourceOptions) -> gcp.firestore.Database | None:
    if not settings.create_firestore_database:
        return None
    return gcp.firestore.Database(
        "firestore", project=settings.project, name=FIRESTORE_DATABASE, location_id=settings.firestore_location,
        type="FIRESTORE_NATIVE", deletion_policy="ABANDON", opts=opts,
    )


def grant_table_access(
    spec: FunctionSpec, tables: list[str], member: pulumi.Input[str], settings: GcpSettings
) -> gcp.projects.IAMMember | None:
    role = table_role(spec, tables)
    if role is None:
        return None
    return gcp.projects.IAMMember(
        f"{spec.name}-firestore-access", project=settings.project, role=role, member=member,
        condition=gcp.projects.IAMMemberConditionArgs(**database_condition(settings.project)),
    )
