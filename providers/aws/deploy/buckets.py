"""Buckets as private, encrypted S3 buckets (their notifications are the object kind's: `object_triggers.py`)."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi_aws as aws

from portable.cors_policy import Cors, header_case
from providers.deploy.plan import StackInfo
from providers.deploy.resources import data_options


def create_buckets(names: list[str], info: StackInfo, cors: Mapping[str, Cors | None]) -> dict[str, aws.s3.Bucket]:
    """Kept by `pulumi destroy` with their access block and encryption, unless the stack allows deleting data; a
    bucket whose signed URLs pages of other origins may use (`cors`) gets CORS rules that say so."""
    keep = data_options(info)
    buckets: dict[str, aws.s3.Bucket] = {}
    for name in names:
        bucket = aws.s3.Bucket(name, force_destroy=info.allow_data_deletion, opts=keep)
        aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=keep,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"},
                    "bucket_key_enabled": True,
                }
            ],
            opts=keep,
        )
        policy = cors.get(name)
        if policy is not None:
            aws.s3.BucketCorsConfiguration(
                f"{name}-cors",
                bucket=bucket.id,
                cors_rules=[
                    {
                        "allowed_origins": list(policy.allow_origins),
                        "allowed_methods": list(policy.allow_methods),
                        "allowed_headers": list(policy.allow_headers),
                        "expose_headers": [header_case(header) for header in policy.expose_headers],
                        "max_age_seconds": policy.max_age,
                    }
                ],
                opts=keep,
            )
        buckets[name] = bucket
    return buckets
