from portable import Message, Request, http, queue, table

reminders = queue("reminders", delays=True)  # a queue whose messages may wait before their first delivery
sent_reminders = table("sent-reminders")


@http("POST /reminders", writes=[reminders])
def remind_later(request: Request) -> dict[str, str]:
    delay = int(request.query.get("in") or 0)  # seconds, 0 to 900
    return {"id": reminders.send(request.json(), delay_seconds=delay)}


@reminders.on_message(writes=[sent_reminders])
def send_reminder(message: Message) -> None:
    sent_reminders.put(message.id, {"text": message.json()["text"], "source": message.source})
