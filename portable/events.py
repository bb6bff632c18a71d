"""What every kind's codecs read fields with: one text check, sizes (event times: `event_times.py`).

Each kind's portable event lives in its own module (`ObjectEvent` in `portable.object_trigger`,
`ScheduleEvent` in `portable.schedule_trigger`, ...); the helpers here are the ones their codecs share,
so that a field is refused in the same words whichever wire format carried it.
"""

from __future__ import annotations

from portable.errors import MalformedEvent
from portable.runtime_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeGuard

# A portable event made from all its fields, in order, as the tuple it is: what a codec builds on every event, without
# the Python-level __new__ of a NamedTuple (which takes a third of a microsecond to bind its arguments by name).
built = tuple.__new__


def text(value: object, field: str, fault: Callable[[str], Exception] = MalformedEvent, *, empty: bool = False) -> str:
    """`value` if it is Unicode text (and not empty, unless `empty`); else `fault(reason)`, the reason naming `field`.

    Nearly every field is ASCII: one type test and one `isascii` settle it.
    """
    if type(value) is str and value.isascii() and (value or empty):
        return value
    if value is None:
        raise fault(f"{field} is missing")
    if not isinstance(value, str):
        raise fault(f"{field} must be a string, got {type(value).__name__}")
    if not value:
        raise fault(f"{field} must not be empty")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise fault(f"{field} must be valid Unicode text") from None
    return value


def object_size(value: object) -> int | None:
    """An object's size as events carry it (a number, or digits in a string); None if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:  # not '²': int() refuses
        return int(value)
    return None


def optional_text(value: object) -> str | None:
    """A non-empty string field of an event, else None."""
    return value if isinstance(value, str) and value else None


def whole_number(value: object) -> TypeGuard[int]:
    """Whether `value` is an int and not a bool (what attempts, sizes and counts must be)."""
    return isinstance(value, int) and not isinstance(value, bool)
