from portable import ObjectEvent, Request, ScheduleEvent, bucket, http, log, schedule, table

memos = bucket("memos")  # an S3 bucket, a Cloud Storage bucket, or a local folder
sizes = table("memo-sizes")  # a DynamoDB table, a Firestore collection, or a local file


@http("PUT /memos/{name}", writes=[memos])
def save_memo(request: Request, name: str) -> dict[str, str]:  # name: the route's {name}
    memos.put(name, request.body, content_type="text/plain")
    return {"saved": name}


@memos.on_created(writes=[sizes])
def record_size(event: ObjectEvent) -> None:
    sizes.put(event.key, {"bytes": event.size})


@schedule("0 3 * * *", timezone="Europe/Berlin", reads=[sizes])
def nightly_total(event: ScheduleEvent) -> None:
    log.info("memos total", bytes=sum(item.value["bytes"] for item in sizes.query()))
