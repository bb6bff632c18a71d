"""The portable message, the rules every sent or published message follows, and how often one is tried.

A message handler receives one `Message` per call, the same on every target. The rules are the
strictest of SQS, SNS and Pub/Sub, checked before anything leaves the function, so a message that
one cloud would refuse is refused everywhere with the same `TooLarge` or `InvalidValue`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from portable.errors import AppDefinitionError, InvalidValue, TooLarge
from portable.limits import (
    MESSAGE_ATTRIBUTE_NAME_MAX_CHARS,
    MESSAGE_ATTRIBUTE_VALUE_MAX_BYTES,
    MESSAGE_ATTRIBUTES_MAX,
    MESSAGE_DELAY_MAX_SECONDS,
    MESSAGE_MAX_BYTES,
)
from portable.runtime_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any, TypeGuard

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
# The attribute Portable adds to a body that travels base64-encoded (bytes SQS and SNS cannot carry as text).
ENCODING_ATTRIBUTE = "portable.encoding"
_RESERVED_PREFIXES = ("aws.", "amazon.", "goog", "portable")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_-](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
# What SQS accepts in a message body and a String attribute: XML 1.0's characters.
_NOT_SQS_TEXT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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
    """How often a message is delivered before it is dead-lettered, and the backoff between deliveries."""

    attempts: int = DEFAULT_ATTEMPTS

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
        return (now - publish_time).total_seconds() > RETENTION_SECONDS


def check_options(where: str, batch_size: object, max_attempts: object) -> tuple[int, int]:
    """(batch_size, max_attempts) if every cloud can run them; otherwise AppDefinitionError naming the fix."""
    if not _whole(batch_size) or not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise AppDefinitionError(
            f"{where}: batch_size={batch_size!r} cannot run on AWS, where Lambda takes 1 to {MAX_BATCH_SIZE} "
            "messages per call without a batching window; use a whole number in that range"
        )
    if not _whole(max_attempts) or not MIN_ATTEMPTS <= max_attempts <= MAX_ATTEMPTS:
        raise AppDefinitionError(
            f"{where}: max_attempts={max_attempts!r} cannot run on GCP, where Pub/Sub dead-letters after "
            f"{MIN_ATTEMPTS} to {MAX_ATTEMPTS} delivery attempts; use a whole number in that range"
        )
    return batch_size, max_attempts


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


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
    return None if _NOT_SQS_TEXT.search(text) else text


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
) -> tuple[bytes, dict[str, str]]:
    """(body bytes, attributes) if every cloud takes the message; TooLarge or InvalidValue saying what to change.

    A delay needs a queue declared with `delays` (which GCP's deploy refuses), so a send that works on one target
    works on all of them."""
    data = encode_body(resource, body)
    checked = check_attributes(resource, attributes)
    size = wire_size(data, checked)
    if size > MESSAGE_MAX_BYTES:
        binary = "" if as_sqs_text(data) is not None else " (a body that is not UTF-8 text counts base64-encoded)"
        raise TooLarge(
            resource,
            f"the message takes {size} bytes{binary}; the limit is {MESSAGE_MAX_BYTES} bytes "
            "(256 KiB, SQS and SNS) for body and attributes together: put the payload in a bucket "
            "and send its key",
        )
    if not _whole(delay_seconds) or not 0 <= delay_seconds <= MESSAGE_DELAY_MAX_SECONDS:
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
            f"one of them Portable's), got {len(attributes)}: put the rest in the body",
        )
    for name, value in attributes.items():
        if (
            not isinstance(name, str)
            or not _ATTRIBUTE_NAME.fullmatch(name)
            or ".." in name
            or len(name) > MESSAGE_ATTRIBUTE_NAME_MAX_CHARS
            or name.lower().startswith(_RESERVED_PREFIXES)
        ):
            raise InvalidValue(
                resource,
                f"attribute name {name!r} is not valid: use 1 to "
                f"{MESSAGE_ATTRIBUTE_NAME_MAX_CHARS} letters, digits, '_', '-' and '.', without '..' "
                "or a '.' at either end, not starting with aws., amazon., goog or portable",
            )
        if not isinstance(value, str) or not value:
            raise InvalidValue(
                resource, f"attribute {name!r} must be a non-empty str (SQS refuses empty values), got {value!r}"
            )
        too_long = len(value.encode("utf-8", "surrogatepass")) > MESSAGE_ATTRIBUTE_VALUE_MAX_BYTES
        if too_long or _NOT_SQS_TEXT.search(value):
            raise InvalidValue(
                resource,
                f"attribute {name!r} must be at most {MESSAGE_ATTRIBUTE_VALUE_MAX_BYTES} "
                "bytes of text without control characters (Pub/Sub's and SQS's rules)",
            )
    return dict(attributes)


def message_record(message: Message) -> dict[str, object]:
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
