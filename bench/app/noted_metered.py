"""noted, recording one metric with one dimension per message: the cost of a record (an EMF line on AWS)."""

from portable import Message, metric, queue

metered_jottings = queue("metered-jottings")
notes = metric("notes_taken", unit="Count", dimensions=["kind"])


@metered_jottings.on_message
def noted_metered(message: Message) -> None:
    notes.record(1, kind="jotting")
