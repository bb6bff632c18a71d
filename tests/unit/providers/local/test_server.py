"""One serving process (providers/local/server.py): the calls in flight."""

from __future__ import annotations

import pytest

from providers.local.server import InFlight


def test_in_flight_counts_each_exchange_until_it_ends_however_it_ends() -> None:
    counted = InFlight()
    with counted.counted():
        assert not counted.wait_idle(0.01), "still being answered"
    assert counted.wait_idle(0.01)
    with pytest.raises(ConnectionResetError), counted.counted():
        raise ConnectionResetError("the client went away")
    assert counted.wait_idle(0.01)
