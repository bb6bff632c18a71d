"""Table changes on GCP short of Eventarc: Portable's writes on the Firestore emulator, each replayed as the
CloudEvent Eventarc sends for it (DocumentEventData as JSON: the document before and after, as the emulator stores
them), posted to the function's target as the deployed archive's main.py binds it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from portable.app import ResourceSpec, load_function
from portable.context import physical_name_variable, using_clients
from portable.resources import Table
from providers.deploy.entry_modules import gcp_entry
from providers.gcp.change_codec import EVENT_TYPES
from providers.gcp.clients import client_for
from providers.gcp.firestore import document_id
from tests.backends.fixtures import point_environment

pytestmark = pytest.mark.slow
MODULE = "tests.apps.changes.stock"


class Replayer:
    """Writes to the table's collection, each turned into the Eventarc request of its change."""

    def __init__(self, host: str, project: str, collection: str) -> None:
        import grpc
        from google.cloud.firestore_v1.services.firestore import FirestoreClient
        from google.cloud.firestore_v1.services.firestore.transports import FirestoreGrpcTransport

        self.api = FirestoreClient(transport=FirestoreGrpcTransport(channel=grpc.insecure_channel(host)))
        self.documents = f"projects/{project}/databases/(default)/documents"
        self.collection = collection

    def stored(self, key: str) -> dict[str, Any] | None:
        """The document of `key` as Firestore's API returns it, in JSON (google.firestore.v1.Document)."""
        from google.cloud.firestore_v1.types import Document

        name = f"{self.documents}/{self.collection}/{document_id(key)}"
        database = self.documents.removesuffix("/documents")
        for response in self.api.batch_get_documents(request={"database": database, "documents": [name]}):
            if response.found.name:
                return json.loads(Document.to_json(response.found))  # type: ignore[no-any-return]
        return None

    def write(self, key: str, write: Any, listens: str) -> tuple[dict[str, str], bytes] | None:
        """Do `write`; the CloudEvent (headers, body) of its change for a trigger of `listens`, or None when
        Eventarc would send that trigger nothing (no change, or another event type)."""
        from providers.gcp.cloud_events import binary

        before = self.stored(key)
        write()
        after = self.stored(key)
        if before == after:
            return None
        kind = "created" if before is None else "deleted" if after is None else "updated"
        if listens not in (kind, "written"):
            return None
        data: dict[str, Any] = {}
        if after is not None:
            data["value"] = after
        if before is not None:
            data["oldValue"] = before
        if kind == "updated":
            old, new = before["fields"], after["fields"]  # type: ignore[index]
            data["updateMask"] = {"fieldPaths": sorted(f for f in {*old, *new} if old.get(f) != new.get(f))}
        document = f"{self.collection}/{document_id(key)}"
        attributes = {
            "type": EVENT_TYPES[listens],  # type: ignore[index]
            "source": f"//firestore.googleapis.com/{self.documents.removesuffix('/documents')}",
            "subject": f"documents/{document}",
            "id": uuid.uuid4().hex,
            "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "database": "(default)",
            "namespace": "(default)",
            "document": document,
        }
        return binary(attributes, data)


@pytest.fixture
def replayer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, record: Path) -> Iterator[Replayer]:
    point_environment("gcp", request, monkeypatch)
    collections = {name: f"{name}-{uuid.uuid4().hex[:10]}" for name in ("stock", "ledger")}
    for name, collection in collections.items():
        monkeypatch.setenv(physical_name_variable(ResourceSpec("table", name)), collection)
    yield Replayer(request.getfixturevalue("firestore_emulator_host"), "portable-test", collections["stock"])


def client(function: str, tmp_path: Path) -> Any:
    """The test client of `function`'s target, served from the main.py its archive carries."""
    import functions_framework

    source = tmp_path / "main.py"
    source.write_text(gcp_entry(load_function(function, MODULE)[0]))
    return functions_framework.create_app(target=function, source=str(source)).test_client()


def calls(record: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def test_each_write_on_the_emulator_reaches_the_handler_as_its_table_change(
    replayer: Replayer, record: Path, tmp_path: Path
) -> None:
    stock = Table("stock")
    target = client("record_stock", tmp_path)
    first = {"quantity": 2, "tags": ["red"], "price": 1.5, "note": None, "box": {"w": 3}}
    writes = [
        lambda: stock.put("orders/1", first),
        lambda: stock.increment("orders/1", "quantity", 3),
        lambda: stock.delete("orders/1"),
        lambda: stock.delete("orders/1"),  # nothing to delete: no event
    ]
    with using_clients(client_for):
        events = [replayer.write("orders/1", write, "written") for write in writes]
    assert events[-1] is None
    for headers, body in filter(None, events):
        assert target.post("/", headers=headers, data=body).status_code == 204
    assert [(c["kind"], c["key"], c["old"], c["new"]) for c in calls(record)] == [
        ("created", "orders/1", None, first),
        ("updated", "orders/1", first, {**first, "quantity": 5}),
        ("deleted", "orders/1", {**first, "quantity": 5}, None),
    ]
    assert [c["id"] for c in calls(record)] == [headers["ce-id"] for headers, _ in filter(None, events)]


def test_a_failure_is_retried_by_eventarc_and_the_prefix_is_the_shims(
    replayer: Replayer, record: Path, tmp_path: Path
) -> None:
    stock, ledger = Table("stock"), Table("ledger")
    with using_clients(client_for):
        failing = replayer.write("shelf/2", lambda: stock.put("shelf/2", {"fail": True}), "written")
        elsewhere = replayer.write("shelf/3", lambda: stock.put("shelf/3", {"quantity": 1}), "created")
        order = replayer.write("orders/3", lambda: stock.put("orders/3", {"quantity": 3}), "created")
    assert failing and elsewhere and order
    assert client("record_stock", tmp_path).post("/", headers=failing[0], data=failing[1]).status_code == 500
    new_order = client("new_order", tmp_path)
    assert new_order.post("/", headers=elsewhere[0], data=elsewhere[1]).status_code == 204
    assert new_order.post("/", headers=order[0], data=order[1]).status_code == 204
    assert [(c["function"], c["key"]) for c in calls(record)] == [
        ("record_stock", "shelf/2"),
        ("new_order", "orders/3"),
    ]
    with using_clients(client_for):
        assert ledger.get("orders/3") == {"change": order[0]["ce-id"], "quantity": 3}
