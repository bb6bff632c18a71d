import json
from datetime import UTC, datetime, timedelta

from portable import ObjectEvent, Request, ScheduleEvent, bucket, http, schedule, table

greetings = table("greetings")
uploads = bucket("uploads")
shouted = bucket("shouted")
reports = bucket("reports")


@http("POST /hello", writes=[greetings])
def hello(request: Request) -> dict[str, str]:
    name = request.json()["name"]
    greetings.put(f"{datetime.now(UTC):%Y-%m-%d}/{request.request_id}", {"name": name})
    return {"message": f"Hello, {name}!"}


@uploads.on_created(suffix=".txt", writes=[shouted])
def shout(event: ObjectEvent) -> None:
    text = uploads.get(event.key)
    if not text.strip():
        raise ValueError(f"{event.key} is empty")
    shouted.put(event.key, text.upper())


@schedule("0 2 * * *", reads=[greetings], writes=[reports])
def nightly_report(event: ScheduleEvent) -> None:
    day = (event.time - timedelta(days=1)).date().isoformat()
    names = [item.value["name"] for item in greetings.query(f"{day}/")]
    reports.put(f"greetings/{day}.json", json.dumps(names).encode())
