"""Listing what a local bucket or table holds: one implementation for `portable data` and `/__portable/`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from portable.storage_types import Item, ObjectInfo, Page, T
from providers.local.buckets import LocalBucket
from providers.local.tables import LocalTable

PAGE = 1000


def objects(store: LocalBucket, prefix: str = "") -> Iterator[ObjectInfo]:
    """Every object of `store` whose key starts with `prefix`, in key order."""
    return _every(store.list_page, prefix)


def items(store: LocalTable, prefix: str = "") -> Iterator[Item]:
    """Every item of `store` whose key starts with `prefix`, in key order."""
    return _every(store.query_page, prefix)


def object_record(info: ObjectInfo) -> dict[str, Any]:
    return {"key": info.key, "size": info.size, "last_modified": info.last_modified.isoformat(), "etag": info.etag}


def item_record(item: Item) -> dict[str, Any]:
    return {"key": item.key, "value": item.value}


def _every(fetch: Callable[[str, int, str | None], Page[T]], prefix: str) -> Iterator[T]:
    token = None
    while True:
        page = fetch(prefix, PAGE, token)
        yield from page.items
        if page.next_token is None:
            return
        token = page.next_token
