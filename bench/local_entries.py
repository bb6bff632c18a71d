"""Functions of bench/app bound to local data, by name (`from bench.local_entries import noted_once`): the
idempotency store's cold start measured without a cloud (SQLite for DynamoDB). `dynamodb_client` is what the
store adds on AWS besides: boto3 and a DynamoDB client, made without a request."""

from __future__ import annotations

from typing import Any


def dynamodb_client(event: Any, context: Any) -> None:
    import boto3

    boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench")


def __getattr__(name: str) -> Any:
    if name.startswith("_"):  # the import system asks for __path__ and the like
        raise AttributeError(name)
    from providers.aws.runtime import bind

    handler = bind(name, f"bench.app.{name}", "local")
    globals()[name] = handler
    return handler
