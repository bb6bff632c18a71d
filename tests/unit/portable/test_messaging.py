"""The queue and topic handles (portable/messaging.py): a delay needs a queue declared with delays, and a function
sends and publishes only what it declared."""

from __future__ import annotations

from pathlib import Path

import pytest

from portable import AccessNotDeclared, AppDefinitionError, InvalidValue
from portable.context import using_clients
from providers.binding import client_factory
from tests.support.packages import make_package


class Recorded:
    """A queue client that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes, int]] = []

    def send(self, body: bytes, attributes: dict[str, str], delay_seconds: int) -> str:
        self.sent.append((body, delay_seconds))
        return f"m-{len(self.sent)}"


def test_send_holds_a_message_back_only_on_a_queue_declared_with_delays() -> None:
    from portable.messaging import Queue

    client = Recorded()
    with using_clients(lambda spec: client):
        assert Queue("later", delays=True).send(b"a", delay_seconds=900) == "m-1"
        with pytest.raises(InvalidValue, match=r"queue\('soon', delays=True\)"):
            Queue("soon").send(b"b", delay_seconds=1)
        assert Queue("soon").send(b"c") == "m-2"
    assert client.sent == [(b"a", 900), (b"c", 0)], "a refused send reaches no client"
    with pytest.raises(AppDefinitionError, match="queue 'later' takes delays=True or delays=False, got 'yes'"):
        Queue("later", delays="yes")  # type: ignore[arg-type]


def test_send_and_publish_need_the_declaration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from portable.app import load_function
    from portable.context import Invocation, current_invocation, setting
    from portable.messaging import Queue, Topic

    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    source = """
        from portable import queue, topic
        jobs = queue("jobs")
        orders = topic("orders")

        @orders.on_message(writes=[jobs])
        def bill(message): ...
    """
    spec, _ = load_function("bill", f"{make_package(tmp_path, shop=source)}.shop")
    with setting(current_invocation, Invocation(spec, client_factory("local"))):
        assert Queue("jobs").send(b"declared")
        with pytest.raises(
            AccessNotDeclared,
            match="function 'bill' writes topic 'orders' without declaring it; add writes=\\[topic\\('orders'\\)\\]",
        ):
            Topic("orders").publish(b"not declared")
    with using_clients(client_factory("local")):
        assert Topic("orders").publish(b"a script is not held to declarations")


def _xml_character(code: int) -> bool:
    """XML 1.0's Char production: what SQS carries in a body or a String attribute."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def test_a_body_travels_as_text_exactly_when_every_character_is_one_sqs_carries() -> None:
    """The rule is written as the characters outside XML 1.0's (quick to compile on a cold start): checked against
    XML's own definition on every code point of the Basic Multilingual Plane and the edges of the planes above."""
    from portable.messaging import as_sqs_text

    codes = [*range(0x10000), 0x10000, 0x10001, 0x1F600, 0xFFFFF, 0x10FFFE, 0x10FFFF]
    for code in codes:
        body = f"a{chr(code)}b".encode("utf-8", "surrogatepass")
        expected = f"a{chr(code)}b" if _xml_character(code) else None
        assert as_sqs_text(body) == expected, hex(code)
