"""The portable rules for keys, documents and metadata: what every backend accepts.

Checked before any request leaves the process, so a key or value that one cloud would
refuse is refused everywhere, with the same error and a message that says how to fix it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from portable.errors import InvalidKey, InvalidValue, TooLarge
from portable.limits import (
    METADATA_MAX_BYTES,
    OBJECT_KEY_MAX_BYTES,
    TABLE_ITEM_MAX_BYTES,
    TABLE_ITEM_MAX_DEPTH,
    TABLE_KEY_MAX_BYTES,
)
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

KEY_FIELD = "_key"
VERSION_FIELD = "_version"
# When an item may be deleted (whole seconds since the epoch): the clouds' time to live (DynamoDB's TTL attribute,
# a Firestore TTL policy on a timestamp) reads it. Only Portable's own store writes it (portable.idempotency).
EXPIRES_FIELD = "_expires"
RESERVED_FIELDS = frozenset({KEY_FIELD, VERSION_FIELD, EXPIRES_FIELD})
# The table Portable keeps idempotency keys in, one per app: a name no table(...) may take.
IDEMPOTENCY_TABLE = "portable-idempotency"
# Compiled on first use (re keeps them): an object or change function that only reads its events never needs them,
# at its cold start included.
_CONTROL = r"[\x00-\x1f\x7f]"
_METADATA_NAME = r"^[a-z0-9][a-z0-9-]*$"
_FIRESTORE_RESERVED = r"^__.*__$"
_INT64 = range(-(2**63), 2**63)


def _check_key_text(resource: str, key: object, what: str, max_bytes: int) -> str:
    if not isinstance(key, str):
        raise InvalidKey(resource, f"{what} must be a str, got {type(key).__name__}")
    size = len(key.encode("utf-8", "surrogatepass"))
    if not 1 <= size <= max_bytes:
        raise InvalidKey(resource, f"{what} {key[:60]!r} is {size} bytes of UTF-8; use 1 to {max_bytes}")
    if re.search(_CONTROL, key):
        raise InvalidKey(resource, f"{what} {key!r} holds a control character; remove it (e.g. encode it with %xx)")
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidKey(resource, f"{what} {key!r} is not valid Unicode (lone surrogate)") from None
    return key


def check_object_key(resource: str, key: object) -> str:
    """S3 and Cloud Storage object names: 1-1024 bytes of UTF-8, no control characters, not '.' or '..'."""
    text = _check_key_text(resource, key, "object key", OBJECT_KEY_MAX_BYTES)
    if text in (".", ".."):
        raise InvalidKey(resource, f"object key {text!r} is refused by Cloud Storage; use another name")
    if text.startswith(".well-known/acme-challenge/"):
        raise InvalidKey(resource, "object keys under '.well-known/acme-challenge/' are refused by Cloud Storage")
    return text


def check_table_key(resource: str, key: object) -> str:
    """Table keys: 1-500 bytes of UTF-8 (room for Firestore's 1500-byte ids once '/' is escaped)."""
    return _check_key_text(resource, key, "table key", TABLE_KEY_MAX_BYTES)


def check_field_name(resource: str, name: object, *, top_level: bool) -> str:
    if not isinstance(name, str) or not name:
        raise InvalidValue(resource, f"field names must be non-empty strings, got {name!r}")
    if top_level and name in RESERVED_FIELDS:
        raise InvalidValue(
            resource, f"field {name!r} is reserved for the key, version and expiry Portable keeps; rename it"
        )
    if re.match(_FIRESTORE_RESERVED, name):
        raise InvalidValue(resource, f"field {name!r} looks like '__name__', which Firestore reserves; rename it")
    return name


def check_document(resource: str, key: str, value: object) -> dict[str, Any]:
    """A JSON object whose values Firestore, DynamoDB and SQLite all store the same way, small enough for all."""
    if not isinstance(value, Mapping):
        raise InvalidValue(resource, f"a table item must be a dict (a JSON object), got {type(value).__name__}")
    for name, field in value.items():
        check_field_name(resource, name, top_level=True)
        _check_value(resource, field, str(name), in_list=False, depth=1)
    document = dict(value)
    import json

    size = len(key.encode()) + len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())
    if size > TABLE_ITEM_MAX_BYTES:
        raise TooLarge(
            resource,
            f"item {key[:60]!r} is {size} bytes as JSON; a table item holds at most "
            f"{TABLE_ITEM_MAX_BYTES} (DynamoDB's limit): keep large data in a bucket and store its key",
        )
    return document


def _check_value(resource: str, value: object, path: str, *, in_list: bool, depth: int) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidValue(resource, f"{path[:200]}: the text holds a lone surrogate, not valid Unicode") from None
        return
    if isinstance(value, int):
        if value not in _INT64:
            raise InvalidValue(resource, f"{path}: {value} does not fit in 64 bits; store it as a string")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidValue(resource, f"{path}: {value} is not a JSON number; store None or a string instead")
        return
    if isinstance(value, (list, tuple, Mapping)) and depth >= TABLE_ITEM_MAX_DEPTH:
        raise InvalidValue(
            resource,
            f"{path[:200]}...: lists and dicts nest at most {TABLE_ITEM_MAX_DEPTH} deep "
            "(Firestore's limit); store deeper data as a JSON string",
        )
    if isinstance(value, (list, tuple)):
        if in_list:
            raise InvalidValue(
                resource,
                f"{path}: a list directly inside a list cannot be stored in Firestore; "
                "wrap the inner list in a dict, e.g. [{'values': [...]}]",
            )
        for index, element in enumerate(value):
            _check_value(resource, element, f"{path}[{index}]", in_list=True, depth=depth + 1)
        return
    if isinstance(value, Mapping):
        for name, element in value.items():
            check_field_name(resource, name, top_level=False)
            _check_value(resource, element, f"{path}.{name}", in_list=False, depth=depth + 1)
        return
    raise InvalidValue(
        resource,
        f"{path}: {type(value).__name__} is not JSON-compatible; use None, bool, int, float, str, list or dict",
    )


def check_metadata(resource: str, metadata: Mapping[str, str] | None) -> dict[str, str]:
    """User metadata: lower-case names (S3 lower-cases them), ASCII values, 2 KiB in all."""
    checked: dict[str, str] = {}
    for name, value in (metadata or {}).items():
        if not isinstance(name, str) or not re.match(_METADATA_NAME, name):
            raise InvalidValue(resource, f"metadata name {name!r}: use lower-case letters, digits and '-'")
        if not isinstance(value, str) or not value.isascii() or re.search(_CONTROL, value):
            raise InvalidValue(
                resource, f"metadata {name!r}: values must be printable ASCII strings; percent-encode other text"
            )
        checked[name] = value
    size = sum(len(name) + len(value) for name, value in checked.items())
    if size > METADATA_MAX_BYTES:
        raise InvalidValue(resource, f"metadata is {size} bytes; S3 accepts at most {METADATA_MAX_BYTES}")
    return checked


def check_limit(resource: str, limit: object) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
        raise InvalidValue(resource, f"page limit must be an int from 1 to 1000, got {limit!r}")
    return limit


def prefix_successor(prefix: str) -> str | None:
    """The smallest string greater than every string that starts with `prefix` (None: no bound)."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            following = last + 1 if last + 1 != 0xD800 else 0xE000
            return prefix[:-1] + chr(following)
        prefix = prefix[:-1]
    return None
