"""`portable data` (providers/cli/data.py): buckets, tables, objects and items of the local data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from providers.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_data_lists_buckets_tables_objects_and_items(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from portable.testing import Kit

    with Kit("local", state=tmp_path) as kit:
        kit.http("POST", "/hello", json={"name": "Ada"})
        kit.bucket("reports").put("2026/a.txt", "aaa")
        kit.bucket("reports").put("2027/b.txt", "bb")
    state = ["--state", str(tmp_path)]
    assert run(capsys, "data", "buckets", *state)[1] == "reports\t2 objects\t5 bytes\n"
    tables = "greetings\t1 items\nname-counts\t1 items\nportable-idempotency\t2 items\nwelcome-notes\t1 items\n"
    assert run(capsys, "data", "tables", *state)[1] == tables
    listed = run(capsys, "data", "ls", "reports", "--prefix", "2027/", *state)[1].split()
    assert (listed[0], listed[-1]) == ("2", "2027/b.txt")
    key, document = run(capsys, "data", "items", "greetings", *state)[1].rstrip("\n").split("\t")
    assert json.loads(document)["name"] == "Ada" and len(key.split("/")) == 3
    code, _, err = run(capsys, "data", "items", "nope", *state)
    assert code == 1 and err == (
        f"error: no local table 'nope' in {tmp_path}; tables there: greetings, name-counts, portable-idempotency, "
        "welcome-notes\n"
    )
