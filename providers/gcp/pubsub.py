"""Queues and topics on Pub/Sub: both publish to a topic (a queue is a topic with one subscription)."""

from __future__ import annotations

from portable.errors import InvalidValue
from providers.gcp.gcp_errors import translated
from providers.gcp.sdk import publisher_client, topic_path


class PubSubTopic:
    """`physical` is the topic's id or its full path (projects/<project>/topics/<id>)."""

    def __init__(self, logical: str, physical: str) -> None:
        self.logical = logical
        self.physical = physical

    def send(self, body: bytes, attributes: dict[str, str], delay_seconds: int) -> str:
        if delay_seconds:
            raise InvalidValue(
                self.logical,
                "delay_seconds is not available on GCP: Pub/Sub has no delayed "
                "delivery (the GCP deploy refuses a queue declared with delays=True). Drop "
                "delays=True and send without a delay, or keep this app on AWS",
            )
        with translated(self.logical, "publish", f"no topic {self.physical!r}"):
            future = publisher_client().publish(topic_path(self.physical), body, **attributes)
            message_id: str = future.result(timeout=60)
        return message_id
