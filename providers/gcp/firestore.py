"""A table as a Firestore collection: one document per key, the key and version as fields.

Document ids cannot hold '/', so the id escapes '%' and '/' (and the few ids Firestore
reserves); the `_key` field keeps the key as written, for prefix queries.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from portable.data_rules import EXPIRES_FIELD, KEY_FIELD, VERSION_FIELD, prefix_successor
from portable.errors import Conflict, TooLarge
from portable.storage_types import Document, Item, Page
from providers.gcp.gcp_errors import translated
from providers.gcp.sdk import firestore_client

MAX_DOCUMENT_BYTES = 1_048_576


def document_id(key: str) -> str:
    """An id Firestore accepts, one-to-one with the key: '%' and '/' are %-escaped, '__x__' and '.' too."""
    escaped = key.replace("%", "%25").replace("/", "%2F")
    if escaped.startswith("__"):
        escaped = "%5F" + escaped[1:]
    if escaped in (".", ".."):
        escaped = escaped.replace(".", "%2E")
    return escaped


def key_of(document: str) -> str:
    """The key of a document id `document_id` made: every escape it writes is a %XX, and '%' itself is one."""
    from urllib.parse import unquote

    return unquote(document, errors="strict")


class FirestoreTable:
    def __init__(self, logical: str, physical: str) -> None:
        self.logical = logical
        self.physical = physical

    def _ref(self, key: str) -> Any:
        return firestore_client().collection(self.physical).document(document_id(key))

    def get(self, key: str) -> Item | None:
        with translated(self.logical, f"get {key!r}", f"no item {key!r}"):
            snapshot = self._ref(key).get()
        return _item(snapshot.to_dict()) if snapshot.exists else None

    def put(self, key: str, value: Document, if_absent: bool, if_version: str | None) -> str:
        version = uuid.uuid4().hex
        document = {**value, KEY_FIELD: key, VERSION_FIELD: version}
        _check_size(self.logical, key, document)
        if EXPIRES_FIELD in document:  # a TTL policy reads a timestamp
            document[EXPIRES_FIELD] = datetime.fromtimestamp(document[EXPIRES_FIELD], UTC)
        ref = self._ref(key)
        with translated(self.logical, f"put {key!r}", f"an item {key!r} already exists"):
            if if_absent:
                ref.create(document)
            elif if_version is not None:
                self._when_version(key, if_version, lambda transaction: transaction.set(ref, document))
            else:
                ref.set(document)
        return version

    def delete(self, key: str, if_version: str | None) -> None:
        ref = self._ref(key)
        with translated(self.logical, f"delete {key!r}", f"{key!r} changed meanwhile"):
            if if_version is None:
                ref.delete()
            else:
                self._when_version(key, if_version, lambda transaction: transaction.delete(ref))

    def _when_version(self, key: str, expected: str, write: Any) -> None:
        """Run `write` in a transaction that first checks the stored version; Firestore retries it on contention."""
        from google.cloud import firestore

        ref = self._ref(key)

        @firestore.transactional
        def check_and_write(transaction: Any) -> None:
            snapshot = ref.get(transaction=transaction)
            stored = (snapshot.to_dict() or {}).get(VERSION_FIELD) if snapshot.exists else None
            if stored != expected:
                found = "no item" if stored is None else f"version {stored}"
                raise Conflict(self.logical, f"{key!r} is not at version {expected} ({found}); read it again and retry")
            write(transaction)

        check_and_write(firestore_client().transaction())

    def increment(self, key: str, field: str, amount: int) -> int:
        from google.cloud import firestore

        ref = self._ref(key)
        batch = firestore_client().batch()
        batch.set(
            ref, {field: firestore.Increment(amount), KEY_FIELD: key, VERSION_FIELD: uuid.uuid4().hex}, merge=True
        )
        with translated(self.logical, f"increment {field!r} of {key!r}", f"no item {key!r}"):
            results = batch.commit()
            transform_results = list(results[0].transform_results) if results else []
            if transform_results:
                return int(transform_results[0].integer_value)
            # Firestore reports the value the transform produced; servers that do not (emulators) are read.
            snapshot = ref.get()
        return int((snapshot.to_dict() or {}).get(field, 0))

    def query_page(self, prefix: str, limit: int, token: str | None) -> Page[Item]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = firestore_client().collection(self.physical)
        if prefix:
            query = query.where(filter=FieldFilter(KEY_FIELD, ">=", prefix))
        upper = prefix_successor(prefix)
        if upper is not None:
            query = query.where(filter=FieldFilter(KEY_FIELD, "<", upper))
        if token is not None:
            query = query.where(filter=FieldFilter(KEY_FIELD, ">", token))
        query = query.order_by(KEY_FIELD).limit(limit + 1)
        with translated(self.logical, "query", f"collection {self.physical!r} is missing"):
            items = [_item(snapshot.to_dict()) for snapshot in query.stream()]
        page = items[:limit]
        return Page(page, page[-1].key if len(items) > limit else None)


def _item(data: dict[str, Any]) -> Item:
    key = data.pop(KEY_FIELD)
    version = data.pop(VERSION_FIELD, "")
    if isinstance(data.get(EXPIRES_FIELD), datetime):
        data[EXPIRES_FIELD] = int(data[EXPIRES_FIELD].timestamp())
    return Item(key, data, version)


def _check_size(resource: str, key: str, document: Document) -> None:
    """Refuse before sending what Firestore would refuse; JSON length approximates its size rules."""
    size = len(json.dumps(document, ensure_ascii=False).encode()) + len(document_id(key).encode()) + 32
    if size > MAX_DOCUMENT_BYTES:
        raise TooLarge(resource, f"item {key[:60]!r} is about {size} bytes; Firestore stores at most 1 MiB per item")
