"""Idempotency: an event, a message or a request that runs its handler once, however often it is delivered.

    @jobs.on_message(idempotent=True)                    # the key: the message id
    @http("POST /orders", idempotent=True)               # the key: the Idempotency-Key request header
    @greeted.on_message(idempotent=Idempotency(window_seconds=3600, key=lambda message: message.json()["order"]))

How a function declares it (`Idempotency`, checked where it is declared); how a delivery runs once is
`portable.idempotency_store`'s, which every kind goes through: the event kinds from `delivery.deliver_records`,
HTTP from `http_trigger`. The key is claimed in the app's idempotency store (one table, `portable-idempotency`,
which the deploy provisions with a time to live: DynamoDB's TTL attribute, a Firestore TTL policy; SQLite
locally) with a lease as long as the function's timeout. A repeat after a success is answered from the store
without the handler; a delivery while the first is in progress is retried (an event fails, so the platform
delivers it again after its backoff; a request gets 409); a failure releases the key, so that the retry runs;
a lease that ran out (the process died) is taken over. A completed key is remembered `window_seconds`.

Loaded only by a function that declares `idempotent=`: the others' cold start never imports it.
"""

from __future__ import annotations

from collections.abc import Callable

from portable.errors import AppDefinitionError
from portable.limits import IDEMPOTENCY_WINDOW_MAX_SECONDS
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from typing import Any

DEFAULT_WINDOW_SECONDS = 24 * 3600


class Idempotency(NamedTuple):
    """How a function's deliveries are made to run once: `idempotent=Idempotency(...)` on any trigger.

    Attributes:
        window_seconds: How long a completed key is remembered (default a day): a repeat within it is answered
            without the handler, one after it runs again.
        key: A function of the event (the request, for HTTP) that returns the key, or None to run the call as
            usual; default the event's, firing's, message's or change's id, and for HTTP the `Idempotency-Key`
            request header.
    """

    window_seconds: int = DEFAULT_WINDOW_SECONDS
    key: Callable[[Any], str | None] | None = None


def check_option(value: object, where: str) -> Idempotency | None:
    """`idempotent=` as declared (True, False, an Idempotency) checked; AppDefinitionError naming the fix."""
    if value is False or value is None:
        return None
    if value is True:
        return Idempotency()
    if not isinstance(value, Idempotency):
        raise AppDefinitionError(
            f"{where}: idempotent= takes True or Idempotency(window_seconds=..., key=...), got {value!r}; "
            "write idempotent=True, or import Idempotency from portable"
        )
    window = value.window_seconds
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= IDEMPOTENCY_WINDOW_MAX_SECONDS:
        raise AppDefinitionError(
            f"{where}: Idempotency(window_seconds={window!r}) must be a whole number of seconds from 1 to "
            f"{IDEMPOTENCY_WINDOW_MAX_SECONDS} (30 days)"
        )
    if value.key is not None and not callable(value.key):
        raise AppDefinitionError(
            f"{where}: Idempotency(key={value.key!r}) takes a function of the event that returns its key, e.g. "
            "key=lambda message: message.json()['order_id']"
        )
    return value
