"""Reading events' fields (portable/events.py): sizes in ASCII digits."""

from __future__ import annotations

import pytest

from portable.events import object_size


@pytest.mark.parametrize(
    ("value", "expected"), [(5, 5), ("42", 42), ("²", None), ("٣", None), (-1, None), (True, None)]
)
def test_object_sizes_are_ascii_digits_or_none(value: object, expected: int | None) -> None:
    assert object_size(value) == expected
