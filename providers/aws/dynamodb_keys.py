"""How Portable keys a DynamoDB table: what the data client writes, the deploy creates and the change codec reads.

Keys are split at their first `/`: the part up to and including it is the partition key (`__partition__`, a
name user fields can never take), the whole key is the sort key (`_key`). `_version` holds a fresh random token
after every write. Standard library only: the change codec reads these on a cold start.
"""

from __future__ import annotations

from portable.data_rules import KEY_FIELD, VERSION_FIELD

KEY_ATTRIBUTE = KEY_FIELD
PARTITION_ATTRIBUTE = "__partition__"
STORED_ONLY = frozenset({KEY_FIELD, VERSION_FIELD, PARTITION_ATTRIBUTE})


def partition_of(key: str) -> str:
    """`2026-11-27/13:05/abc` -> `2026-11-27/`; a key without `/` is its own partition."""
    head, slash, _ = key.partition("/")
    return head + slash


def key_attributes(key: str) -> dict[str, dict[str, str]]:
    """The item's key as DynamoDB's attribute values (partition and sort key)."""
    return {PARTITION_ATTRIBUTE: {"S": partition_of(key)}, KEY_ATTRIBUTE: {"S": key}}
