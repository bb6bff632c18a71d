"""One user's request, the message it publishes and the job that message queues: each logs one line with the trace
id `portable.trace_id()` gives it, so that a test can find the three together."""

from portable import Message, Request, http, log, queue, topic, trace_id

signups = topic("traced-signups")
welcome_jobs = queue("traced-welcome-jobs")


@http("POST /signups", writes=[signups])
def sign_up(request: Request) -> dict[str, str | None]:
    log.info("signed up", seen=trace_id())
    signups.publish({"user": request.json()["user"]}, attributes={"plan": "free"})
    return {"trace": trace_id()}


@signups.on_message(writes=[welcome_jobs])
def queue_welcome(message: Message) -> None:
    log.info("welcome queued", seen=trace_id(), attributes=dict(message.attributes))
    welcome_jobs.send(message.body)


@welcome_jobs.on_message
def send_welcome(message: Message) -> None:
    log.info("welcome sent", seen=trace_id(), attributes=dict(message.attributes))
