"""A message function, for the per-call and cold-start benchmarks: it takes each memo from its queue."""

from portable import Message, queue

memos = queue("memos")


@memos.on_message
def noted(message: Message) -> None:
    del message
