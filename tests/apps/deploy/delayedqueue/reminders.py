from portable import Message, Request, http, queue

reminders = queue("reminders", delays=True)


@http("POST /remind", writes=[reminders])
def remind(request: Request) -> dict[str, str]:
    return {"id": reminders.send(request.body, delay_seconds=600)}


@reminders.on_message
def ring(message: Message) -> None:
    print(message.text)
