from dataclasses import dataclass

from portable import HttpError, Request, Response, http, table

notes = table("notes")


@dataclass
class NoteIn:
    text: str


@dataclass
class Saved:
    id: str


@http("PUT /notes/{note_id}", writes=[notes])
def put_note(note_id: str, body: NoteIn) -> Saved:  # a body that is no {"text": "..."} answers 422 by itself
    notes.put(note_id, {"text": body.text})
    return Saved(id=note_id)  # checked against Saved, then 200, application/json


@http("GET /notes/{note_id}", reads=[notes])
def get_note(request: Request, note_id: str) -> Response:
    note = notes.get(note_id)
    if note is None:
        raise HttpError(404, "no such note")  # 404 with {"error": "no such note", "status": 404, "request_id": ...}
    reply = Response(note["text"], headers={"Cache-Control": "no-store"})  # a str body: text/plain
    return reply.set_cookie("last_note", note_id, max_age=3600)


@http("DELETE /notes/{note_id}", writes=[notes])
def delete_note(note_id: str) -> None:
    notes.delete(note_id)  # None: 204, no body


@http("GET /echo")
def echo(request: Request) -> dict[str, object]:
    return {
        "tags": request.query.get_all("tag"),  # ?tag=a&tag=b: every value, in order
        "first_tag": request.query.get("tag"),  # the first one
        "accept": request.headers.get("Accept"),  # header names are case-insensitive
        "session": request.cookies.get("session"),
        "client_ip": request.client_ip,
        "request_id": request.request_id,
    }


@http("GET /files/{path+}")  # a greedy parameter: the rest of the path, slashes included
def read_file(request: Request) -> bytes:
    return request.path_params["path"].encode()  # bytes: 200, application/octet-stream
