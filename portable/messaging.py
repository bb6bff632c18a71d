"""Queue and topic handles, declared by logical name in `functions/`.

    jobs = queue("jobs", delays=True)      # delays: send(..., delay_seconds=n); AWS and locally, not GCP
    jobs.send({"user": "ada"}, attributes={"kind": "welcome"}, delay_seconds=60)   # needs writes=[jobs]

    @jobs.on_message(batch_size=10, max_attempts=5)
    def work(message: Message) -> None: ...

A queue hands each message to its one consumer; a topic hands every message to each subscriber (how
messages are delivered is the `message` kind's: `portable.message_trigger`). Every message sent or published
follows the strictest of SQS's, SNS's and Pub/Sub's rules, checked here before anything leaves the function,
so that a message one cloud would refuse is refused everywhere with the same `TooLarge` or `InvalidValue`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping

from portable.app import caller_location, register_queue_delays
from portable.errors import AppDefinitionError, InvalidValue, TooLarge
from portable.events import whole_number
from portable.handles import Handle
from portable.limits import (
    MESSAGE_ATTRIBUTE_NAME_MAX_CHARS,
    MESSAGE_ATTRIBUTE_VALUE_MAX_BYTES,
    MESSAGE_ATTRIBUTES_MAX,
    MESSAGE_DELAY_MAX_SECONDS,
    MESSAGE_MAX_BYTES,
)
from portable.message_trigger import DEFAULT_ATTEMPTS, DEFAULT_BATCH_SIZE, register
from portable.runtime_typing import TYPE_CHECKING
from portable.tracing import TRACE_ATTRIBUTE, current_traceparent

if TYPE_CHECKING:
    from typing import Any, ClassVar, overload

    from typing_extensions import Unpack

    from portable.app import MessageSourceKind
    from portable.decorators import FunctionOptions, Handler

    Body = bytes | str | dict[str, Any] | list[Any]

# The attribute Portable adds to a body that travels base64-encoded (bytes SQS and SNS cannot carry as text).
ENCODING_ATTRIBUTE = "portable.encoding"
_RESERVED_PREFIXES = ("aws.", "amazon.", "goog", "portable")
# The patterns of what is sent are compiled on first use (re keeps them): a function that only receives messages
# never needs them, at its cold start included.
_ATTRIBUTE_NAME = r"[A-Za-z0-9_-](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?"
# What SQS accepts in a message body and a String attribute is XML 1.0's characters: tab, LF, CR, U+0020-U+D7FF,
# U+E000-U+FFFD and U+10000-U+10FFFF. Written as the characters outside them: the complement of those ranges takes re
# 6-9 ms to compile, this well under one.
_NOT_SQS_TEXT = "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"


class _MessageSource(Handle):
    kind: ClassVar[MessageSourceKind]
    delays = False

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
        return register(self.spec, self.kind, handler, batch_size, max_attempts, options)

    def _send(self, body: Body, attributes: Mapping[str, str] | None, delay_seconds: int) -> str:
        self._authorize("write")
        data, checked = check_message(self.name, body, attributes, delay_seconds, self.delays, current_traceparent())
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


def encode_body(resource: str, body: object) -> bytes:
    """The bytes of a body as send() and publish() take it: bytes, str (UTF-8) or a dict or list (JSON)."""
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8", "surrogatepass")
    if isinstance(body, (dict, list)):
        try:
            return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise InvalidValue(resource, f"the message body is not JSON-serialisable: {exc}") from None
    raise InvalidValue(
        resource,
        f"a message body is bytes, str, dict or list, got {type(body).__name__}; "
        "encode other values first, e.g. json.dumps(value)",
    )


def as_sqs_text(body: bytes) -> str | None:
    """The body as text SQS and SNS carry unchanged, or None if it must travel base64-encoded."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if re.search(_NOT_SQS_TEXT, text) else text


def wire_size(body: bytes, attributes: Mapping[str, str]) -> int:
    """The bytes a message takes on SQS: its body (base64 if it is not SQS text) and its attributes."""
    body_size = len(body) if as_sqs_text(body) is not None else 4 * ((len(body) + 2) // 3)
    return body_size + sum(len(name.encode()) + len(value.encode()) for name, value in attributes.items())


def check_message(
    resource: str,
    body: object,
    attributes: object,
    delay_seconds: object = 0,
    delays: bool = False,
    trace: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """(body bytes, attributes) if every cloud takes the message; TooLarge or InvalidValue saying what to change.

    A delay needs a queue declared with `delays` (which GCP's deploy refuses), so a send that works on one target
    works on all of them. `trace` (the sending call's traceparent) joins the attributes as `traceparent`, and
    counts within their size."""
    data = encode_body(resource, body)
    checked = check_attributes(resource, attributes)
    if trace is not None:
        checked[TRACE_ATTRIBUTE] = trace
    size = wire_size(data, checked)
    if size > MESSAGE_MAX_BYTES:
        binary = "" if as_sqs_text(data) is not None else " (a body that is not UTF-8 text counts base64-encoded)"
        raise TooLarge(
            resource,
            f"the message takes {size} bytes{binary}; the limit is {MESSAGE_MAX_BYTES} bytes "
            "(256 KiB, SQS and SNS) for body and attributes together: put the payload in a bucket "
            "and send its key",
        )
    if not whole_number(delay_seconds) or not 0 <= delay_seconds <= MESSAGE_DELAY_MAX_SECONDS:
        raise InvalidValue(
            resource,
            f"delay_seconds must be a whole number from 0 to {MESSAGE_DELAY_MAX_SECONDS} "
            f"(15 minutes, SQS's limit), got {delay_seconds!r}",
        )
    if delay_seconds and not delays:
        raise InvalidValue(
            resource,
            f"delay_seconds={delay_seconds} needs a queue declared with delays: "
            f"queue({resource!r}, delays=True), which deploys to AWS and runs locally but not on GCP "
            "(Pub/Sub has no delayed delivery); or send without delay_seconds",
        )
    return data, checked


def check_attributes(resource: str, attributes: object) -> dict[str, str]:
    """The attributes as a dict of str to str, if they follow SQS's, SNS's and Pub/Sub's rules."""
    if attributes is None:
        return {}
    if not isinstance(attributes, Mapping):
        raise InvalidValue(resource, f"attributes are a dict of str to str, got {type(attributes).__name__}")
    if len(attributes) > MESSAGE_ATTRIBUTES_MAX:
        raise InvalidValue(
            resource,
            f"a message has at most {MESSAGE_ATTRIBUTES_MAX} attributes (SQS carries 10, "
            f"two of them Portable's), got {len(attributes)}: put the rest in the body",
        )
    for name, value in attributes.items():
        if (
            not isinstance(name, str)
            or not re.fullmatch(_ATTRIBUTE_NAME, name)
            or ".." in name
            or len(name) > MESSAGE_ATTRIBUTE_NAME_MAX_CHARS
            or name.lower().startswith(_RESERVED_PREFIXES)
            or name.lower() == TRACE_ATTRIBUTE
        ):
            raise InvalidValue(
                resource,
                f"attribute name {name!r} is not valid: use 1 to "
                f"{MESSAGE_ATTRIBUTE_NAME_MAX_CHARS} letters, digits, '_', '-' and '.', without '..' "
                "or a '.' at either end, not starting with aws., amazon., goog or portable, and not traceparent "
                "(Portable sets it to carry the sender's trace)",
            )
        if not isinstance(value, str) or not value:
            raise InvalidValue(
                resource, f"attribute {name!r} must be a non-empty str (SQS refuses empty values), got {value!r}"
            )
        too_long = len(value.encode("utf-8", "surrogatepass")) > MESSAGE_ATTRIBUTE_VALUE_MAX_BYTES
        if too_long or re.search(_NOT_SQS_TEXT, value):
            raise InvalidValue(
                resource,
                f"attribute {name!r} must be at most {MESSAGE_ATTRIBUTE_VALUE_MAX_BYTES} "
                "bytes of text without control characters (Pub/Sub's and SQS's rules)",
            )
    return dict(attributes)
