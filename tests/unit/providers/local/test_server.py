"""One serving process (providers/local/server.py): the calls in flight."""

from __future__ import annotations

from collections.abc import Iterator

from providers.local.server import InFlight


def test_in_flight_counts_requests_until_their_bodies_are_sent() -> None:
    def slow_body(environ: object, start_response: object) -> Iterator[bytes]:
        yield b"part"

    counted = InFlight(slow_body)
    body = counted({}, lambda *args: None)
    assert not counted.wait_idle(0.01), "answered, not yet sent"
    assert list(body) == [b"part"]
    body.close()  # type: ignore[attr-defined]
    assert counted.wait_idle(0.01)
