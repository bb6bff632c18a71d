from portable import Message, Request, http, log, queue, topic, trace_id

signups = topic("signups")
welcome_jobs = queue("welcome-jobs")


@http("POST /signups", writes=[signups])
def sign_up(request: Request) -> dict[str, str | None]:
    log.info("signed up")  # the line names the call's trace
    signups.publish({"user": request.json()["user"]})  # the message carries it on
    return {"trace": trace_id()}


@signups.on_message(writes=[welcome_jobs])
def queue_welcome(message: Message) -> None:
    log.info("welcome queued")  # the same trace as the request's
    welcome_jobs.send(message.body)


@welcome_jobs.on_message
def send_welcome(message: Message) -> None:
    log.info("welcome sent", user=message.json()["user"])  # and again
