"""Local data clients: buckets and tables under `$PORTABLE_LOCAL_DIR` (default `.portable/`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from portable.app import ResourceSpec
from portable.context import physical_name, setting
from portable.errors import NotFound
from portable.events import ObjectEvent, ObjectEventKind
from portable.storage_types import ObjectInfo
from providers.local.buckets import LocalBucket
from providers.local.sqlite_files import local_dir
from providers.local.tables import LocalTable

WriteObserver = Callable[[ObjectEvent], None]
_observer: ContextVar[WriteObserver | None] = ContextVar("portable_local_write_observer", default=None)


def client_for(spec: ResourceSpec) -> Any:
    """The local client behind a handle; a resource is created on its first use."""
    if spec.kind == "bucket":
        return open_bucket(spec.name)
    return LocalTable(spec.name, physical_name(spec), local_dir())


def open_bucket(name: str) -> LocalBucket:
    """The local store of bucket `name` (its logical name); inside `observing_writes`, one that reports its writes."""
    physical = physical_name(ResourceSpec("bucket", name))
    observer = _observer.get()
    if observer is None:
        return LocalBucket(name, physical, local_dir())
    return ObservedBucket(name, physical, local_dir(), observer)


def observing_writes(observer: WriteObserver) -> AbstractContextManager[None]:
    """Inside the block, every put and delete through a local bucket client calls `observer` with its event
    before it returns: the test kit delivers object events so, synchronously."""
    return setting(_observer, observer)


class ObservedBucket(LocalBucket):
    """A local bucket that hands each change to an observer as soon as it is stored."""

    def __init__(self, logical: str, physical: str, root: Path, observer: WriteObserver) -> None:
        super().__init__(logical, physical, root)
        self.observer = observer

    def put(self, key: str, data: bytes | IO[bytes], content_type: str, metadata: dict[str, str]) -> ObjectInfo:
        info = super().put(key, data, content_type, metadata)
        self.observer(self._event(info, "created"))
        return info

    def delete(self, key: str) -> None:
        try:
            info = self.head(key)
        except NotFound:
            return
        super().delete(key)
        self.observer(self._event(info, "deleted"))

    def _event(self, info: ObjectInfo, kind: ObjectEventKind) -> ObjectEvent:
        return ObjectEvent(bucket=self.logical, key=info.key, kind=kind, id=uuid.uuid4().hex, time=datetime.now(UTC),
                           size=info.size, etag=info.etag, content_type=info.content_type)
