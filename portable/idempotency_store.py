"""How a delivery of an idempotent function runs once: the claim, the lease and the replay, on the app's store.

Every kind goes through here: the event kinds from `delivery.deliver_records` (`deliver_once`), HTTP from
`http_trigger` (`answer_once`). The store is any table client (`portable.storage_types.TableClient`), so every
target keeps its keys in its own kind of table: DynamoDB, Firestore, SQLite. A record is written with
`_expires` (`data_rules.EXPIRES_FIELD`), which the clouds' time to live reads; past it, a record counts as absent
here whether or not the cloud has deleted it yet.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable

from portable import log
from portable.app import ResourceSpec
from portable.data_rules import EXPIRES_FIELD, IDEMPOTENCY_TABLE
from portable.errors import Conflict, EventFailed, Retried
from portable.idempotency import Idempotency
from portable.limits import TABLE_ITEM_MAX_BYTES
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any

    from portable.app import FunctionSpec
    from portable.context import ClientFactory
    from portable.replies import HttpReply
    from portable.request import Request
    from portable.storage_types import TableClient

# The app's one store: a table the deploy provisions when a function is idempotent (a name users cannot declare).
STORE = ResourceSpec("table", IDEMPOTENCY_TABLE)
# Past its timeout the platform has stopped a handler; the lease lasts that long and a little more.
LEASE_MARGIN_SECONDS = 10
KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_CHARS = 255
RUNNING, DONE = "running", "done"


class InProgress(EventFailed, Retried):
    """Another delivery of the same key holds its lease: this one is retried later."""


class _Claim(NamedTuple):
    state: str  # RUNNING: ours to run; DONE: answered before; "busy": another delivery runs it
    version: str
    record: dict[str, Any]


def record_key(function: str, key: str, scope: str = "") -> str:
    """The store's key of `key` for `function` (and, for HTTP, the verified caller): a fixed-length digest, so that
    any key fits every backend's key rules and no function or caller reads another's."""
    import hashlib

    return hashlib.sha256(f"{function}\n{scope}\n{key}".encode("utf-8", "surrogatepass")).hexdigest()


def _claim(store: TableClient, key: str, readable: str, lease_seconds: int, fingerprint: str | None) -> _Claim:
    """Take `key` for one run (a record in progress, `lease_seconds` long), unless it is done or another run holds
    a live lease. A record past its expiry counts as absent (the clouds' TTL deletes it later)."""
    while True:
        now = time.time()
        expires = _at(now + lease_seconds)
        running = {"state": RUNNING, "key": readable, "fingerprint": fingerprint, EXPIRES_FIELD: expires}
        item = store.get(key)
        try:
            if item is None:
                return _Claim(RUNNING, store.put(key, running, True, None), running)
            if float(item.value.get(EXPIRES_FIELD, 0)) > now:
                state = DONE if item.value.get("state") == DONE else "busy"
                return _Claim(state, item.version, item.value)
            return _Claim(RUNNING, store.put(key, running, False, item.version), running)
        except Conflict:
            continue  # another delivery wrote it meanwhile: read it again


def _at(moment: float) -> int:
    return math.ceil(moment)


def _release(store: TableClient, key: str, version: str) -> None:
    """Give the key up after a failure, so that the retry runs; a lease taken over meanwhile is left alone."""
    with contextlib.suppress(Conflict):
        store.delete(key, version)


def _complete(store: TableClient, key: str, claim: _Claim, window_seconds: int, reply: dict[str, Any] | None) -> None:
    done = {**claim.record, "state": DONE, "reply": reply, EXPIRES_FIELD: _at(time.time() + window_seconds)}
    try:
        store.put(key, done, False, claim.version)
    except Conflict:
        log.warning("idempotency lease ran out before the handler finished: another delivery took the key over")


def lease_seconds(spec: FunctionSpec) -> int:
    return spec.timeout_seconds + LEASE_MARGIN_SECONDS


# Events ----------------------------------------------------------------------


def deliver_once(spec: FunctionSpec, clients: ClientFactory, event: Any, handler: Callable[[Any], object]) -> None:
    """Run `handler(event)` unless its key is done (a repeat: acknowledged) or in progress (InProgress: the
    delivery fails and is retried); a failure releases the key and raises."""
    settings = spec.idempotency or Idempotency()
    key = settings.key(event) if settings.key is not None else event.id
    if key is None:
        handler(event)
        return
    key = str(key)
    store: TableClient = clients(STORE)
    stored = record_key(spec.name, key)
    claim = _claim(store, stored, key[:KEY_MAX_CHARS], lease_seconds(spec), None)
    if claim.state == DONE:
        log.info("repeat delivery acknowledged without running the handler", idempotency_key=key)
        return
    if claim.state != RUNNING:
        log.warning("delivery of a key in progress elsewhere: it is retried", idempotency_key=key)
        raise InProgress(f"key {key!r} is in progress in another delivery; retried after the backoff")
    try:
        handler(event)
    except BaseException:
        _release(store, stored, claim.version)
        raise
    _complete(store, stored, claim, settings.window_seconds, None)


# HTTP ------------------------------------------------------------------------


def answer_once(
    spec: FunctionSpec, clients: ClientFactory, request: Request, answer: Callable[[], HttpReply]
) -> HttpReply:
    """The reply to `request`: `answer()`'s, or for a repeat of its Idempotency-Key the first reply again with
    `Idempotent-Replayed: true`; 409 while the first is in progress, 422 for the key with another request, 400
    for a key that cannot be one. A reply of 5xx releases the key (the caller may retry); one too large to keep
    is refused with a 500."""
    from portable.replies import error_reply

    settings = spec.idempotency or Idempotency()
    if settings.key is not None:
        key = settings.key(request)
    else:
        key = header_key(request.headers.get(KEY_HEADER))
        if key == "":
            return error_reply(
                400,
                f"{KEY_HEADER} must be 1 to {KEY_MAX_CHARS} visible ASCII characters, sent as a string "
                f'("a-unique-value") or a bare token; send a new unique value per operation',
                request.request_id,
            )
    if key is None:
        return answer()
    key = str(key)
    store: TableClient = clients(STORE)
    scope = (request.auth.subject or "") if request.auth is not None else ""
    stored = record_key(spec.name, key, scope)
    fingerprint = request_fingerprint(request)
    claim = _claim(store, stored, key[:KEY_MAX_CHARS], lease_seconds(spec), fingerprint)
    if claim.state != RUNNING:
        if claim.record.get("fingerprint") != fingerprint:
            log.warning("idempotency key reused with another request", idempotency_key=key)
            return error_reply(
                422,
                f"{KEY_HEADER} {key!r} was sent with another request (method, path, query or body); "
                "send a new key for a new request",
                request.request_id,
            )
        if claim.state != DONE:
            return error_reply(
                409,
                f"a request with {KEY_HEADER} {key!r} is in progress; retry after it has finished",
                request.request_id,
            )
        log.info("repeat request answered with the first reply", idempotency_key=key)
        return replayed(claim.record["reply"])
    try:
        reply = answer()
    except BaseException:
        _release(store, stored, claim.version)
        raise
    if reply.status >= 500:
        _release(store, stored, claim.version)
        return reply
    kept = reply_record(reply)
    size = len(json.dumps({**claim.record, "reply": kept}).encode())
    if size > TABLE_ITEM_MAX_BYTES:
        _release(store, stored, claim.version)
        log.error(
            "reply too large to keep for idempotent replays", status=reply.status, bytes=size, idempotency_key=key
        )
        return error_reply(
            500,
            f"the reply takes {size} bytes in the idempotency store, over the {TABLE_ITEM_MAX_BYTES} bytes a table "
            "item holds (DynamoDB's limit): an idempotent route returns a smaller reply, e.g. the key of the result "
            "in a bucket",
            request.request_id,
        )
    _complete(store, stored, claim, settings.window_seconds, kept)
    return reply


def header_key(value: str | None) -> str | None:
    """The key an Idempotency-Key header carries (a Structured Field string, or a bare token): None without the
    header, "" for one that cannot be a key."""
    if value is None:
        return None
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if not 1 <= len(text) <= KEY_MAX_CHARS or not all(" " < char < "\x7f" and char != '"' for char in text):
        return ""
    return text


def request_fingerprint(request: Request) -> str:
    """A digest of what makes a request the same request: its method, path, query and body."""
    import hashlib

    digest = hashlib.sha256()
    for part in (request.method, request.path, json.dumps(request.query.items_all())):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def reply_record(reply: HttpReply) -> dict[str, Any]:
    """The reply as the store keeps it: status, headers, cookies and the body (base64)."""
    import base64

    return {
        "status": reply.status,
        "headers": [list(pair) for pair in reply.headers.pairs],
        "cookies": list(reply.cookies),
        "body": base64.b64encode(reply.body).decode("ascii"),
        "binary": reply.binary,
    }


def replayed(record: dict[str, Any]) -> HttpReply:
    """The reply `reply_record` kept, with `Idempotent-Replayed: true`."""
    import base64

    from portable.replies import HttpReply

    headers = [(str(name), str(value)) for name, value in record["headers"]]
    headers.append((REPLAYED_HEADER, "true"))
    body = base64.b64decode(record["body"])
    return HttpReply(int(record["status"]), body, headers, list(record["cookies"]), bool(record["binary"]))
