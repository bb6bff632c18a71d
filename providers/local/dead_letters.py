"""Dead letters: events that failed their last attempt, kept as files to read, fix and replay.

`<state dir>/dead-letters/<function>/<id>.json` holds the portable event, the attempts
made, the last error and, when a handler raised, its exception (type, message and
traceback), as the clouds' dead-letter queues and failure destinations do. Replaying one
queues its event again, with the same event id; a message's body may be edited on the way (a kind whose
local codec has `edited`). What a person reads of the event (`view`) comes from its kind's local codec too.
`portable dead-letters`, the dashboard and `/__portable/dead-letters` all act through here.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from portable import log
from portable.errors import InvalidValue, NotFound
from providers.local import events
from providers.local.events import LocalEvent

if TYPE_CHECKING:
    from providers.local.delivery_queue import DeliveryQueue

RESOURCE = "dead letters"
_ID = re.compile(r"[0-9a-f]{32}")
_EXCEPTION_FIELDS = ("type", "message", "traceback")


class DeadLetter(NamedTuple):
    """One event one function could not handle; `id` is its delivery's id. `exception` is the handler's (type,
    message, traceback) when it raised, None when the attempt failed otherwise."""

    id: str
    function: str
    event: LocalEvent
    attempts: int
    error: str
    queued: datetime
    dead_lettered: datetime
    exception: dict[str, str] | None = None

    @property
    def name(self) -> str:
        """`<function>/<id>`: how commands and URLs name the letter."""
        return f"{self.function}/{self.id}"

    def record(self) -> dict[str, Any]:
        """The letter as JSON values, as its file holds it."""
        return {
            "id": self.id,
            "function": self.function,
            "attempts": self.attempts,
            "error": self.error,
            "exception": self.exception,
            "queued": self.queued.isoformat(),
            "dead_lettered": self.dead_lettered.isoformat(),
            "event": events.to_record(self.event),
        }

    @property
    def about(self) -> str:
        """The event in a few words, in its kind's (`message <id> from <queue>`, `object created uploads/a.jpg`)."""
        kind = events.kind_of_event(self.event)
        return f"{kind} {events.codec(kind).subject(self.event)}"

    def view(self) -> dict[str, Any]:
        """The record, plus what the event is about (`about`, its kind's words), whether its body can be edited
        before a replay (`editable`), and its kind's views of it (a message's `body_text` and `body_json`)."""
        codec = events.codec(events.kind_of_event(self.event))
        shown = self.record()
        shown["about"] = self.about
        shown["editable"] = hasattr(codec, "edited")
        views = getattr(codec, "views", None)
        if views is not None:
            shown.update(views(self.event))
        return shown


class DeadLetters:
    """The dead letters under `root`."""

    def __init__(self, root: Path) -> None:
        self.directory = root / "dead-letters"

    def write(self, letter: DeadLetter) -> None:
        path = self._path(letter.function, letter.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(letter.record(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(partial, path)  # a reader never sees half a letter

    def all(self, function: str | None = None) -> list[DeadLetter]:
        """Every letter (of `function`, if given), oldest first; a file that is not a letter is logged and skipped."""
        letters = []
        for path in sorted(self.directory.glob(f"{function or '*'}/*.json")):
            try:
                letters.append(_letter(path))
            except (OSError, ValueError) as exc:
                log.warning("not a dead letter, skipped", path=str(path), error=str(exc))
        return sorted(letters, key=lambda letter: letter.dead_lettered)

    def read(self, function: str, letter_id: str) -> DeadLetter:
        """The letter; NotFound if there is none, ValueError if its file was edited into something else."""
        path = self._path(function, letter_id)
        if not path.is_file():
            raise NotFound(RESOURCE, f"no dead letter {function}/{letter_id}; `portable dead-letters list` lists them")
        return _letter(path)

    def remove(self, function: str, letter_id: str) -> None:
        self._path(function, letter_id).unlink(missing_ok=True)

    def discard(self, function: str, letter_id: str) -> DeadLetter:
        """Delete the letter for good; NotFound if there is none."""
        letter = self.read(function, letter_id)
        self.remove(function, letter_id)
        log.info("dead letter discarded", function=function, event_id=letter.event.id, letter=letter.name)
        return letter

    def replay(self, function: str, letter_id: str, queue: DeliveryQueue, body: bytes | None = None) -> DeadLetter:
        """Queue the letter's event again for its function (same event id, attempts anew) and remove the letter;
        with `body`, a message goes with that body in place of its own (InvalidValue for another event, or for a
        body no cloud would carry). Returns the letter as replayed."""
        letter = self.read(function, letter_id)
        if body is not None:
            letter = letter._replace(event=edited(letter, body))
        queue.add([(function, letter.event)])
        self.remove(function, letter_id)
        log.info("dead letter replayed", function=function, event_id=letter.event.id, letter=letter.name)
        return letter

    def _path(self, function: str, letter_id: str) -> Path:
        if not _ID.fullmatch(letter_id) or function in ("", ".", "..") or "/" in function:
            raise NotFound(RESOURCE, f"{function}/{letter_id} is not a dead letter's name (<function>/<32 hex digits>)")
        return self.directory / function / f"{letter_id}.json"


def edited(letter: DeadLetter, body: bytes) -> LocalEvent:
    """The letter's event with `body` in place of its own, as its kind's local codec edits it (a message's, checked
    as a send would check it); InvalidValue for a kind whose events have no body to edit."""
    kind = events.kind_of_event(letter.event)
    edit = getattr(events.codec(kind), "edited", None)
    if edit is None:
        raise InvalidValue(
            letter.name,
            f"only a message's body can be edited, and this letter holds {'an' if kind[0] in 'aeiou' else 'a'} {kind} "
            "event: replay it as it was",
        )
    return edit(letter.event, body)


def _letter(path: Path) -> DeadLetter:
    record = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(record, dict):
        raise ValueError("a dead letter is a JSON object")
    attempts = record.get("attempts")
    if not isinstance(attempts, int) or isinstance(attempts, bool):
        raise ValueError(f"attempts must be a whole number, not {attempts!r}")
    exception = record.get("exception")
    if exception is not None and not (
        isinstance(exception, dict) and all(isinstance(exception.get(field), str) for field in _EXCEPTION_FIELDS)
    ):
        raise ValueError(f"exception must be null or hold {', '.join(_EXCEPTION_FIELDS)} as strings")
    return DeadLetter(
        id=path.stem,
        function=path.parent.name,
        event=events.from_record(record.get("event")),
        attempts=attempts,
        error=str(record.get("error")),
        queued=datetime.fromisoformat(str(record.get("queued"))),
        dead_lettered=datetime.fromisoformat(str(record.get("dead_lettered"))),
        exception=None if exception is None else {field: exception[field] for field in _EXCEPTION_FIELDS},
    )
