"""Local data clients: buckets and tables under `$PORTABLE_LOCAL_DIR` (default `.portable/`)."""

from __future__ import annotations

from typing import Any

from portable.app import ResourceSpec
from portable.context import physical_name
from providers.local.buckets import LocalBucket
from providers.local.sqlite_files import local_dir
from providers.local.tables import LocalTable


def client_for(spec: ResourceSpec) -> Any:
    """The local client behind a handle; a resource is created on its first use."""
    if spec.kind == "bucket":
        return open_bucket(spec.name)
    return LocalTable(spec.name, physical_name(spec), local_dir())


def open_bucket(name: str) -> LocalBucket:
    """The local store of bucket `name` (its logical name)."""
    return LocalBucket(name, physical_name(ResourceSpec("bucket", name)), local_dir())
