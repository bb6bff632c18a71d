"""A table on DynamoDB through boto3: one item per key, the document's fields as attributes.

Keys are laid out as `dynamodb_keys.py` says: a prefix query that reaches past the key's first `/`
(`2026-11-27/`) is a Query on one partition, in key order; a shorter prefix can only be a Scan. The
deploy half creates tables with this schema. `_version` holds a fresh random token after every write.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from portable.data_rules import KEY_FIELD, VERSION_FIELD
from portable.storage_types import Document, Item, Page
from providers.aws.aws_errors import translated
from providers.aws.dynamodb_keys import PARTITION_ATTRIBUTE, STORED_ONLY, key_attributes, partition_of
from providers.aws.sdk import client


class DynamoTable:
    def __init__(self, logical: str, physical: str) -> None:
        self.logical = logical
        self.physical = physical

    def get(self, key: str) -> Item | None:
        with translated(self.logical, f"get {key!r}", ""):
            reply = client("dynamodb").get_item(TableName=self.physical, Key=_key(key), ConsistentRead=True)
        return _item(reply["Item"]) if "Item" in reply else None

    def put(self, key: str, value: Document, if_absent: bool, if_version: str | None) -> str:
        version = uuid.uuid4().hex
        params: dict[str, Any] = {
            "TableName": self.physical,
            "Item": {**_attributes(value), **_key(key), VERSION_FIELD: {"S": version}},
        }
        if if_absent:
            params.update(ConditionExpression="attribute_not_exists(#k)", ExpressionAttributeNames={"#k": KEY_FIELD})
        elif if_version is not None:
            params.update(
                ConditionExpression="#v = :expected",
                ExpressionAttributeNames={"#v": VERSION_FIELD},
                ExpressionAttributeValues={":expected": {"S": if_version}},
            )
        conflict = (
            f"an item {key!r} already exists"
            if if_absent
            else f"{key!r} is not at version {if_version}; read it again and retry"
        )
        with translated(self.logical, f"put {key!r}", conflict):
            client("dynamodb").put_item(**params)
        return version

    def delete(self, key: str, if_version: str | None) -> None:
        params: dict[str, Any] = {"TableName": self.physical, "Key": _key(key)}
        if if_version is not None:
            params.update(
                ConditionExpression="#v = :expected",
                ExpressionAttributeNames={"#v": VERSION_FIELD},
                ExpressionAttributeValues={":expected": {"S": if_version}},
            )
        with translated(self.logical, f"delete {key!r}", f"{key!r} is not at version {if_version}"):
            client("dynamodb").delete_item(**params)

    def increment(self, key: str, field: str, amount: int) -> int:
        with translated(self.logical, f"increment {field!r} of {key!r}", ""):
            reply = client("dynamodb").update_item(
                TableName=self.physical,
                Key=_key(key),
                UpdateExpression="ADD #f :amount SET #v = :version",
                ExpressionAttributeNames={"#f": field, "#v": VERSION_FIELD},
                ExpressionAttributeValues={":amount": {"N": str(amount)}, ":version": {"S": uuid.uuid4().hex}},
                ReturnValues="UPDATED_NEW",
            )
        return int(reply["Attributes"][field]["N"])

    def query_page(self, prefix: str, limit: int, token: str | None) -> Page[Item]:
        """A Query on one partition when the prefix reaches past the first `/`, else a filtered Scan."""
        params: dict[str, Any] = {"TableName": self.physical, "ConsistentRead": True}
        if "/" in prefix:
            method = "query"
            params.update(
                KeyConditionExpression="#p = :partition AND begins_with(#k, :prefix)",
                ExpressionAttributeNames={"#p": PARTITION_ATTRIBUTE, "#k": KEY_FIELD},
                ExpressionAttributeValues={":partition": {"S": partition_of(prefix)}, ":prefix": {"S": prefix}},
            )
        else:
            method = "scan"
            if prefix:
                params.update(
                    FilterExpression="begins_with(#k, :prefix)",
                    ExpressionAttributeNames={"#k": KEY_FIELD},
                    ExpressionAttributeValues={":prefix": {"S": prefix}},
                )
        items: list[Item] = []
        start = token
        while True:
            if start is not None:
                params["ExclusiveStartKey"] = _key(start)
            with translated(self.logical, "query", ""):
                reply = getattr(client("dynamodb"), method)(**params)
            found = [_item(raw) for raw in reply.get("Items", [])]
            wanted = limit - len(items)
            items.extend(found[:wanted])
            if len(found) > wanted:
                return Page(items, items[-1].key)  # resume right after the last item returned
            last = reply.get("LastEvaluatedKey")
            if last is None:
                return Page(items, None)
            start = last[KEY_FIELD]["S"]
            if len(items) == limit:
                return Page(items, start)


def _key(key: str) -> dict[str, Any]:
    return key_attributes(key)


def _attributes(document: Document) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {name: serializer.serialize(_to_dynamo(value)) for name, value in document.items()}


def _item(raw: dict[str, Any]) -> Item:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    document = {
        name: _from_dynamo(deserializer.deserialize(value)) for name, value in raw.items() if name not in STORED_ONLY
    }
    return Item(raw[KEY_FIELD]["S"], document, raw.get(VERSION_FIELD, {}).get("S", ""))


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (list, tuple)):
        return [_to_dynamo(element) for element in value]
    if isinstance(value, dict):
        return {name: _to_dynamo(element) for name, element in value.items()}
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_from_dynamo(element) for element in value]
    if isinstance(value, dict):
        return {name: _from_dynamo(element) for name, element in value.items()}
    return value
