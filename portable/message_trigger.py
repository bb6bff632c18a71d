"""The `message` kind: a queue's one consumer, or one of a topic's subscribers.

    @jobs.on_message(batch_size=10, max_attempts=5)
    def work(message: Message) -> None: ...

Delivery: one call per message, at least once, in no particular order. A failure (or a message that
cannot be read) fails that message only; it is delivered again after the portable backoff (10 s,
doubling to 600 s, Pub/Sub's) and after `max_attempts` deliveries goes to the consumer's dead letters.
How messages are sent, and the rules their content follows, are the queue and topic handles'
(`portable.messaging`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from portable.app import App, Function, MessageSourceKind
from portable.decorators import EVENT_TIMEOUT_SECONDS, make_registrar
from portable.delivery import BatchRule, Bound, Settled, deliver_records
from portable.errors import AppDefinitionError, InvalidValue, MalformedEvent
from portable.events import whole_number
from portable.runtime_typing import TYPE_CHECKING, NamedTuple
from portable.tracing import TRACE_ATTRIBUTE

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime
    from typing import Any

    from portable.app import ResourceKind, ResourceSpec
    from portable.context import ClientFactory
    from portable.decorators import FunctionOptions, Handler
    from portable.delivery import Decoded, Ending
    from portable.tracing import TraceSource

# Pub/Sub dead-letters after 5 to 100 delivery attempts (SQS's maxReceiveCount allows 1 to 1000).
MIN_ATTEMPTS = 5
MAX_ATTEMPTS = 100
DEFAULT_ATTEMPTS = 5
# Lambda's SQS event source mapping takes up to 10 messages per call without a batching window.
MAX_BATCH_SIZE = 10
DEFAULT_BATCH_SIZE = 10
# Pub/Sub's retry policy backs off from 10 s, doubling, to at most 600 s.
FIRST_BACKOFF_SECONDS = 10
MAX_BACKOFF_SECONDS = 600
# Pub/Sub keeps an unacknowledged message 7 days at most (SQS up to 14): both are deployed with 7.
RETENTION_SECONDS = 7 * 24 * 3600


class Message(NamedTuple):
    """One message from a queue or topic.

    `id` is the same on every retry of this message (use it to do the work once); `attempt` counts
    from 1; `publish_time` is when it was sent or published (UTC); `source` is the logical name of
    the queue or topic it came from.

    Attributes:
        id: The message's id, the same on every delivery of it.
        body: The body as bytes; `text` and `json()` decode it.
        attributes: The message's attributes, text to text.
        attempt: Which delivery of the message this is, from 1.
        publish_time: When it was sent or published, aware UTC.
        source: The logical name of the queue or topic it came from.
    """

    id: str
    body: bytes
    attributes: Mapping[str, str]
    attempt: int
    publish_time: datetime
    source: str

    @property
    def text(self) -> str:
        """The body as UTF-8 text; InvalidValue if it is not."""
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidValue(
                self.source,
                f"message {self.id} is not UTF-8 text ({exc.reason} at byte "
                f"{exc.start}); read message.body for its bytes",
            ) from None

    def json(self) -> Any:
        """The body parsed as JSON; InvalidValue, naming the message, if it is not JSON."""
        try:
            return json.loads(self.text)
        except ValueError as exc:
            raise InvalidValue(
                self.source, f"message {self.id} is not JSON ({exc}); read message.text or message.body instead"
            ) from None


class MessagePolicy(NamedTuple):
    """How often a message is delivered before it is dead-lettered, the backoff between deliveries, and how long
    an undelivered one is kept."""

    attempts: int = DEFAULT_ATTEMPTS
    retention_seconds: int = RETENTION_SECONDS

    def delay_before(self, attempt: int) -> int:
        """Seconds before delivery number `attempt`: FIRST_BACKOFF_SECONDS, doubling to MAX_BACKOFF_SECONDS."""
        if attempt <= 1:
            return 0
        return min(FIRST_BACKOFF_SECONDS << min(attempt - 2, 16), MAX_BACKOFF_SECONDS)

    def wait_after_failure(self, attempt: int) -> int:
        """Seconds before a message whose delivery number `attempt` failed is delivered again: `delay_before`
        the next one, or 0 after the last (its next receipt dead-letters it)."""
        return 0 if attempt >= self.attempts else self.delay_before(attempt + 1)

    def expired(self, publish_time: datetime, now: datetime) -> bool:
        """Whether a message published at `publish_time` is past the clouds' retention at `now`."""
        return (now - publish_time).total_seconds() > self.retention_seconds

    def deliveries_within(self, seconds: float) -> int:
        """How many deliveries the backoff fits into `seconds` after the first: where a platform does not count
        attempts, the attempt an event has reached by its age."""
        attempt, waited = 1, 0
        while attempt < self.attempts and waited + self.delay_before(attempt + 1) <= seconds:
            attempt += 1
            waited += self.delay_before(attempt)
        return attempt


class MessageTrigger(NamedTuple):
    """Messages from a queue (one consumer) or a topic (each subscriber gets every message)."""

    source: str
    kind: MessageSourceKind
    batch_size: int
    max_attempts: int

    @property
    def source_kind(self) -> ResourceKind | None:
        return self.kind

    @property
    def retries_refusal(self) -> str | None:
        return (
            "a message function takes max_attempts= on on_message(...), not retries=: its messages are delivered "
            "again until they reach the dead letters"
        )

    @property
    def handler_parameter(self) -> str | None:
        return "event: Message"

    @property
    def policy(self) -> MessagePolicy:
        return MessagePolicy(self.max_attempts)


MessageFunction = Function[MessageTrigger]


def check_options(where: str, batch_size: object, max_attempts: object) -> tuple[int, int]:
    """(batch_size, max_attempts) if every cloud can run them; otherwise AppDefinitionError naming the fix."""
    if not whole_number(batch_size) or not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise AppDefinitionError(
            f"{where}: batch_size={batch_size!r} cannot run on AWS, where Lambda takes 1 to {MAX_BATCH_SIZE} "
            "messages per call without a batching window; use a whole number in that range"
        )
    if not whole_number(max_attempts) or not MIN_ATTEMPTS <= max_attempts <= MAX_ATTEMPTS:
        raise AppDefinitionError(
            f"{where}: max_attempts={max_attempts!r} cannot run on GCP, where Pub/Sub dead-letters after "
            f"{MIN_ATTEMPTS} to {MAX_ATTEMPTS} delivery attempts; use a whole number in that range"
        )
    return batch_size, max_attempts


def register(
    source: ResourceSpec,
    kind: MessageSourceKind,
    handler: Handler | None,
    batch_size: object,
    max_attempts: object,
    options: FunctionOptions,
) -> Any:
    """The decorator of `queue(...).on_message(...)` and `topic(...).on_message(...)`, bare or with options."""

    def registered(function: Handler) -> Handler:
        where = f"{function.__code__.co_filename}:{function.__code__.co_firstlineno} ({function.__name__})"
        size, attempts = check_options(where, batch_size, max_attempts)
        trigger = MessageTrigger(source.name, kind, size, attempts)
        return make_registrar(trigger, options, timeout_seconds=EVENT_TIMEOUT_SECONDS, trigger_resources=[source])(
            function
        )

    return registered if handler is None else registered(handler)


# The App ---------------------------------------------------------------------


def check_app(app: App) -> None:
    """A queue hands each message to one consumer: two are refused, and so is none (SQS would keep a message nobody
    reads for days, Pub/Sub would drop it, the runner too). A topic's subscriber's SQS queues are named after both
    (`<topic>-<function>-dead-letters`): names too long for SQS are refused."""
    for queue in app.queues:
        consumers = app.functions_of(MessageTrigger, queue)
        if len(consumers) > 1:
            names = ", ".join(f"{spec.name!r} ({spec.where})" for spec in consumers)
            raise AppDefinitionError(
                f"{consumers[-1].where}: queue {queue!r} has {len(consumers)} consumers: {names}; a queue hands "
                f"each message to one consumer. Keep one @{queue}.on_message, or declare a topic(...) instead: every "
                "subscriber of a topic gets every message"
            )
        if not consumers:
            senders = ", ".join(
                f"{spec.name!r} ({spec.where})" for spec in app.functions.values() if queue in spec.uses
            )
            raise AppDefinitionError(
                f"queue {queue!r} has no consumer, yet {senders} use it: nothing would ever read its messages "
                f"(SQS would keep them for days, Pub/Sub would drop them). Declare one with @{queue}.on_message, "
                "or stop sending to it"
            )
    from portable.limits import SQS_QUEUE_NAME_MAX_CHARS, TOPIC_SUBSCRIBER_NAMES_MAX_CHARS

    for topic in app.topics:
        for spec in app.functions_of(MessageTrigger, topic):
            if len(topic) + len(spec.name) > TOPIC_SUBSCRIBER_NAMES_MAX_CHARS:
                raise AppDefinitionError(
                    f"{spec.where} ({spec.name}): topic {topic!r} and its subscriber {spec.name!r} have "
                    f"{len(topic) + len(spec.name)} characters together; the subscriber's SQS queues are named after "
                    f"both, and SQS takes {SQS_QUEUE_NAME_MAX_CHARS} characters at most, so the two may take "
                    f"{TOPIC_SUBSCRIBER_NAMES_MAX_CHARS}: give the topic or the function a shorter name"
                )


def receivers(app: App, message: Message) -> list[MessageFunction]:
    """The consumer of the message's queue, or every subscriber of its topic."""
    return app.functions_of(MessageTrigger, message.source)


# Delivery --------------------------------------------------------------------


def traced(message: Message) -> tuple[Message, str | None]:
    """The message as its handler sees it, without the `traceparent` attribute its sender's call added; and that
    traceparent, which the call continues (portable.tracing)."""
    carried = message.attributes.get(TRACE_ATTRIBUTE)
    if carried is None:
        return message, None
    attributes = {name: value for name, value in message.attributes.items() if name != TRACE_ATTRIBUTE}
    return message._replace(attributes=attributes), carried


RULE = BatchRule(unreadable_fails=True, ordered=False, label="message", traced=traced)


def deliver(
    bound: Bound[MessageTrigger], records: Iterable[Decoded], ending: Ending | None = None, trace: TraceSource = None
) -> Settled:
    """One call per message; a failed or unreadable message fails alone, so the platform delivers it again (after
    `wait_after_failure`) until its attempts are spent and it is dead-lettered."""
    return deliver_records(bound, records, RULE, None, ending, trace)


def policy(spec: MessageFunction) -> MessagePolicy:
    return spec.trigger.policy


def retries_ended(bound: Bound[MessageTrigger], message: Message, attempted: bool) -> str | None:
    """Every platform counts a message's deliveries itself (SQS's receive count, Pub/Sub's delivery attempt)."""
    return None


def with_attempt(message: Message, attempt: int) -> Message:
    """The message as its delivery number `attempt` carries it: a message counts its deliveries."""
    return message._replace(attempt=attempt)


# Records ---------------------------------------------------------------------


def to_record(message: Message) -> dict[str, object]:
    """Every field of `message` as JSON values (body base64, time RFC 3339): what a dead letter carries."""
    import base64

    return {
        "id": message.id,
        "source": message.source,
        "body": base64.b64encode(message.body).decode("ascii"),
        "attributes": dict(message.attributes),
        "attempt": message.attempt,
        "publish_time": message.publish_time.isoformat(),
    }


def from_record(record: Mapping[str, Any]) -> Message:
    """The message `to_record` wrote; MalformedEvent names the field that is wrong."""
    import base64

    from portable.event_times import event_time
    from portable.events import text

    attributes = record.get("attributes")
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise MalformedEvent(f"attributes must map names to strings, not {attributes!r}")
    attempt = record.get("attempt")
    if not whole_number(attempt) or attempt < 1:
        raise MalformedEvent(f"attempt must be a whole number from 1, not {attempt!r}")
    try:
        body = base64.b64decode(text(record.get("body"), "body", empty=True), validate=True)
    except ValueError:  # binascii.Error, and text that is not ASCII
        raise MalformedEvent("body must be base64") from None
    return Message(
        id=text(record.get("id"), "id"),
        body=body,
        attributes=attributes,
        attempt=attempt,
        publish_time=event_time(record.get("publish_time"), "publish_time"),
        source=text(record.get("source"), "source"),
    )


# Samples ---------------------------------------------------------------------


def sample(spec: MessageFunction, hints: Mapping[str, str | None], clients: ClientFactory) -> tuple[Message, list[str]]:
    """A first delivery of a message with hints["body"] (default: an empty JSON object) from the trigger's queue or
    topic."""
    import uuid
    from datetime import UTC, datetime

    body = hints.get("body")
    message = Message(
        id=uuid.uuid4().hex,
        body=(body if body is not None else "{}").encode(),
        attributes={},
        attempt=1,
        publish_time=datetime.now(UTC),
        source=spec.trigger.source,
    )
    return message, []
