"""CloudEvents over HTTP, as Eventarc delivers them (binary or structured mode), both directions.

The object and table change codecs read and write their events in this envelope, and the message
codec reads an Eventarc Pub/Sub trigger's; the CloudEvents SDK loads on the first event, never at a
cold start of a function that takes none.
"""

from __future__ import annotations

from typing import Any

from portable.errors import MalformedEvent
from portable.events import text


def is_cloudevent(headers: Any) -> bool:
    """Whether a request carries a CloudEvent: binary mode's ce- headers, or structured mode's content type."""
    return "ce-type" in headers or (headers.get("content-type") or "").startswith("application/cloudevents")


def parse(headers: dict[str, str], body: bytes) -> Any:
    """The CloudEvent of a request, binary or structured; MalformedEvent whatever way the request is broken."""
    from cloudevents.exceptions import GenericException
    from cloudevents.http import from_http

    try:
        return from_http(headers, body)
    except (GenericException, ValueError, TypeError, AttributeError, KeyError, RecursionError) as exc:
        # The SDK raises what its JSON and attribute parsing raise (UnicodeDecodeError is a ValueError).
        reason = str(exc)[:200] if not isinstance(exc, RecursionError) else "the body is nested too deeply"
        raise MalformedEvent(f"not a CloudEvent: {type(exc).__name__}: {reason}") from None


def binary(attributes: dict[str, Any], data: Any) -> tuple[dict[str, str], bytes]:
    """The binary-mode request (headers, body) of a CloudEvent with `attributes` and JSON `data`."""
    from cloudevents.conversion import to_binary
    from cloudevents.http import CloudEvent

    headers, body = to_binary(CloudEvent(attributes, data))
    return dict(headers), body


def _malformed(reason: str) -> MalformedEvent:
    return MalformedEvent(f"the CloudEvent's {reason}")


def field(value: Any, what: str) -> str:
    """A non-empty text field of a CloudEvent; MalformedEvent naming `what` otherwise."""
    return text(value, what, _malformed)
