"""The `change` kind: a table's items created, updated or deleted, under a key prefix.

    items = table("items")

    @items.on_created(prefix="orders/")
    def new_order(change: TableChange) -> None: ...

    @items.on_written            # created, updated and deleted alike
    def audit(change: TableChange) -> None: ...

The handler gets one `TableChange` per change: the item's key, the kind of change, its value before
(`old`) and after (`new`), an id stable across retries and the time of the write. Delivery follows the
message kind's policy: at least once, a failure (or a change that cannot be read) is delivered again
after the portable backoff, and after `max_attempts` deliveries it is dead-lettered; changes arrive in
order, and a failed one holds back the changes after it in its batch. A table has at most two change
functions (DynamoDB's advice for readers of one stream), and changes are kept 24 hours.
"""

from __future__ import annotations

from datetime import UTC, datetime

from portable.app import App, Function, refuse_self_trigger
from portable.decorators import EVENT_TIMEOUT_SECONDS, make_registrar
from portable.delivery import BatchRule, Bound, Settled, deliver_records
from portable.errors import AppDefinitionError, MalformedEvent
from portable.limits import TABLE_CHANGE_CONSUMERS_MAX, TABLE_CHANGE_RETENTION_SECONDS
from portable.message_trigger import DEFAULT_ATTEMPTS, DEFAULT_BATCH_SIZE, MessagePolicy, check_options
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any, Literal

    from portable.app import ResourceKind, ResourceSpec
    from portable.context import ClientFactory
    from portable.decorators import FunctionOptions, Handler
    from portable.delivery import Decoded, Ending
    from portable.storage_types import Document

    ChangeKind = Literal["created", "updated", "deleted"]
    from portable.tracing import TraceSource

    Listened = Literal["created", "updated", "deleted", "written"]
else:
    ChangeKind = Listened = str

CHANGE_KINDS: tuple[ChangeKind, ...] = ("created", "updated", "deleted")
# What each declaration listens to: `on_written` is every kind of change.
LISTENED: dict[Listened, tuple[ChangeKind, ...]] = {
    "created": ("created",),
    "updated": ("updated",),
    "deleted": ("deleted",),
    "written": CHANGE_KINDS,
}


class TableChange(NamedTuple):
    """One item of a table created, updated or deleted.

    `old` is the item's value before the change (None when it was created), `new` after it (None when it was
    deleted). `id` is the same each time the change is delivered again, so a handler can use it to do its work
    once; `time` is when the write happened (UTC).

    Attributes:
        table: The table's logical name, as declared.
        key: The item's key.
        kind: `created`, `updated` or `deleted`.
        old: The item's value before the change; None when it was created.
        new: The item's value after the change; None when it was deleted.
        id: The same on every delivery of this change.
        time: When the write happened, aware UTC (to the second on AWS, where DynamoDB Streams rounds it).
    """

    table: str
    key: str
    kind: ChangeKind
    old: Document | None
    new: Document | None
    id: str
    time: datetime


class ChangeTrigger(NamedTuple):
    """Changes of `table`'s items whose key starts with `prefix`, of the kinds `listens` names."""

    table: str
    listens: Listened
    prefix: str
    batch_size: int
    max_attempts: int

    @property
    def source(self) -> str | None:
        return self.table

    @property
    def source_kind(self) -> ResourceKind | None:
        return "table"

    @property
    def retries_refusal(self) -> str | None:
        return (
            "a table change function takes max_attempts= on its on_created(...), on_updated(...), on_deleted(...) or "
            "on_written(...), not retries=: its changes are delivered again until they reach the dead letters"
        )

    @property
    def handler_parameter(self) -> str | None:
        return "event: TableChange"

    @property
    def kinds(self) -> tuple[ChangeKind, ...]:
        return LISTENED[self.listens]

    @property
    def policy(self) -> MessagePolicy:
        return MessagePolicy(self.max_attempts, TABLE_CHANGE_RETENTION_SECONDS)

    def accepts(self, change: TableChange) -> bool:
        """Whether this trigger wants `change`: its table, a kind it listens to, a key within its prefix."""
        return change.table == self.table and change.kind in self.kinds and change.key.startswith(self.prefix)


ChangeFunction = Function[ChangeTrigger]


def register(
    table: ResourceSpec,
    listens: Listened,
    handler: Handler | None,
    prefix: object,
    batch_size: object,
    max_attempts: object,
    allow_self_trigger: bool,
    options: FunctionOptions,
) -> Any:
    """The decorator of `table(...).on_created(...)`, `on_updated`, `on_deleted` and `on_written`, bare or with
    options."""

    def registered(function: Handler) -> Handler:
        where = f"{function.__code__.co_filename}:{function.__code__.co_firstlineno} ({function.__name__})"
        if not isinstance(prefix, str):
            raise AppDefinitionError(
                f"{where}: prefix= takes the text every key of interest starts with, got {prefix!r}"
            )
        size, attempts = check_options(
            where,
            DEFAULT_BATCH_SIZE if batch_size is None else batch_size,
            DEFAULT_ATTEMPTS if max_attempts is None else max_attempts,
        )
        trigger = ChangeTrigger(table.name, listens, prefix, size, attempts)
        return make_registrar(
            trigger,
            options,
            timeout_seconds=EVENT_TIMEOUT_SECONDS,
            allow_self_trigger=allow_self_trigger,
            trigger_resources=[table],
        )(function)

    return registered if handler is None else registered(handler)


# The App ---------------------------------------------------------------------


def check_app(app: App) -> None:
    """At most two change functions per table, and none that writes to the table that triggers it."""
    for table in app.tables:
        consumers = app.functions_of(ChangeTrigger, table)
        if len(consumers) > TABLE_CHANGE_CONSUMERS_MAX:
            names = ", ".join(f"{spec.name!r} ({spec.where})" for spec in consumers)
            raise AppDefinitionError(
                f"{consumers[-1].where}: table {table!r} has {len(consumers)} change functions: {names}; a table's "
                f"changes go to at most {TABLE_CHANGE_CONSUMERS_MAX}, because DynamoDB advises at most two readers "
                "per stream shard (more are throttled). Merge them into one function that does each job (e.g. one "
                "@on_written that looks at change.kind), or have one of them send a message to a topic the others "
                "subscribe to"
            )
    for spec in app.functions_of(ChangeTrigger):
        refuse_self_trigger(spec, "table", f"prefix {spec.trigger.prefix!r}")


def receivers(app: App, change: TableChange) -> list[ChangeFunction]:
    """The functions `change` triggers: of its table, listening to its kind, with the key within their prefix."""
    return [spec for spec in app.functions_of(ChangeTrigger, change.table) if spec.trigger.accepts(change)]


# Delivery --------------------------------------------------------------------

RULE = BatchRule(unreadable_fails=True, ordered=True, label="table change")


def deliver(
    bound: Bound[ChangeTrigger], records: Iterable[Decoded], ending: Ending | None = None, trace: TraceSource = None
) -> Settled:
    """One call per change the trigger accepts, in order; the first that fails (or cannot be read) stops the batch,
    and the platform delivers it and the changes after it again."""
    return deliver_records(bound, records, RULE, bound.spec.trigger.accepts, ending, trace)


def from_table(bound: Bound[ChangeTrigger], physical_table: str) -> None:
    """Refuse a change of a table this function is not bound to: `physical_table` is the cloud's name of the table
    (a collection, on GCP) it came from."""
    if physical_table != bound.source:
        raise MalformedEvent(f"change of table {physical_table!r}; this function is bound to {bound.source!r}")


def policy(spec: ChangeFunction) -> MessagePolicy:
    return spec.trigger.policy


def retries_ended(bound: Bound[ChangeTrigger], change: TableChange, attempted: bool) -> str | None:
    """Where the platform retries without counting (Eventarc delivers a change until it is a day old), whether
    this delivery is the last: the change is past the retention, or by its age it has had `max_attempts`
    deliveries at the portable backoff."""
    policy = bound.spec.trigger.policy
    age = (datetime.now(UTC) - change.time).total_seconds()
    if not attempted:
        return (
            f"older than the {policy.retention_seconds} s a change is kept" if age > policy.retention_seconds else None
        )
    reached = policy.deliveries_within(age)
    if reached < policy.attempts:
        return None
    return f"it failed at delivery {reached} of {policy.attempts} (counted by its age, {age:.0f} s)"


def with_attempt(change: TableChange, attempt: int) -> TableChange:
    """Changes do not count their deliveries (no platform tells a stream's reader how often it tried)."""
    return change


# Records ---------------------------------------------------------------------


def to_record(change: TableChange) -> dict[str, object]:
    """Every field of `change` as JSON values, the time in RFC 3339: what a dead letter carries."""
    record: dict[str, object] = change._asdict()
    record["time"] = change.time.isoformat()
    return record


def from_record(record: Mapping[str, Any]) -> TableChange:
    """The change `to_record` wrote; MalformedEvent names the field that is wrong."""
    from portable.event_times import event_time
    from portable.events import text

    kind = record.get("kind")
    if kind not in CHANGE_KINDS:
        raise MalformedEvent(f"kind must be 'created', 'updated' or 'deleted', not {kind!r}")
    old, new = record.get("old"), record.get("new")
    for field, value in (("old", old), ("new", new)):
        if value is not None and not isinstance(value, dict):
            raise MalformedEvent(f"{field} must be an item's value (a JSON object) or null, not {value!r:.80}")
    return TableChange(
        table=text(record.get("table"), "table"),
        key=text(record.get("key"), "key"),
        kind=kind,
        old=old,
        new=new,
        id=text(record.get("id"), "id"),
        time=event_time(record.get("time"), "time"),
    )


def change_of(
    table: str, key: str, old: Document | None, new: Document | None, change_id: str, time: datetime
) -> TableChange:
    """The change from `old` to `new` (either None: the item did not exist before, or does not after)."""
    kind: ChangeKind = "created" if old is None else "deleted" if new is None else "updated"
    return TableChange(table, key, kind, old, new, change_id, time)


# Samples ---------------------------------------------------------------------

EXAMPLE_KEY = "example"


def sample(
    spec: ChangeFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[TableChange, list[str]]:
    """A change of hints["key"] (default: `example` within the prefix) to hints["body"] (a JSON object; default
    {}), from the item stored under that key, of a kind the trigger listens to."""
    import json
    import uuid
    from datetime import UTC, datetime

    from portable.app import ResourceSpec
    from portable.errors import ConfigurationError

    trigger = spec.trigger
    key = hints.get("key") or f"{trigger.prefix}{EXAMPLE_KEY}"
    try:
        new = json.loads(hints.get("body") or "{}")
    except ValueError as exc:
        raise ConfigurationError(f"--body must be the item's new value as a JSON object: {exc}") from None
    if not isinstance(new, dict):
        raise ConfigurationError(f"--body must be the item's new value as a JSON object, got {hints.get('body')}")
    stored = clients(ResourceSpec("table", trigger.table)).get(key)
    old = None if stored is None else stored.value
    notes = []
    wanted = trigger.kinds
    kind: ChangeKind = ("updated" if old is not None else "created") if len(wanted) > 1 else wanted[0]
    if kind != "created" and old is None:
        old = {}
        notes.append(f"the local table {trigger.table!r} holds no {key!r}: the change's old value is an empty item")
    change = TableChange(
        table=trigger.table,
        key=key,
        kind=kind,
        old=None if kind == "created" else old,
        new=None if kind == "deleted" else new,
        id=uuid.uuid4().hex,
        time=datetime.now(UTC),
    )
    return change, notes
