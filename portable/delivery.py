"""The runtime core every shim calls: a function bound to its handler and data, and how events reach it.

Shims decode native payloads into portable events and encode what happened into native replies; in
between, every kind's delivery rule (in its `portable/<kind>_trigger.py`) runs through here: one
call per event with the function and its data clients in context, a handler's exception logged once
and turned into EventFailed, and a batch of records settled record by record, so that the platform
retries exactly what failed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextvars import Token

from portable import log
from portable.app import TriggerT
from portable.context import Invocation, current_invocation
from portable.errors import MalformedEvent, Retried
from portable.runtime_typing import TYPE_CHECKING, Generic, NamedTuple
from portable.tracing import CallTrace, continued, platform_of, spans

if TYPE_CHECKING:
    from typing import Any

    from portable.app import Function
    from portable.context import ClientFactory
    from portable.cors_policy import Cors
    from portable.tracing import TraceSource

    # A record as a codec decodes it: its id (what the platform's reply names it by) and its portable event,
    # None for a record the function does not take (another kind of change), or the MalformedEvent that refused it.
    Decoded = tuple[str, Any]
    # (event, attempted) -> why the retries of `event` end here (the platform does not count attempts), else None.
    Ending = Callable[[Any, bool], str | None]


class Bound(NamedTuple, Generic[TriggerT]):
    """A function ready to run: its description, its handler, and the data clients behind its handles. Made by
    `Bound.of`, once per process where a function is deployed.

    `debug` puts the exception and traceback in 500 replies; only the local runner sets it. `cors` is the App's
    CORS policy: under it every reply varies by Origin, and a target whose gateway forwards preflights (GCP, the
    local runner) answers them and adds the CORS headers by it (API Gateway does both on AWS). `source` is the
    cloud's name of the resource the trigger listens to (a bucket, a table, a queue), read when it was bound.
    """

    spec: Function[TriggerT]
    handler: Callable[..., Any]
    clients: ClientFactory
    debug: bool = False
    cors: Cors | None = None
    source: str | None = None

    @classmethod
    def of(
        cls,
        spec: Function[TriggerT],
        handler: Callable[..., Any],
        clients: ClientFactory,
        *,
        debug: bool = False,
        cors: Cors | None = None,
    ) -> Bound[TriggerT]:
        """`spec` bound to `handler` and `clients`, with its trigger's resource named as the deploy named it."""
        from portable.app import ResourceSpec
        from portable.context import physical_name

        trigger = spec.trigger
        kind, name = trigger.source_kind, trigger.source
        source = physical_name(ResourceSpec(kind, name)) if kind is not None and name is not None else None
        return cls(spec, handler, clients, debug, cors, source)


def new_request_id() -> str:
    return os.urandom(16).hex()


_ID_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:=+-")
REQUEST_ID_MAX_CHARS = 128


def safe_request_id(value: object) -> str | None:
    """`value` if it can serve as a request id (it ends up in logs, replies and keys), else None.

    Ids come from headers and events the caller controls: only 1-128 characters of letters,
    digits and `._:=+-` are taken; anything else gets a fresh id instead.
    """
    if isinstance(value, str) and 0 < len(value) <= REQUEST_ID_MAX_CHARS and _ID_CHARACTERS.issuperset(value):
        return value
    return None


def formatted_traceback() -> str:
    import traceback  # only on the failure path

    return traceback.format_exc()


# Every call builds an Invocation and every delivery a Settled: built as the tuples they are, without the Python-level
# __new__ a NamedTuple's fields go through (a third of a microsecond each, on an event's whole path of a few).
_built = tuple.__new__


def entering(bound: Bound[Any], call_id: str, trace: CallTrace) -> Token[Invocation | None]:
    """Set the running function, its clients, the call's id and trace for the length of one call."""
    return current_invocation.set(_built(Invocation, (bound.spec, bound.clients, call_id, trace)))


class Settled(NamedTuple):
    """What became of the records of one delivery.

    `failed` names the records the platform must deliver again (or dead-letter, by its own count), with
    `errors` saying why; `dead_lettered` those whose retries this delivery ended, as (record, reason, event);
    `refusals` says why each record that could not be read was refused; `raised` holds the handlers' exceptions,
    in the order of their failures (the local runner keeps the first in its dead letter).
    """

    delivered: int
    failed: list[str]
    errors: list[str]
    dead_lettered: list[tuple[str, str, Any]]
    refusals: list[str]
    raised: list[BaseException]


class BatchRule(NamedTuple):
    """How a kind settles a batch: `unreadable_fails` (an unreadable record is retried, so it reaches the dead
    letters, rather than dropped), `ordered` (the first failure stops the batch: the platform delivers it and
    every later record again, in order), `label` (what the log calls a record) and `traced` (for a kind whose
    events carry their sender's trace: the event as the handler sees it, and the traceparent it carried)."""

    unreadable_fails: bool
    ordered: bool
    label: str
    traced: Callable[[Any], tuple[Any, str | None]] | None = None


def deliver_records(
    bound: Bound[Any],
    records: Iterable[Decoded],
    rule: BatchRule,
    wanted: Callable[[Any], bool] | None,
    ending: Ending | None = None,
    trace: TraceSource = None,
) -> Settled:
    """Run the handler once per record `wanted` takes (None: every record), each failure failing its record only.
    A handler's exception is logged once, with the function and the event's id in context.

    With `ending` (a platform that neither counts attempts nor dead-letters), an event whose retries it ends is
    acknowledged and logged as a dead letter instead of being failed. This is every event's path: the lists of
    what went wrong are made only when something does.

    Each call continues `trace` (the platform's), or the trace its event carries, in a span of its own; an
    OpenTelemetry span where the app configured OpenTelemetry.
    """
    delivered = 0
    failed: list[str] = _NONE
    errors: list[str] = _NONE
    refusals: list[str] = _NONE
    dead: list[tuple[str, str, Any]] = _NONE
    raised: list[BaseException] = _NONE
    spec, handler = bound.spec, bound.handler
    once = _idempotent_delivery(bound) if spec.idempotency is not None else None
    traced, otel = rule.traced, spans()
    for index, (record_id, event) in enumerate(records):
        if isinstance(event, MalformedEvent):
            log.error(f"{rule.label} rejected", function=spec.name, record=index, id=record_id, error=str(event))
            refusals = [*refusals, str(event)]
            if rule.unreadable_fails:
                failed, errors = [*failed, record_id], [*errors, str(event)]
                if rule.ordered:
                    break
            continue
        if event is None or (wanted is not None and not wanted(event)):
            continue
        if ending is not None and (reason := ending(event, False)):
            dead = [*dead, (record_id, reason, event)]
            continue
        carried = None
        if traced is not None:
            event, carried = traced(event)
        if otel is None:
            started, call_trace = None, CallTrace(trace, carried)
        else:
            started, made = otel.start(spec, continued(platform_of(trace), carried))
            call_trace = CallTrace.known(made)
        token = current_invocation.set(_built(Invocation, (spec, bound.clients, event.id, call_trace)))
        try:
            handler(event) if once is None else once(event)
        except Exception as exc:
            if not isinstance(exc, Retried):
                log.error("handler raised", error=f"{type(exc).__name__}: {exc}", traceback=formatted_traceback())
            current_invocation.reset(token)
            if started is not None and otel is not None:
                otel.end(started, exc)
            if ending is not None and (reason := ending(event, True)):
                dead = [*dead, (record_id, reason, event)]
                continue
            # Only the type leaves with the failure (the log line has the rest); the exception itself is kept in
            # `raised`, which the local runner's dead letters hold whole.
            failed, raised = [*failed, record_id], [*raised, exc]
            errors = [*errors, f"function {spec.name!r} failed on event {event.id}: {type(exc).__name__}"]
            if rule.ordered:
                break
        else:
            current_invocation.reset(token)
            if started is not None and otel is not None:
                otel.end(started)
            delivered += 1
    return _built(Settled, (delivered, failed, errors, dead, refusals, raised))


def _idempotent_delivery(bound: Bound[Any]) -> Callable[[Any], None]:
    """The handler of an idempotent function, run once per key (portable.idempotency, loaded only for it)."""
    from portable.idempotency_store import deliver_once

    return lambda event: deliver_once(bound.spec, bound.clients, event, bound.handler)


# What a Settled holds when nothing went wrong: one empty list, never added to (a failure makes a new list).
_NONE: list[Any] = []


def decoded_each(
    records: Iterable[Any], decode: Callable[[Any], Decoded], id_of: Callable[[Any], str]
) -> list[Decoded]:
    """Each record decoded, or paired with the MalformedEvent that refused it (named by `id_of`, which never
    raises), so that one unreadable record never stops the others."""
    out: list[Decoded] = []
    for record in records:
        try:
            out.append(decode(record))
        except MalformedEvent as exc:
            out.append((id_of(record), exc))
    return out


def dead_letter(bound: Bound[Any], reason: str, record: dict[str, object]) -> None:
    """Log an event whose retries end here, whole, so that it can be read and replayed: the dead letter of a
    platform that keeps none (Eventarc)."""
    log.error(f"event dead-lettered: {reason}", function=bound.spec.name, dead_letter=True, event=record)
