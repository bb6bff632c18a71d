"""The fan-out pattern: hello publishes each greeting to the `greeted` topic, and two subscribers act on it.

`count_greeting` keeps a running count per name in the `name-counts` table; `queue_welcome` queues a
welcome job on the `welcomes` queue, which `write_welcome` works off. Messages arrive at least once,
so each handler makes a repeat harmless: the count remembers the message ids it has counted, and a
welcome note is written under the name, the same on every repeat.
"""

from portable import Conflict, Message, queue, table, topic

greeted = topic("greeted")
name_counts = table("name-counts")
welcomes = queue("welcomes")
welcome_notes = table("welcome-notes")
REMEMBERED_IDS = 100


@greeted.on_message(writes=[name_counts])
def count_greeting(message: Message) -> None:
    name = message.json()["name"]
    item = name_counts.get_item(name)
    counted = item.value if item else {"count": 0, "message_ids": []}
    if message.id in counted["message_ids"]:
        return  # a repeat delivery: counted already
    updated = {"count": counted["count"] + 1, "message_ids": [*counted["message_ids"], message.id][-REMEMBERED_IDS:]}
    try:
        name_counts.put(name, updated, if_absent=item is None, if_version=item.version if item else None)
    except Conflict:
        raise RuntimeError(f"the count of {name!r} changed meanwhile; the message is delivered again") from None


@greeted.on_message(writes=[welcomes])
def queue_welcome(message: Message) -> None:
    welcomes.send({"name": message.json()["name"]}, attributes={"greeting": message.id})


@welcomes.on_message(batch_size=10, max_attempts=5, writes=[welcome_notes])
def write_welcome(message: Message) -> None:
    name = message.json()["name"]
    welcome_notes.put(name, {"text": f"Welcome, {name}!", "greeting": message.attributes.get("greeting")})
