"""Buckets as private, encrypted S3 buckets; object triggers as S3 notifications to Lambda."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from portable.app import App, ObjectTrigger
from portable.cors_policy import Cors, header_case
from portable.errors import AppDefinitionError
from providers.deploy.plan import StackInfo
from providers.deploy.resources import data_options

S3_EVENTS = {"created": "s3:ObjectCreated:*", "deleted": "s3:ObjectRemoved:*"}


def _overlap(first: ObjectTrigger, second: ObjectTrigger) -> bool:
    prefixes = first.prefix.startswith(second.prefix) or second.prefix.startswith(first.prefix)
    suffixes = first.suffix.endswith(second.suffix) or second.suffix.endswith(first.suffix)
    return first.kind == second.kind and prefixes and suffixes


def check_notifications(app: App) -> None:
    """S3 refuses two notifications of one event type whose prefix and suffix filters overlap."""
    for bucket in app.buckets:
        specs = app.object_functions(bucket)
        for index, first in enumerate(specs):
            for second in specs[index + 1 :]:
                a, b = first.trigger, second.trigger
                if _overlap(a, b):
                    raise AppDefinitionError(
                        f"functions {first.name!r} ({first.where}) and {second.name!r} ({second.where}) "
                        f"both take {a.kind} events of bucket {bucket!r} with overlapping filters "
                        f"(prefix {a.prefix!r}/{b.prefix!r}, suffix {a.suffix!r}/{b.suffix!r}); S3 sends each event "
                        "to one function only. Give them prefixes or suffixes that cannot both match, or merge them"
                    )


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


def connect_notifications(
    app: App,
    buckets: dict[str, aws.s3.Bucket],
    functions: dict[str, aws.lambda_.Function],
    account_id: pulumi.Input[str],
    async_invokes: dict[str, aws.lambda_.FunctionEventInvokeConfig],
) -> None:
    """One notification configuration per bucket; each function may be invoked by that bucket only.

    The notifications come last, so the first event finds the permissions and the retry policy in place.
    """
    for name, bucket in buckets.items():
        specs = app.object_functions(name)
        if not specs:
            continue
        permissions: list[pulumi.Resource] = []
        configurations: list[aws.s3.BucketNotificationLambdaFunctionArgs] = []
        for spec in specs:
            trigger = spec.trigger
            function = functions[spec.name]
            permissions.append(
                aws.lambda_.Permission(
                    f"{spec.name}-s3-invoke",
                    action="lambda:InvokeFunction",
                    function=function.name,
                    principal="s3.amazonaws.com",
                    source_arn=bucket.arn,
                    source_account=account_id,
                )
            )
            configurations.append(
                aws.s3.BucketNotificationLambdaFunctionArgs(
                    lambda_function_arn=function.arn,
                    events=[S3_EVENTS[trigger.kind]],
                    filter_prefix=trigger.prefix or None,
                    filter_suffix=trigger.suffix or None,
                )
            )
        aws.s3.BucketNotification(
            f"{name}-notifications",
            bucket=bucket.id,
            lambda_functions=configurations,
            opts=pulumi.ResourceOptions(depends_on=[*permissions, *(async_invokes[spec.name] for spec in specs)]),
        )
