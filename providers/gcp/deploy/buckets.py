"""Buckets as Cloud Storage buckets (uniform access, public access prevented); their Eventarc triggers are the
object kind's (`object_triggers.py`)."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from portable.app import FunctionSpec
from providers.deploy.plan import StackInfo
from providers.deploy.resources import data_options
from providers.gcp.deploy.iam import bucket_role
from providers.gcp.deploy.settings import GcpSettings


def create_buckets(
    names: list[str], settings: GcpSettings, info: StackInfo, opts: pulumi.ResourceOptions
) -> dict[str, gcp.storage.Bucket]:
    """Kept by `pulumi destroy`, objects and all, unless the stack allows deleting data."""
    return {
        name: gcp.storage.Bucket(
            name,
            project=settings.project,
            location=settings.region,
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            force_destroy=info.allow_data_deletion,
            opts=data_options(info, opts),
        )
        for name in names
    }


def grant_bucket_access(
    spec: FunctionSpec, buckets: dict[str, gcp.storage.Bucket], member: pulumi.Input[str]
) -> list[gcp.storage.BucketIAMMember]:
    """Object viewer on each bucket the function reads, object user on each it writes; on that bucket only."""
    return [
        gcp.storage.BucketIAMMember(
            f"{spec.name}-{name}-access",
            bucket=buckets[name].name,
            role=bucket_role(spec, name),
            member=member,
        )
        for name in sorted(spec.uses & buckets.keys())
    ]
