"""PUT a note: it is stored in `notes` and dropped as text into `drafts`; the text is copied upper-case to
`published`, and each publication is recorded in `audit` (removed again when the publication is deleted)."""

from portable import HttpError, ObjectEvent, Request, Response, ScheduleEvent, bucket, http, schedule, table

drafts = bucket("drafts")
published = bucket("published")
notes = table("notes")
audit = table("audit")


@http("PUT /notes/{id}", writes=[notes, drafts])
def put_note(request: Request) -> dict[str, str]:
    note_id = request.path_params["id"]
    text = request.json()["text"]
    notes.put(note_id, {"text": text})
    drafts.put(f"notes/{note_id}.txt", text.encode())
    return {"id": note_id}


@http("GET /notes/{id}", reads=[notes])
def get_note(request: Request) -> Response:
    note = notes.get(request.path_params["id"])
    if note is None:
        raise HttpError(404, "no such note")
    return Response(
        note["text"].encode(), headers=[("X-Note", request.path_params["id"])], content_type="application/octet-stream"
    ).set_cookie("seen", "1")


@http("POST /sneak")
def sneak(request: Request) -> None:
    audit.put("sneaked", {"by": "sneak"})


@drafts.on_created(prefix="notes/", suffix=".txt", writes=[published])
def publish(event: ObjectEvent) -> None:
    text = drafts.get(event.key)
    if text.startswith(b"fail"):
        raise RuntimeError("this draft cannot be published")
    published.put(event.key, text.upper())


@published.on_created(writes=[audit])
def record(event: ObjectEvent) -> None:
    audit.put(event.key, {"size": event.size})


@published.on_deleted(writes=[audit])
def forget(event: ObjectEvent) -> None:
    audit.delete(event.key)


@schedule("0 3 * * *", writes=[audit])
def nightly(event: ScheduleEvent) -> None:
    audit.put(f"nightly/{event.time:%Y-%m-%d}", {"id": event.id})


@http("GET /whoami")
def whoami(request: Request) -> dict[str, dict[str, str]]:
    return {"cookies": dict(request.cookies)}


@http("POST /drafts/{id}/upload", writes=[drafts])
def upload_url(request: Request) -> dict[str, str]:
    """A URL the browser uploads the draft's text to, straight into the bucket."""
    key = f"notes/{request.path_params['id']}.txt"
    return {"url": drafts.signed_url(key, method="PUT", expires_in=300, content_type="text/plain")}
