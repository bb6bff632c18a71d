"""A message function, for the per-call and cold-start benchmarks: it takes each jotting from its queue."""

from portable import Message, queue

jottings = queue("jottings")


@jottings.on_message
def noted(message: Message) -> None:
    del message
