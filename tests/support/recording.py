"""Read back what the conformance app's event handlers saw (they append JSON lines to a file)."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def recording(tmp_path: Path) -> Generator[list[dict[str, Any]], None, None]:
    """Within the block handlers record to a file; after it, the list holds what they recorded."""
    target = tmp_path / "recorded.jsonl"
    target.unlink(missing_ok=True)
    previous = os.environ.get("PORTABLE_TEST_RECORD")
    os.environ["PORTABLE_TEST_RECORD"] = str(target)
    seen: list[dict[str, Any]] = []
    try:
        yield seen
    finally:
        if previous is None:
            os.environ.pop("PORTABLE_TEST_RECORD", None)
        else:
            os.environ["PORTABLE_TEST_RECORD"] = previous
        if target.exists():
            seen.extend(json.loads(line) for line in target.read_text().splitlines())


def recorded_lines(seen_file: Path, count: int, timeout: float = 10) -> list[dict[str, Any]]:
    """The records in `seen_file` once there are at least `count` (the runner's workers deliver in the background);
    AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if seen_file.exists():
            lines = seen_file.read_text().splitlines()
            if len(lines) >= count:
                return [json.loads(line) for line in lines]
        time.sleep(0.02)
    raise AssertionError(f"fewer than {count} records after {timeout} s")


def assert_recorded(seen: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """`seen` holds one record per entry of `expected`, in order, each with at least the fields it names."""
    assert len(seen) == len(expected)
    for record, fields in zip(seen, expected, strict=True):
        for name, value in fields.items():
            assert record[name] == value, name
