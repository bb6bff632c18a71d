"""Listing local data (providers/local/browse.py) through the control endpoints: a bucket's objects, a table's
items."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from werkzeug.test import Client

from providers.local.runner import LocalApp


@pytest.fixture()
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, **modules: str) -> Path:
    """A package `name` of the given modules (source text by module name), importable for this test."""
    folder = tmp_path / "src" / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    for module, text in modules.items():
        (folder / f"{module}.py").write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    return folder


def test_the_control_endpoints_list_a_buckets_objects(local: LocalApp) -> None:
    client = Client(local)
    for key, body in (("in/b.txt", b"bb"), ("in/a.txt", b"a"), ("out/c.bin", b"ccc")):
        assert client.put(f"/__portable/objects/inbox/{key}", data=body).status_code == 201
    listed = client.get("/__portable/objects/inbox").json
    assert listed is not None and [found["key"] for found in listed["objects"]] == ["in/a.txt", "in/b.txt", "out/c.bin"]
    first = listed["objects"][0]
    assert first["size"] == 1 and first["etag"] and datetime.fromisoformat(first["last_modified"])
    only = client.get("/__portable/objects/inbox/?prefix=out/").json
    assert only is not None and [found["key"] for found in only["objects"]] == ["out/c.bin"]
    missing = client.get("/__portable/objects/nope")
    assert missing.status_code == 404 and "the App declares: inbox" in missing.json["error"]
    assert client.post("/__portable/objects/inbox").status_code == 405


def test_the_control_endpoints_list_a_tables_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: Path
) -> None:
    from providers.local.clients import open_table

    package(
        tmp_path,
        monkeypatch,
        "with_table",
        notes="""\
        from portable import http, table

        notes = table("notes")


        @http("GET /notes", reads=[notes])
        def list_notes(request):
            return {}
        """,
    )
    runner = LocalApp(package="with_table")
    open_table("notes").put("2026/a", {"text": "first"}, False, None)
    open_table("notes").put("2027/b", {"text": "second"}, False, None)
    client = Client(runner)
    listed = client.get("/__portable/tables/notes").json
    assert listed == {
        "table": "notes",
        "prefix": "",
        "items": [{"key": "2026/a", "value": {"text": "first"}}, {"key": "2027/b", "value": {"text": "second"}}],
    }
    only = client.get("/__portable/tables/notes?prefix=2027/").json
    assert only is not None and [item["key"] for item in only["items"]] == ["2027/b"]
    assert client.get("/__portable/tables/nope").status_code == 404
