"""One Lambda function per portable function: its log group, its role and policy, the function."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws

from portable.app import FunctionSpec, ResourceSpec
from providers.aws.deploy.deployment import AwsDeployment, Grant
from providers.aws.deploy.iam import assume_role_policy, function_policy
from providers.aws.deploy.package import HANDLER
from providers.deploy.metrics import metrics_environment
from providers.deploy.resources import cors_environment, function_environment


def create_functions(deployment: AwsDeployment) -> dict[str, aws.lambda_.Function]:
    """Every function of the App, each with the grants its kind asked for."""
    plan = deployment.plan
    return {
        name: create_function(spec, plan.archives[name], deployment, deployment.grants.get(name, []))
        for name, spec in sorted(deployment.app.functions.items())
    }


def create_function(
    spec: FunctionSpec, archive: Path, deployment: AwsDeployment, grants: list[Grant]
) -> aws.lambda_.Function:
    settings = deployment.settings
    log_group = aws.cloudwatch.LogGroup(
        f"{spec.name}-logs",
        name=f"/portable/{pulumi.get_project()}/{pulumi.get_stack()}/{spec.name}",
        retention_in_days=settings.log_retention_days,
    )
    buckets, tables, secrets = deployment.buckets, deployment.tables, deployment.secrets
    queues, topics = deployment.messaging.queues, deployment.messaging.topics
    role = aws.iam.Role(f"{spec.name}-role", assume_role_policy=json.dumps(assume_role_policy("lambda.amazonaws.com")))
    used_buckets = {name: buckets[name].arn for name in sorted(spec.uses) if name in buckets}
    used_tables = {name: tables[name].arn for name in sorted(spec.uses) if name in tables}
    used_secrets = {name: secrets[name] for name in sorted(spec.reads) if name in secrets}
    sent_to = {name: queues[name].queue.arn for name in sorted(spec.writes) if name in queues}
    published_to = {name: topics[name].arn for name in sorted(spec.writes) if name in topics}
    policy_document = pulumi.Output.all(
        pulumi.Output.all(**used_buckets) if used_buckets else {},
        pulumi.Output.all(**used_tables) if used_tables else {},
        log_group.arn,
        pulumi.Output.all(*(grant.resource for grant in grants)) if grants else [],
        pulumi.Output.all(**used_secrets) if used_secrets else {},
        pulumi.Output.all(**sent_to) if sent_to else {},
        pulumi.Output.all(**published_to) if published_to else {},
    ).apply(
        lambda resolved: json.dumps(
            function_policy(
                spec,
                resolved[0],
                resolved[1],
                resolved[2],
                [(grant.sid, grant.actions, arn) for grant, arn in zip(grants, resolved[3], strict=True)],
                *resolved[4:],
            )
        )
    )
    policy = aws.iam.RolePolicy(f"{spec.name}-policy", role=role.id, policy=policy_document)
    physical: dict[ResourceSpec, pulumi.Output[str]] = {
        **{ResourceSpec("bucket", name): bucket.bucket for name, bucket in buckets.items()},
        **{ResourceSpec("table", name): table.name for name, table in tables.items()},
        **{ResourceSpec("secret", name): arn for name, arn in secrets.items()},
        **{ResourceSpec("queue", name): queue.queue.url for name, queue in queues.items()},
        **{ResourceSpec("topic", name): topic.arn for name, topic in topics.items()},
    }
    return aws.lambda_.Function(
        spec.name,
        role=role.arn,
        runtime=f"python{deployment.info.python_version}",
        handler=HANDLER,
        code=pulumi.FileArchive(str(archive)),
        architectures=[settings.architecture],
        memory_size=spec.memory_mb,
        timeout=spec.timeout_seconds,
        # An HTTP function gets the App's CORS policy in PORTABLE_CORS: under it, its replies say they vary by Origin.
        environment={
            "variables": function_environment(
                spec,
                physical,
                **cors_environment(spec, deployment.app.cors),
                **metrics_environment(deployment.app, deployment.info.project),
            )
        },
        # JSON: the platform's own lines (start, end, report) become JSON objects like every line Portable writes.
        logging_config={"log_format": "JSON", "log_group": log_group.name},
        opts=pulumi.ResourceOptions(depends_on=[policy]),
    )
