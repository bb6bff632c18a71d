"""Tables as Firestore collections in the project's (default) database, one collection per table; the idempotency
store's with a TTL policy on its expiry field."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from portable.app import FunctionSpec
from portable.data_rules import EXPIRES_FIELD, IDEMPOTENCY_TABLE
from providers.deploy.plan import StackInfo
from providers.deploy.resources import data_options
from providers.gcp.deploy.iam import FIRESTORE_DATABASE, database_condition, table_role
from providers.gcp.deploy.settings import GcpSettings


def collection_names(tables: list[str], stack: str) -> dict[str, str]:
    """Collections are prefixed with the stack, so two stacks can share one project's database."""
    return {name: f"{stack}-{name}" for name in tables}


def create_database(
    settings: GcpSettings, info: StackInfo, opts: pulumi.ResourceOptions
) -> gcp.firestore.Database | None:
    """The `(default)` database, kept by `pulumi destroy` and protected from deletion unless the stack allows it.

    Kept, it outlives the stack: the next `pulumi up` must adopt it with `pulumi import` (see the README), as
    Firestore has one `(default)` per project. Allowed, destroy really deletes it (the provider's DELETE policy),
    so the next `up` creates it again instead of finding it there.
    """
    if not settings.create_firestore_database:
        return None
    allowed = info.allow_data_deletion
    return gcp.firestore.Database(
        "firestore",
        project=settings.project,
        name=FIRESTORE_DATABASE,
        location_id=settings.firestore_location,
        type="FIRESTORE_NATIVE",
        delete_protection_state="DELETE_PROTECTION_DISABLED" if allowed else "DELETE_PROTECTION_ENABLED",
        deletion_policy="DELETE" if allowed else "ABANDON",
        opts=data_options(info, opts),
    )


def grant_table_access(
    spec: FunctionSpec, tables: list[str], member: pulumi.Input[str], settings: GcpSettings
) -> gcp.projects.IAMMember | None:
    role = table_role(spec, tables)
    if role is None:
        return None
    return gcp.projects.IAMMember(
        f"{spec.name}-firestore-access",
        project=settings.project,
        role=role,
        member=member,
        condition=gcp.projects.IAMMemberConditionArgs(**database_condition(settings.project)),
    )


def expire_idempotency_keys(
    collections: dict[str, str], settings: GcpSettings, opts: pulumi.ResourceOptions
) -> gcp.firestore.Field | None:
    """A TTL policy on the idempotency store's expiry field: Firestore deletes its documents past their expiry
    (within a day; the store ignores them from the second they expire). None where no function is idempotent."""
    collection = collections.get(IDEMPOTENCY_TABLE)
    if collection is None:
        return None
    return gcp.firestore.Field(
        "idempotency-ttl",
        project=settings.project,
        database=FIRESTORE_DATABASE,
        collection=collection,
        field=EXPIRES_FIELD,
        ttl_config={},
        index_config={},  # the field is never queried: no single-field indexes
        opts=opts,
    )
