from dataclasses import asdict, dataclass, field
from typing import Literal, NotRequired, TypedDict

from portable import HttpError, http, table

notes = table("notes")


@dataclass
class NoteIn:
    """A note as a client sends it."""

    title: str
    text: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class Note:
    id: int
    title: str
    text: str
    tags: list[str]


class NotesQuery(TypedDict):
    limit: NotRequired[int]  # ?limit=10: converted to an int, or a 422
    tag: NotRequired[list[str]]  # ?tag=a&tag=b: a list field takes every value
    order: NotRequired[Literal["id", "title"]]


@http("PUT /notes/{note_id}", writes=[notes])
def put_note(note_id: int, body: NoteIn) -> Note:  # the path parameter and the JSON body, checked
    """Save a note under its number."""
    note = Note(id=note_id, title=body.title, text=body.text, tags=body.tags)
    notes.put(str(note_id), asdict(note))
    return note  # checked against Note, then sent as JSON


@http("GET /notes/{note_id}", reads=[notes])
def get_note(note_id: int) -> Note:
    """One note."""
    found = notes.get(str(note_id))
    if found is None:
        raise HttpError(404, "no such note")
    return Note(**found)


@http("GET /notes", reads=[notes])
def list_notes(query: NotesQuery) -> list[Note]:
    """The notes, those with every tag asked for, in the order asked for."""
    wanted = set(query.get("tag", []))
    found = [Note(**item.value) for item in notes.query() if wanted <= set(item.value["tags"])]
    found.sort(key=lambda note: note.title if query.get("order") == "title" else note.id)
    return found[: query.get("limit", 20)]
