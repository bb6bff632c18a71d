"""Event times: the RFC 3339 texts events carry, read as aware UTC datetimes.

Apart from `events.py` because only event kinds need `datetime` (an HTTP function never loads it), and
imported at the top here, since a function-level import costs every event a microsecond or two.
"""

from __future__ import annotations

from datetime import UTC, datetime

from portable.errors import MalformedEvent


def event_time(text: object, field: str, *, naive_is_utc: bool = False) -> datetime:
    """An RFC 3339 time from an event, as an aware UTC datetime; MalformedEvent if it is not one.

    Times a UTC datetime cannot hold (year 1 with a negative offset, year 10000) are refused too.
    """
    if not isinstance(text, str) or len(text) > 64:
        got = f"{text!r:.80}" if isinstance(text, str) else f"a {type(text).__name__}"
        raise MalformedEvent(f"{field} must be an RFC 3339 time such as 2026-11-28T02:00:00Z, got {got}")
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is UTC:  # what a "Z" time parses to: nothing to convert
            return parsed
        if parsed.tzinfo is None and not naive_is_utc:
            raise MalformedEvent(f"{field} {text!r} has no UTC offset")
        return parsed.replace(tzinfo=parsed.tzinfo or UTC).astimezone(UTC)
    except (ValueError, OverflowError):
        raise MalformedEvent(f"{field} {text!r} is not an RFC 3339 time") from None
