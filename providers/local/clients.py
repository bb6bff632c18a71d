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
    root = local_dir()
    if spec.kind == "bucket":
        return LocalBucket(spec.name, physical_name(spec), root)
    return LocalTable(spec.name, physical_name(spec), root)
