"""noted, declared idempotent: the cost of the claim and the completion in the store (locally SQLite; on AWS each
is a DynamoDB request)."""

from portable import Message, queue

once_jottings = queue("once-jottings")


@once_jottings.on_message(idempotent=True)
def noted_once(message: Message) -> None:
    del message
