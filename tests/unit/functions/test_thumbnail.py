"""The thumbnail (functions/thumbnail.py) through the Lambda handler: a vanished or unreadable upload is done."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portable.context import using_clients
from providers.aws import runtime
from providers.local.clients import client_for
from tests.conftest import FIXTURES


@pytest.fixture(autouse=True)
def local_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path))
    monkeypatch.setenv("PORTABLE_PROVIDER", "local")
    with using_clients(client_for):
        yield


def _s3_created(key: str) -> dict[str, Any]:
    event = json.loads((FIXTURES / "aws/s3/put-percent20-encoded-key.json").read_text())
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = "uploads"
    record["s3"]["object"]["key"] = key
    return event


@pytest.mark.parametrize(
    ("key", "logged"),
    [
        ("gone.jpg", "upload deleted before its thumbnail was made"),
        ("bad%00name.jpg", "upload key cannot be read back"),
    ],
)
def test_the_thumbnail_treats_a_vanished_or_unreadable_upload_as_done(
    key: str, logged: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORTABLE_FUNCTION", "make_thumbnail")
    monkeypatch.setenv("PORTABLE_MODULE", "functions.thumbnail")
    assert runtime.handler(_s3_created(key), None) == {"status": 200, "delivered": 1}
    assert logged in capsys.readouterr().err
