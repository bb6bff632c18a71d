"""The `change` kind locally: table changes at rest (in a table's outbox, the delivery queue, dead letters), where
they come from (each table's outbox, written in the transaction of the write), and how the console and the
banner show them.

The runner delivers them through the GCP shim, as Eventarc's Firestore triggers do
(`providers/gcp/change_codec.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from portable import change_trigger
from portable.app import App, ResourceSpec
from portable.change_trigger import ChangeTrigger, TableChange
from portable.context import physical_name

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from portable.change_trigger import ChangeFunction
    from portable.context import ClientFactory
    from providers.local.outboxes import Outbox

KIND = "change"
LABEL = "changes"  # what the runner's banner calls its triggers


def encode(change: TableChange) -> dict[str, Any]:
    return {"type": KIND, **change_trigger.to_record(change)}


def decode(record: Mapping[str, Any]) -> TableChange:
    return change_trigger.from_record(record)


def subject(change: TableChange) -> str:
    return f"{change.kind} {change.table}/{change.key}"


def outboxes(app: App, root: Path) -> list[Outbox]:
    """Every table's outbox: the changes of its writes."""
    from providers.local.tables import LocalTable

    return [LocalTable(name, physical_name(ResourceSpec("table", name)), root).outbox() for name in app.tables]


def describe(app: App) -> list[str]:
    """Each table whose changes trigger functions, with them."""
    return [
        f"{name} -> {', '.join(spec.name for spec in consumers)}"
        for name in app.tables
        if (consumers := app.functions_of(ChangeTrigger, name))
    ]


def sample(
    spec: ChangeFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[dict[str, Any], list[str]]:
    change, notes = change_trigger.sample(spec, hints, clients)
    return encode(change), notes


def dashboard(app: App, pending: Mapping[str, int], now: datetime) -> dict[str, Any]:
    """The dashboard's part of this kind: each table's change functions (`triggers`, by resource)."""
    triggers: dict[str, list[dict[str, Any]]] = {}
    for spec in app.functions_of(ChangeTrigger):
        trigger = spec.trigger
        triggers.setdefault(trigger.table, []).append(
            {
                "function": spec.name,
                "kind": trigger.listens,
                "prefix": trigger.prefix,
                "pending": pending.get(spec.name, 0),
            }
        )
    return {"triggers": triggers}
