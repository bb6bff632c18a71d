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
from portable.errors import EventFailed, MalformedEvent
from portable.runtime_typing import TYPE_CHECKING, Generic, NamedTuple

if TYPE_CHECKING:
    from typing import Any

    from portable.app import Function
    from portable.context import ClientFactory
    from portable.cors_policy import Cors

    # A record as a codec decodes it: its id (what the platform's reply names it by) and its portable event,
    # None for a record the function does not take (another kind of change), or the MalformedEvent that refused it.
    Decoded = tuple[str, Any]
    # (event, attempted) -> why the retries of `event` end here (the platform does not count attempts), else None.
    Ending = Callable[[Any, bool], str | None]


class Bound(NamedTuple, Generic[TriggerT]):
    """A function ready to run: its description, its handler, and the data clients behind its handles.

    `debug` puts the exception and traceback in 500 replies; only the local runner sets it. `cors` is the
    policy a target applies itself when its gateway forwards preflights (GCP, the local runner).
    """

    spec: Function[TriggerT]
    handler: Callable[..., Any]
    clients: ClientFactory
    debug: bool = False
    cors: Cors | None = None


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


def entering(bound: Bound[Any], call_id: str, trace: str | None) -> Token[Invocation | None]:
    """Set the running function, its clients, the call's id and trace for the length of one call."""
    return current_invocation.set(Invocation(bound.spec, bound.clients, call_id, trace))


def run_event(bound: Bound[Any], event: Any, trace: str | None = None) -> None:
    """Call an event handler with `event`; a failure is logged once and raised as EventFailed."""
    token = current_invocation.set(Invocation(bound.spec, bound.clients, event.id, trace))
    try:
        bound.handler(event)
    except Exception as exc:
        log.error("handler raised", error=f"{type(exc).__name__}: {exc}", traceback=formatted_traceback())
        raise EventFailed(f"function {bound.spec.name!r} failed on event {event.id}: {type(exc).__name__}") from None
    finally:
        current_invocation.reset(token)


class Settled(NamedTuple):
    """What became of the records of one delivery.

    `failed` names the records the platform must deliver again (or dead-letter, by its own count), with
    `errors` saying why; `dead_lettered` those whose retries this delivery ended, as (record, reason, event);
    `refusals` says why each record that could not be read was refused.
    """

    delivered: int
    failed: list[str]
    errors: list[str]
    dead_lettered: list[tuple[str, str, Any]]
    refusals: list[str]


class BatchRule(NamedTuple):
    """How a kind settles a batch: `unreadable_fails` (an unreadable record is retried, so it reaches the dead
    letters, rather than dropped), `ordered` (the first failure stops the batch: the platform delivers it and
    every later record again, in order) and `label` (what the log calls a record)."""

    unreadable_fails: bool
    ordered: bool
    label: str


def deliver_records(
    bound: Bound[Any],
    records: Iterable[Decoded],
    rule: BatchRule,
    wanted: Callable[[Any], bool],
    ending: Ending | None = None,
    trace: str | None = None,
) -> Settled:
    """Run the handler once per record `wanted` takes, each failure failing its record only.

    With `ending` (a platform that neither counts attempts nor dead-letters), an event whose retries it ends is
    acknowledged and logged as a dead letter instead of being failed.
    """
    delivered = 0
    failed: list[str] = []
    errors: list[str] = []
    refusals: list[str] = []
    dead: list[tuple[str, str, Any]] = []
    for index, (record_id, event) in enumerate(records):
        if isinstance(event, MalformedEvent):
            log.error(f"{rule.label} rejected", function=bound.spec.name, record=index, id=record_id, error=str(event))
            refusals.append(str(event))
            if rule.unreadable_fails:
                failed.append(record_id)
                errors.append(str(event))
                if rule.ordered:
                    break
            continue
        if event is None or not wanted(event):
            continue
        if ending is not None and (reason := ending(event, False)):
            dead.append((record_id, reason, event))
            continue
        try:
            run_event(bound, event, trace)
        except EventFailed as exc:
            if ending is not None and (reason := ending(event, True)):
                dead.append((record_id, reason, event))
                continue
            failed.append(record_id)
            errors.append(str(exc))
            if rule.ordered:
                break
        else:
            delivered += 1
    return Settled(delivered, failed, errors, dead, refusals)


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
