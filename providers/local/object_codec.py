"""The `object` kind locally: object events at rest (in a bucket's outbox, the delivery queue, dead letters), where
they come from (each bucket's outbox), and how the console and the banner show them.

The runner delivers them through the GCP shim, as Eventarc does (`providers/gcp/object_codec.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from portable import object_trigger
from portable.app import App, ResourceSpec
from portable.context import physical_name
from portable.object_trigger import ObjectEvent, ObjectTrigger

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from portable.context import ClientFactory
    from portable.object_trigger import ObjectFunction
    from providers.local.outboxes import Outbox

KIND = "object"
LABEL = "objects"  # what the runner's banner calls its triggers


def encode(event: ObjectEvent) -> dict[str, Any]:
    """The event as its record, tagged with its kind."""
    return {"type": KIND, **object_trigger.to_record(event)}


def decode(record: Mapping[str, Any]) -> ObjectEvent:
    return object_trigger.from_record(record)


def subject(event: ObjectEvent) -> str:
    return f"{event.kind} {event.bucket}/{event.key}"


def outboxes(app: App, root: Path) -> list[Outbox]:
    """Every bucket's outbox: the events of its writes."""
    from providers.local.buckets import LocalBucket

    return [LocalBucket(name, physical_name(ResourceSpec("bucket", name)), root).outbox() for name in app.buckets]


def describe(app: App) -> list[str]:
    """The banner's lines: each bucket whose objects trigger functions, with them."""
    return [
        f"{name} -> {', '.join(spec.name for spec in consumers)}"
        for name in app.buckets
        if (consumers := app.functions_of(ObjectTrigger, name))
    ]


def sample(
    spec: ObjectFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[dict[str, Any], list[str]]:
    event, notes = object_trigger.sample(spec, hints, clients)
    return encode(event), notes


def dashboard(app: App, pending: Mapping[str, int], now: datetime) -> dict[str, Any]:
    """The dashboard's part of this kind: each bucket's triggers (`triggers`, by resource)."""
    triggers: dict[str, list[dict[str, Any]]] = {}
    for spec in app.functions_of(ObjectTrigger):
        trigger = spec.trigger
        triggers.setdefault(trigger.bucket, []).append(
            {
                "function": spec.name,
                "kind": trigger.kind,
                "prefix": trigger.prefix,
                "suffix": trigger.suffix,
                "pending": pending.get(spec.name, 0),
            }
        )
    return {"triggers": triggers}
