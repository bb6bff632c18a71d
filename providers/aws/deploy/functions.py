"""One Lambda function per portable function: its log group, its role and policy, the function."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws

from portable.app import FunctionSpec, ResourceSpec
from portable.cors_policy import Cors
from providers.aws.deploy.iam import assume_role_policy, function_policy
from providers.aws.deploy.messaging import Messaging
from providers.aws.deploy.package import HANDLER
from providers.aws.deploy.settings import AwsSettings
from providers.deploy.resources import cors_environment, function_environment


def create_function(
    spec: FunctionSpec,
    archive: Path,
    settings: AwsSettings,
    python_version: str,
    buckets: dict[str, aws.s3.Bucket],
    tables: dict[str, aws.dynamodb.Table],
    dead_letters: aws.sqs.Queue | None,
    secret_arns: dict[str, pulumi.Output[str]] | None = None,
    messaging: Messaging | None = None,
    cors: Cors | None = None,
) -> aws.lambda_.Function:
    """One function; an HTTP one gets the App's CORS policy in PORTABLE_CORS (its shim says replies vary by Origin)."""
    log_group = aws.cloudwatch.LogGroup(
        f"{spec.name}-logs",
        name=f"/portable/{pulumi.get_project()}/{pulumi.get_stack()}/{spec.name}",
        retention_in_days=settings.log_retention_days,
    )
    role = aws.iam.Role(f"{spec.name}-role", assume_role_policy=json.dumps(assume_role_policy("lambda.amazonaws.com")))
    used_buckets = {name: buckets[name].arn for name in sorted(spec.uses) if name in buckets}
    used_tables = {name: tables[name].arn for name in sorted(spec.uses) if name in tables}
    secrets = secret_arns or {}
    used_secrets = {name: secrets[name] for name in sorted(spec.reads) if name in secrets}
    queues = messaging.queues if messaging else {}
    topics = messaging.topics if messaging else {}
    consumer = messaging.consumers.get(spec.name) if messaging else None
    sent_to = {name: queues[name].queue.arn for name in sorted(spec.writes) if name in queues}
    published_to = {name: topics[name].arn for name in sorted(spec.writes) if name in topics}
    policy_document = pulumi.Output.all(
        pulumi.Output.all(**used_buckets) if used_buckets else {},
        pulumi.Output.all(**used_tables) if used_tables else {},
        log_group.arn,
        dead_letters.arn if dead_letters is not None else None,
        pulumi.Output.all(**used_secrets) if used_secrets else {},
        pulumi.Output.all(**sent_to) if sent_to else {},
        pulumi.Output.all(**published_to) if published_to else {},
        consumer.queue.arn if consumer is not None else None,
    ).apply(lambda resolved: json.dumps(function_policy(spec, *resolved)))
    policy = aws.iam.RolePolicy(f"{spec.name}-policy", role=role.id, policy=policy_document)
    physical: dict[ResourceSpec, pulumi.Output[str]] = {
        **{ResourceSpec("bucket", name): bucket.bucket for name, bucket in buckets.items()},
        **{ResourceSpec("table", name): table.name for name, table in tables.items()},
        **{ResourceSpec("secret", name): arn for name, arn in secrets.items()},
        **{ResourceSpec("queue", name): consumer.queue.url for name, consumer in queues.items()},
        **{ResourceSpec("topic", name): topic.arn for name, topic in topics.items()},
    }
    return aws.lambda_.Function(
        spec.name,
        role=role.arn,
        runtime=f"python{python_version}",
        handler=HANDLER,
        code=pulumi.FileArchive(str(archive)),
        architectures=[settings.architecture],
        memory_size=spec.memory_mb,
        timeout=spec.timeout_seconds,
        # PORTABLE_PROVIDER spelt out: the shim reads it on every call, and a missing variable costs more to look up.
        environment={
            "variables": function_environment(spec, physical, PORTABLE_PROVIDER="aws", **cors_environment(spec, cors))
        },
        # JSON: the platform's own lines (start, end, report) become JSON objects like every line Portable writes.
        logging_config={"log_format": "JSON", "log_group": log_group.name},
        opts=pulumi.ResourceOptions(depends_on=[policy]),
    )
