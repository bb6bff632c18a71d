"""A tiny in-process publish/subscribe for local object events.

The local bucket client publishes after every successful put and delete; the local
runner subscribes and calls the matching object handlers.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from portable import log
from portable.events import ObjectEvent

Subscriber = Callable[[ObjectEvent], None]

_subscribers: list[Subscriber] = []
_lock = threading.Lock()


def subscribe(callback: Subscriber) -> Callable[[], None]:
    """Call `callback` with every object event from now on; returns a function that unsubscribes."""
    with _lock:
        _subscribers.append(callback)

    def unsubscribe() -> None:
        with _lock:
            if callback in _subscribers:
                _subscribers.remove(callback)

    return unsubscribe


def publish(event: ObjectEvent) -> None:
    """Hand `event` to every subscriber; one subscriber's failure does not stop the others."""
    with _lock:
        subscribers = list(_subscribers)
    for callback in subscribers:
        try:
            callback(event)
        except Exception as exc:  # a subscriber must not break the write that published
            log.error("object event subscriber failed", bucket=event.bucket, key=event.key,
                      error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
