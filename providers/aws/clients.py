"""AWS data clients: S3 buckets and DynamoDB tables (boto3 is imported on first use)."""

from __future__ import annotations

from typing import Any

from portable.app import ResourceSpec
from portable.context import physical_name
from providers.aws.dynamodb import DynamoTable
from providers.aws.s3 import S3Bucket


def client_for(spec: ResourceSpec) -> Any:
    if spec.kind == "bucket":
        return S3Bucket(spec.name, physical_name(spec))
    return DynamoTable(spec.name, physical_name(spec))
