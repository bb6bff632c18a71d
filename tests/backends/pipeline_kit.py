"""What the pipeline tests share: sample uploads and the checks on thumbnails and reports."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

NOT_AN_IMAGE = b"just some text that happens to be called .jpg"


def photo(width: int = 640, height: int = 480, image_format: str = "JPEG") -> bytes:
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 90)).save(output, format=image_format)
    return output.getvalue()


def assert_thumbnail(data: bytes, expected_size: tuple[int, int], image_format: str = "JPEG") -> None:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        assert image.format == image_format
        assert image.size == expected_size
        assert max(image.size) <= 200


def report_due_after(day: date) -> datetime:
    """The nightly firing that reports on `day`: 02:00 UTC the next morning."""
    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC) + timedelta(days=1)


def assert_report(json_bytes: bytes, csv_bytes: bytes, day: date, names: list[str]) -> None:
    summary = json.loads(json_bytes)
    assert summary["date"] == day.isoformat()
    assert summary["total"] == len(names)
    assert sorted(row["name"] for row in summary["greetings"]) == sorted(names)
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode())))
    assert sorted(row["name"] for row in rows) == sorted(names)
    assert set(rows[0]) == {"at", "name", "key"}
