"""AWS data clients: S3 buckets, DynamoDB tables, Secrets Manager secrets, SQS queues and SNS topics (boto3 is
imported on first use)."""

from __future__ import annotations

from typing import Any

from portable.app import ResourceSpec
from portable.context import physical_name
from providers.aws.dynamodb import DynamoTable
from providers.aws.s3 import S3Bucket
from providers.aws.secrets_manager import SecretsManagerSecret


def client_for(spec: ResourceSpec) -> Any:
    if spec.kind == "secret":
        return SecretsManagerSecret(spec.name, physical_name(spec))
    if spec.kind in ("queue", "topic"):
        from providers.aws.sqs import SnsTopic, SqsQueue

        return (SqsQueue if spec.kind == "queue" else SnsTopic)(spec.name, physical_name(spec))
    if spec.kind == "bucket":
        return S3Bucket(spec.name, physical_name(spec))
    return DynamoTable(spec.name, physical_name(spec))
