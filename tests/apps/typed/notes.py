"""Typed routes validated with the standard library: dataclasses and a TypedDict, path and query parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Literal, NotRequired, TypedDict
from uuid import UUID

from portable import Request, http


class Color(Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class NoteIn:
    """A note as a client sends it."""

    title: str
    body: str = ""
    tags: list[str] = field(default_factory=list)
    color: Color | None = None
    due: datetime | None = None


@dataclass
class NoteOut:
    id: int
    title: str
    tags: list[str]


class NotesQuery(TypedDict):
    limit: NotRequired[int]
    order: NotRequired[Literal["new", "old"]]
    tag: NotRequired[list[str]]


@http("POST /notes", status=201)
def create_note(request: Request, body: NoteIn) -> NoteOut:
    return NoteOut(id=7, title=body.title, tags=body.tags)


@http("GET /notes")
def list_notes(query: NotesQuery) -> list[NoteOut]:
    tags = query.get("tag", [])
    return [NoteOut(id=index, title=query.get("order", "new"), tags=tags) for index in range(query.get("limit", 2))]


@http("GET /notes/{note_id}")
def get_note(note_id: int) -> NoteOut:
    return NoteOut(id=note_id, title="a note", tags=[])


@http("GET /owners/{owner}")
def get_owner(owner: UUID) -> dict[str, str]:
    return {"owner": str(owner)}


@http("GET /broken")
def broken() -> NoteOut:
    return {"id": "not a number", "title": "x"}  # type: ignore[return-value]
