"""Local data clients: buckets, tables and secrets under `$PORTABLE_LOCAL_DIR` (default `.portable/`).

Inside `observing_writes`, a bucket or table hands the events of each write (object events, table
changes) to an observer before the write returns: the test kit delivers them so, synchronously.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any

from portable.app import ResourceSpec
from portable.context import physical_name, setting
from portable.storage_types import Document, ObjectInfo
from providers.local.buckets import LocalBucket
from providers.local.outboxes import Outbox
from providers.local.secrets import LocalSecret
from providers.local.sqlite_files import local_dir
from providers.local.tables import LocalTable

WriteObserver = Callable[[Any], None]  # takes an ObjectEvent or a TableChange
OUTBOX_BATCH = 1000
_observer: ContextVar[WriteObserver | None] = ContextVar("portable_local_write_observer", default=None)


def client_for(spec: ResourceSpec) -> Any:
    """The local client behind a handle; a resource is created on its first use."""
    if spec.kind == "secret":
        return LocalSecret(spec.name, local_dir())
    if spec.kind == "bucket":
        return open_bucket(spec.name)
    if spec.kind in ("queue", "topic"):
        from providers.local.messages import LocalMessages

        return LocalMessages(spec.name, local_dir())
    return open_table(spec.name)


def open_table(name: str) -> LocalTable:
    """The local store of table `name` (its logical name); inside `observing_writes`, one that reports its
    changes."""
    physical = physical_name(ResourceSpec("table", name))
    observer = _observer.get()
    if observer is None:
        return LocalTable(name, physical, local_dir())
    return ObservedTable(name, physical, local_dir(), observer)


def open_bucket(name: str) -> LocalBucket:
    """The local store of bucket `name` (its logical name); inside `observing_writes`, one that reports its writes."""
    physical = physical_name(ResourceSpec("bucket", name))
    observer = _observer.get()
    if observer is None:
        return LocalBucket(name, physical, local_dir())
    return ObservedBucket(name, physical, local_dir(), observer)


def observing_writes(observer: WriteObserver) -> AbstractContextManager[None]:
    """Inside the block, each write through a local bucket or table client takes its events out of the store's
    outbox and hands them to `observer` before it returns: the test kit delivers object events and table changes
    so, synchronously, in place of the local runner's relay."""
    return setting(_observer, observer)


class ObservedBucket(LocalBucket):
    """A local bucket that hands the events of its writes to an observer as soon as they are stored."""

    def __init__(self, logical: str, physical: str, root: Path, observer: WriteObserver) -> None:
        super().__init__(logical, physical, root)
        self.observer = observer

    def put(self, key: str, data: bytes | IO[bytes], content_type: str, metadata: dict[str, str]) -> ObjectInfo:
        info = super().put(key, data, content_type, metadata)
        self._hand_over()
        return info

    def delete(self, key: str) -> None:
        super().delete(key)
        self._hand_over()

    def _hand_over(self) -> None:
        hand_over(self.outbox(), self.observer)


class ObservedTable(LocalTable):
    """A local table that hands the changes of its writes to an observer as soon as they are stored."""

    def __init__(self, logical: str, physical: str, root: Path, observer: WriteObserver) -> None:
        super().__init__(logical, physical, root)
        self.observer = observer

    def put(self, key: str, value: Document, if_absent: bool, if_version: str | None) -> str:
        version = super().put(key, value, if_absent, if_version)
        hand_over(self.outbox(), self.observer)
        return version

    def delete(self, key: str, if_version: str | None) -> None:
        super().delete(key, if_version)
        hand_over(self.outbox(), self.observer)

    def increment(self, key: str, field: str, amount: int) -> int:
        value = super().increment(key, field, amount)
        hand_over(self.outbox(), self.observer)
        return value


def hand_over(outbox: Outbox, observer: WriteObserver) -> None:
    """Take every event out of `outbox` and hand each to `observer`."""
    through, found = outbox.take(OUTBOX_BATCH)
    outbox.clear(through)
    for event, _ in found:
        observer(event)
