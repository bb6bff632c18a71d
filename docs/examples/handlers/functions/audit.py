from portable import ObjectEvent, bucket, log

inbox = bucket("inbox")


@inbox.on_created()
def audit(event: ObjectEvent) -> None:
    log.info("object received", key=event.key, bytes=event.size)  # also log.warning and log.error
