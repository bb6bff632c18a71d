"""Buckets as Cloud Storage buckets (uniform access, public access prevented); their Eventarc triggers are the
object kind's (`object_triggers.py`)."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_gcp as gcp

from portable.app import FunctionSpec
from portable.cors_policy import Cors, header_case
from providers.deploy.plan import StackInfo
from providers.deploy.resources import data_options
from providers.gcp.deploy.iam import bucket_role
from providers.gcp.deploy.settings import GcpSettings


def create_buckets(
    names: list[str],
    settings: GcpSettings,
    info: StackInfo,
    opts: pulumi.ResourceOptions,
    cors: Mapping[str, Cors | None],
) -> dict[str, gcp.storage.Bucket]:
    """Kept by `pulumi destroy`, objects and all, unless the stack allows deleting data; a bucket whose signed URLs
    pages of other origins may use (`cors`) says so in its `cors`."""
    return {
        name: gcp.storage.Bucket(
            name,
            project=settings.project,
            location=settings.region,
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            force_destroy=info.allow_data_deletion,
            cors=_bucket_cors(cors.get(name)),
            opts=data_options(info, opts),
        )
        for name in names
    }


def _bucket_cors(policy: Cors | None) -> list[gcp.storage.BucketCorArgs] | None:
    """Cloud Storage's `cors`: its responseHeader names both the request headers a page may send and the reply
    headers it may read."""
    if policy is None:
        return None
    headers = [header_case(header) for header in (*policy.allow_headers, *policy.expose_headers)]
    return [
        gcp.storage.BucketCorArgs(
            origins=list(policy.allow_origins),
            methods=list(policy.allow_methods),
            response_headers=headers,
            max_age_seconds=policy.max_age,
        )
    ]


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
