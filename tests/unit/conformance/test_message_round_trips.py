"""Both directions of every message format: what the encoders of SQS and Pub/Sub make, each shim decodes into the
same portable message."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from portable.message_trigger import Message
from tests.support.recording import assert_recorded, recording
from tests.support.targets import b64, gcp_test_clients, invoke_aws

MODULE = "tests.apps.conformance.mail"


@pytest.fixture(scope="module")
def gcp_clients() -> dict[str, Any]:
    return gcp_test_clients(("read_letter", "read_news"), MODULE)


ROUND_TRIP = [
    Message(
        "id-1", b"plain text", {"kind": "welcome"}, 3, datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), "letters"
    ),
    Message("id-2", bytes(range(256)), {}, 1, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "news"),
]


@pytest.mark.parametrize("message", ROUND_TRIP, ids=["text", "binary"])
def test_every_encoder_round_trips_through_its_shim(
    message: Message, gcp_clients: dict[str, Any], tmp_path: Path
) -> None:
    from portable.message_trigger import MessageTrigger
    from providers.aws import message_codec as aws_codec
    from providers.gcp import message_codec as gcp_codec
    from tests.support.codecs import bound

    trigger = MessageTrigger(message.source, "queue" if message.source == "letters" else "topic", 10, 5)
    function = "read_letter" if trigger.kind == "queue" else "read_news"
    expected = {
        "id": message.id,
        "body": b64(message.body),
        "attributes": dict(message.attributes),
        "attempt": message.attempt,
        "publish_time": message.publish_time.isoformat(),
        "source": message.source,
    }
    with recording(tmp_path) as seen:
        spec = bound(trigger, function).spec
        invoke_aws(aws_codec.encode(message, spec), function, MODULE)
        _, _, headers, body = gcp_codec.encode(message, spec)
        gcp_clients[function].post("/", headers=headers, data=body)
    assert_recorded(seen, [expected, expected])
