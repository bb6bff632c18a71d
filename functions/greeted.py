"""The fan-out pattern: hello publishes each greeting to the `greeted` topic, and two subscribers act on it.

`count_greeting` keeps a running count per name in the `name-counts` table; `queue_welcome` queues a
welcome job on the `welcomes` queue, which `write_welcome` works off. Messages arrive at least once:
the two subscribers are declared idempotent, so a repeat delivery of a message is acknowledged without
running them again (no second count, no second job); a welcome note is written under the name, the same
on every repeat.
"""

from portable import Message, queue, table, topic

greeted = topic("greeted")
name_counts = table("name-counts")
welcomes = queue("welcomes")
welcome_notes = table("welcome-notes")


@greeted.on_message(idempotent=True, writes=[name_counts])
def count_greeting(message: Message) -> None:
    name_counts.increment(message.json()["name"], "count")


@greeted.on_message(idempotent=True, writes=[welcomes])
def queue_welcome(message: Message) -> None:
    welcomes.send({"name": message.json()["name"]}, attributes={"greeting": message.id})


@welcomes.on_message(batch_size=10, max_attempts=5, writes=[welcome_notes])
def write_welcome(message: Message) -> None:
    name = message.json()["name"]
    welcome_notes.put(name, {"text": f"Welcome, {name}!", "greeting": message.attributes.get("greeting")})
