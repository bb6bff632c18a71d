"""The portable errors (portable/errors.py)."""

from __future__ import annotations

import pytest

from portable import HttpError


@pytest.mark.parametrize("status", [200, 302, 600])
def test_http_error_needs_an_error_status(status: int) -> None:
    with pytest.raises(ValueError, match="4xx or 5xx"):
        HttpError(status, "x")
