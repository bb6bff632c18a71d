"""Queue and topic handles, declared by logical name in `functions/`.

    jobs = queue("jobs", delays=True)      # delays: send(..., delay_seconds=n); AWS and locally, not GCP
    jobs.send({"user": "ada"}, attributes={"kind": "welcome"}, delay_seconds=60)   # needs writes=[jobs]

    @jobs.on_message(batch_size=10, max_attempts=5)
    def work(message: Message) -> None: ...

A queue hands each message to its one consumer; a topic hands every message to each subscriber.
A handler that raises fails only its message, which is delivered again after a backoff and, after
`max_attempts` deliveries, dead-lettered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from portable.app import MessageTrigger, caller_location, register_queue_delays
from portable.decorators import EVENT_TIMEOUT_SECONDS, make_registrar
from portable.errors import AppDefinitionError
from portable.messages import DEFAULT_ATTEMPTS, DEFAULT_BATCH_SIZE, check_message, check_options
from portable.resources import _Handle
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, ClassVar, overload

    from typing_extensions import Unpack

    from portable.app import MessageSourceKind
    from portable.decorators import FunctionOptions, Handler

    Body = bytes | str | dict[str, Any] | list[Any]


class _MessageSource(_Handle):
    kind: ClassVar[MessageSourceKind]
    delays = False

    def _subscriber(
        self,
        handler: Handler | None,
        batch_size: int,
        max_attempts: int,
        options: FunctionOptions,
    ) -> Any:
        def register(function: Handler) -> Handler:
            where = f"{function.__code__.co_filename}:{function.__code__.co_firstlineno} ({function.__name__})"
            size, attempts = check_options(where, batch_size, max_attempts)
            trigger = MessageTrigger(self.name, self.kind, size, attempts)
            return make_registrar(
                trigger, options, timeout_seconds=EVENT_TIMEOUT_SECONDS, trigger_resources=[self.spec]
            )(function)

        return register if handler is None else register(handler)

    if TYPE_CHECKING:  # the overloads are for type checkers only: `typing` stays out of a cold start

        @overload
        def on_message(self, handler: Handler) -> Handler: ...

        @overload
        def on_message(
            self,
            handler: None = None,
            *,
            batch_size: int = DEFAULT_BATCH_SIZE,
            max_attempts: int = DEFAULT_ATTEMPTS,
            **options: Unpack[FunctionOptions],
        ) -> Callable[[Handler], Handler]: ...

    def on_message(
        self,
        handler: Handler | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_attempts: int = DEFAULT_ATTEMPTS,
        **options: Unpack[FunctionOptions],
    ) -> Any:
        """Call the decorated function once per message: a queue's one consumer, or one of a topic's subscribers
        (each with a subscription of its own, getting every message).

        `batch_size` messages (1 to 10) may arrive in one invocation; each is still one call, and a failure
        fails only its message. After `max_attempts` deliveries (5 to 100) a message is dead-lettered.
        """
        return self._subscriber(handler, batch_size, max_attempts, options)

    def _send(self, body: Body, attributes: Mapping[str, str] | None, delay_seconds: int) -> str:
        self._authorize("write")
        data, checked = check_message(self.name, body, attributes, delay_seconds, self.delays)
        message_id: str = self._client().send(data, checked, delay_seconds)
        return message_id


class Queue(_MessageSource):
    """A queue, by its logical name: what `queue(name)` returns. `send` queues a message; `on_message` declares the
    queue's one consumer."""

    kind = "queue"

    def __init__(self, name: str, *, delays: bool = False) -> None:
        super().__init__(name)
        if not isinstance(delays, bool):
            raise AppDefinitionError(
                f"{caller_location()}: queue {name!r} takes delays=True or delays=False, got {delays!r}"
            )
        self.delays = delays
        register_queue_delays(name, delays)

    def send(self, body: Body, attributes: Mapping[str, str] | None = None, delay_seconds: int = 0) -> str:
        """Queue one message (bytes, text, or a dict or list sent as JSON) and return its id.

        `delay_seconds` (0 to 900) holds it back before its first delivery, on a queue declared with delays=True
        (InvalidValue otherwise). Needs writes=[this queue].
        """
        return self._send(body, attributes, delay_seconds)


class Topic(_MessageSource):
    """A topic, by its logical name: what `topic(name)` returns. `publish` sends a message to every subscriber;
    `on_message` declares a subscriber."""

    kind = "topic"

    def publish(self, body: Body, attributes: Mapping[str, str] | None = None) -> str:
        """Publish one message to every subscriber and return its id. Needs writes=[this topic]."""
        return self._send(body, attributes, 0)


def queue(name: str, *, delays: bool = False) -> Queue:
    """Declare (or refer to) the queue with this logical name.

    `delays=True` lets send() hold a message back (delay_seconds). GCP's Pub/Sub has no delayed delivery, so
    the GCP deploy refuses such a queue; every declaration of the queue says the same.
    """
    return Queue(name, delays=delays)


def topic(name: str) -> Topic:
    """Declare (or refer to) the topic with this logical name."""
    return Topic(name)
