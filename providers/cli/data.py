"""`portable data`: what the local buckets and tables hold, read from the state folder (`.portable/`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from portable.errors import ConfigurationError
from portable.storage_types import Item, ObjectInfo
from providers.local import browse
from providers.local.buckets import LocalBucket
from providers.local.tables import LocalTable


def bucket_names(root: Path) -> list[str]:
    folder = root / "buckets"
    names = sorted(entry.name for entry in folder.iterdir()) if folder.is_dir() else []
    return [name for name in names if LocalBucket(name, name, root).path.is_file()]


def table_names(root: Path) -> list[str]:
    folder = root / "tables"
    names = sorted(entry.stem for entry in folder.glob("*.sqlite3")) if folder.is_dir() else []
    return [name for name in names if LocalTable(name, name, root).path.is_file()]


def objects(root: Path, name: str, prefix: str = "") -> Iterator[ObjectInfo]:
    store = LocalBucket(name, name, root)
    _must_exist(store.path, root, f"bucket {name!r}", "buckets", bucket_names(root))
    return browse.objects(store, prefix)


def items(root: Path, name: str, prefix: str = "") -> Iterator[Item]:
    store = LocalTable(name, name, root)
    _must_exist(store.path, root, f"table {name!r}", "tables", table_names(root))
    return browse.items(store, prefix)


def _must_exist(path: Path, root: Path, what: str, kinds: str, known: list[str]) -> None:
    if not path.is_file():
        raise ConfigurationError(f"no local {what} in {root}; {kinds} there: {', '.join(known) or 'none'}")


def print_buckets(root: Path, out: TextIO) -> None:
    for name in bucket_names(root):
        listed = list(objects(root, name))
        out.write(f"{name}\t{len(listed)} objects\t{sum(info.size for info in listed):,} bytes\n")


def print_tables(root: Path, out: TextIO) -> None:
    for name in table_names(root):
        out.write(f"{name}\t{sum(1 for _ in items(root, name))} items\n")


def print_objects(root: Path, name: str, prefix: str, out: TextIO) -> None:
    for info in objects(root, name, prefix):
        out.write(f"{info.size:>12,}  {info.last_modified:%Y-%m-%d %H:%M:%S}  {info.key}\n")


def print_items(root: Path, name: str, prefix: str, out: TextIO) -> None:
    for item in items(root, name, prefix):
        out.write(f"{item.key}\t{json.dumps(item.value, ensure_ascii=False)}\n")
