"""Tables as DynamoDB tables, billed on demand, keyed the way providers/aws/dynamodb.py reads them."""

from __future__ import annotations

import pulumi_aws as aws

from providers.aws.dynamodb import KEY_ATTRIBUTE, PARTITION_ATTRIBUTE
from providers.deploy.plan import StackInfo
from providers.deploy.resources import data_options


def create_tables(names: list[str], info: StackInfo) -> dict[str, aws.dynamodb.Table]:
    """Protected from deletion and kept by `pulumi destroy`, unless the stack allows deleting data."""
    return {
        name: aws.dynamodb.Table(
            name,
            billing_mode="PAY_PER_REQUEST",
            hash_key=PARTITION_ATTRIBUTE,
            range_key=KEY_ATTRIBUTE,
            attributes=[{"name": PARTITION_ATTRIBUTE, "type": "S"}, {"name": KEY_ATTRIBUTE, "type": "S"}],
            point_in_time_recovery={"enabled": True},
            server_side_encryption={"enabled": True},
            deletion_protection_enabled=not info.allow_data_deletion,
            opts=data_options(info),
        )
        for name in names
    }
