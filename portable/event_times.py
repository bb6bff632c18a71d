"""Event times: the RFC 3339 texts events carry, read as aware UTC datetimes.

Apart from `events.py` because only event kinds need `datetime` (an HTTP function never loads it), and
imported at the top here, since a function-level import costs every event a microsecond or two.
"""

from __future__ import annotations

from datetime import UTC, datetime

from portable.errors import MalformedEvent

# The years an event's time may fall in: no cloud sends a time before 1970, and within these a handler can add or
# subtract a day or a year without leaving what a datetime holds.
EVENT_YEARS = (1970, 9998)


def event_time(text: object, field: str, *, naive_is_utc: bool = False) -> datetime:
    """An RFC 3339 time from an event, as an aware UTC datetime; MalformedEvent if it is not one.

    Times outside EVENT_YEARS are refused too (year 1 or 9999 would overflow a handler's `time - timedelta(days=1)`).
    """
    if not isinstance(text, str) or len(text) > 64:
        got = f"{text!r:.80}" if isinstance(text, str) else f"a {type(text).__name__}"
        raise MalformedEvent(f"{field} must be an RFC 3339 time such as 2026-11-28T02:00:00Z, got {got}")
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None and not naive_is_utc:
            raise MalformedEvent(f"{field} {text!r} has no UTC offset")
        if parsed.tzinfo is not UTC:  # a "Z" time parses to UTC: nothing to convert
            parsed = parsed.replace(tzinfo=parsed.tzinfo or UTC).astimezone(UTC)
    except (ValueError, OverflowError):
        raise MalformedEvent(f"{field} {text!r} is not an RFC 3339 time") from None
    if not EVENT_YEARS[0] <= parsed.year <= EVENT_YEARS[1]:
        raise MalformedEvent(
            f"{field} {text!r} is not a time an event can have (years {EVENT_YEARS[0]} to {EVENT_YEARS[1]})"
        )
    return parsed
