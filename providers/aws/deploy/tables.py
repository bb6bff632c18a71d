"""Tables as DynamoDB tables, billed on demand, keyed the way providers/aws/dynamodb.py reads them; the idempotency
store with DynamoDB's time to live on its expiry attribute."""

from __future__ import annotations

from typing import Any

import pulumi_aws as aws

from portable.data_rules import EXPIRES_FIELD, IDEMPOTENCY_TABLE
from providers.aws.dynamodb_keys import KEY_ATTRIBUTE, PARTITION_ATTRIBUTE
from providers.deploy.plan import StackInfo
from providers.deploy.resources import data_options


def create_tables(
    names: list[str], info: StackInfo, options: dict[str, dict[str, Any]]
) -> dict[str, aws.dynamodb.Table]:
    """Protected from deletion and kept by `pulumi destroy`, unless the stack allows deleting data; with what a kind
    asked to be set on a table (`options`, by table)."""
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
            **_expiring(name),
            **options.get(name, {}),
            opts=data_options(info),
        )
        for name in names
    }


def _expiring(name: str) -> dict[str, Any]:
    """DynamoDB deletes the idempotency store's items past their expiry (within days; the store ignores them from
    the second they expire)."""
    return {"ttl": {"attribute_name": EXPIRES_FIELD, "enabled": True}} if name == IDEMPOTENCY_TABLE else {}
