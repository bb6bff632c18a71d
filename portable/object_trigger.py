"""The `object` kind: a bucket's objects created or deleted, under a prefix and suffix.

    uploads = bucket("uploads")

    @uploads.on_created(prefix="incoming/", suffix=".jpg")
    def make_thumbnail(event: ObjectEvent) -> None: ...

Delivery: one call per object event, at least once. A failure is tried again by the function's
`RetryPolicy` (attempts and maximum age, Lambda's asynchronous retries being the strictest), then
dead-lettered. A batch of records is one call per record; a record that cannot be read is logged and
dropped (no platform would read it better on a retry), and one from a bucket the function is not
bound to is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from portable.app import App, Function, ResourceSpec, refuse_self_trigger
from portable.decorators import EVENT_TIMEOUT_SECONDS, make_registrar
from portable.delivery import BatchRule, Bound, Settled, deliver_records
from portable.errors import MalformedEvent
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any, Literal

    from portable.app import ResourceKind
    from portable.context import ClientFactory
    from portable.decorators import FunctionOptions, Handler
    from portable.delivery import Decoded, Ending
    from portable.retries import RetryPolicy
    from portable.tracing import TraceSource

    ObjectEventKind = Literal["created", "deleted"]
else:
    ObjectEventKind = str

KINDS: tuple[ObjectEventKind, ...] = ("created", "deleted")


class ObjectEvent(NamedTuple):
    """One object created in or deleted from a bucket.

    `id` is the same each time the cloud redelivers the same change, so a handler can
    use it to do its work once. Fields the cloud does not send are None.

    Attributes:
        bucket: The bucket's logical name, as declared.
        key: The object's key, decoded exactly once.
        kind: `created` or `deleted`.
        id: The same on every redelivery of this change.
        time: When the change happened, aware UTC.
        size: The object's size in bytes; None for deletions on AWS.
        etag: The object's etag; None for deletions on AWS.
        content_type: The object's content type; None on AWS, whose notifications do not carry it.
    """

    bucket: str
    key: str
    kind: ObjectEventKind
    id: str
    time: datetime | None
    size: int | None = None
    etag: str | None = None
    content_type: str | None = None


class ObjectTrigger(NamedTuple):
    bucket: str
    kind: ObjectEventKind
    prefix: str = ""
    suffix: str = ""

    @property
    def source(self) -> str | None:
        return self.bucket

    @property
    def source_kind(self) -> ResourceKind | None:
        return "bucket"

    @property
    def retries_refusal(self) -> str | None:
        return None

    @property
    def handler_parameter(self) -> str | None:
        return "event: ObjectEvent"

    def matches(self, key: str) -> bool:
        return key.startswith(self.prefix) and key.endswith(self.suffix)

    def accepts(self, event: ObjectEvent) -> bool:
        """Whether this trigger wants `event`: its bucket, its kind, a key within prefix and suffix."""
        return event.bucket == self.bucket and event.kind == self.kind and self.matches(event.key)


ObjectFunction = Function[ObjectTrigger]


def register(
    bucket: ResourceSpec,
    kind: ObjectEventKind,
    prefix: str,
    suffix: str,
    allow_self_trigger: bool,
    options: FunctionOptions,
) -> Callable[[Handler], Handler]:
    """The decorator of `bucket(...).on_created(...)` and `.on_deleted(...)`."""
    return make_registrar(
        ObjectTrigger(bucket.name, kind, prefix, suffix),
        options,
        timeout_seconds=EVENT_TIMEOUT_SECONDS,
        allow_self_trigger=allow_self_trigger,
        trigger_resources=[bucket],
    )


# The App ---------------------------------------------------------------------


def check_app(app: App) -> None:
    """A function that writes to the bucket that triggers it would call itself with each write."""
    for spec in app.functions_of(ObjectTrigger):
        refuse_self_trigger(spec, "bucket", f"prefix {spec.trigger.prefix!r}, suffix {spec.trigger.suffix!r}")


def receivers(app: App, event: ObjectEvent) -> list[ObjectFunction]:
    """The functions `event` triggers: of its bucket, its kind, with the key within their filters."""
    return [spec for spec in app.functions_of(ObjectTrigger, event.bucket) if spec.trigger.accepts(event)]


# Delivery --------------------------------------------------------------------

RULE = BatchRule(unreadable_fails=False, ordered=False, label="object event")


def from_bucket(bound: Bound[ObjectTrigger], physical_bucket: str) -> None:
    """Refuse an event from a bucket this function is not bound to: `physical_bucket` is the cloud's name of the
    bucket it came from."""
    if physical_bucket != bound.source:
        raise MalformedEvent(f"event from bucket {physical_bucket!r}; this function is bound to {bound.source!r}")


def deliver(
    bound: Bound[ObjectTrigger], records: Iterable[Decoded], ending: Ending | None = None, trace: TraceSource = None
) -> Settled:
    """One call per record the trigger accepts (its kind, a key within prefix and suffix); the others are
    skipped. A failure fails its record: the platform tries the event again by the function's RetryPolicy."""
    return deliver_records(bound, records, RULE, bound.spec.trigger.accepts, ending, trace)


def policy(spec: ObjectFunction) -> RetryPolicy:
    return spec.retries


def retries_ended(bound: Bound[ObjectTrigger], event: ObjectEvent, attempted: bool) -> str | None:
    """Where the platform retries without counting (Eventarc retries until the event is a day old), whether this
    delivery is the last: the event is past the policy's maximum age, or had the one attempt the policy allows."""
    retries = bound.spec.retries
    if attempted:
        return "its one attempt failed" if retries.attempts == 1 else None
    if event.time is not None and retries.expired(event.time, datetime.now(UTC)):
        return f"older than its max age of {retries.max_age_seconds} s"
    return None


def with_attempt(event: ObjectEvent, attempt: int) -> ObjectEvent:
    """The event as its delivery number `attempt` carries it: object events do not count their deliveries."""
    return event


# Records: the event as JSON values (dead letters, the local queue) -----------


def to_record(event: ObjectEvent) -> dict[str, object]:
    """Every field of `event` as JSON values, the time in RFC 3339."""
    record: dict[str, object] = event._asdict()
    record["time"] = event.time.isoformat() if event.time is not None else None
    return record


def from_record(record: Mapping[str, Any]) -> ObjectEvent:
    """The event `to_record` wrote; MalformedEvent names the field that is wrong (a dead letter may be edited)."""
    from portable.event_times import event_time
    from portable.events import text

    kind = record.get("kind")
    if kind not in KINDS:
        raise MalformedEvent(f"kind must be 'created' or 'deleted', not {kind!r}")
    size = record.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise MalformedEvent(f"size must be a whole number of bytes or null, not {size!r}")
    return ObjectEvent(
        bucket=text(record.get("bucket"), "bucket"),
        key=text(record.get("key"), "key"),
        kind=kind,
        id=text(record.get("id"), "id"),
        time=None if record.get("time") is None else event_time(record["time"], "time"),
        size=size,
        etag=_optional(record, "etag"),
        content_type=_optional(record, "content_type"),
    )


def _optional(record: Mapping[str, Any], field: str) -> str | None:
    from portable.events import text

    return None if record.get(field) is None else text(record.get(field), field)


# Samples ---------------------------------------------------------------------

EXAMPLE_KEY = "example"


def sample(
    spec: ObjectFunction, hints: Mapping[str, str | None], clients: ClientFactory
) -> tuple[ObjectEvent, list[str]]:
    """An event of the trigger's kind for hints["key"] (default: `example` within its prefix and suffix), with the
    size and etag of the stored object when there is one."""
    import uuid
    from datetime import UTC, datetime

    from portable.errors import NotFound

    trigger = spec.trigger
    key = hints.get("key") or f"{trigger.prefix}{EXAMPLE_KEY}{trigger.suffix}"
    notes = []
    try:
        info = clients(ResourceSpec("bucket", trigger.bucket)).head(key)
        size, etag, content_type = info.size, info.etag, info.content_type
    except NotFound:
        size, etag, content_type = 0, None, None
        if trigger.kind == "created":
            notes.append(
                f"the local bucket {trigger.bucket!r} holds no {key!r}, so the handler may not find it; put one "
                f"first: curl -T FILE localhost:8080/__portable/objects/{trigger.bucket}/{key}"
            )
    event = ObjectEvent(
        bucket=trigger.bucket,
        key=key,
        kind=trigger.kind,
        id=uuid.uuid4().hex,
        time=datetime.now(UTC),
        size=size,
        etag=etag,
        content_type=content_type,
    )
    return event, notes
