"""Tables as DynamoDB tables, billed on demand, keyed the way providers/aws/dynamodb.py reads them."""

from __future__ import annotations

import pulumi_aws as aws

from providers.aws.dynamodb import KEY_ATTRIBUTE, PARTITION_ATTRIBUTE


def create_tables(names: list[str]) -> dict[str, aws.dynamodb.Table]:
    return {
        name: aws.dynamodb.Table(
            name,
            billing_mode="PAY_PER_REQUEST",
            hash_key=PARTITION_ATTRIBUTE,
            range_key=KEY_ATTRIBUTE,
            attributes=[{"name": PARTITION_ATTRIBUTE, "type": "S"}, {"name": KEY_ATTRIBUTE, "type": "S"}],
            point_in_time_recovery={"enabled": True},
            server_side_encryption={"enabled": True},
        )
        for name in names
    }
