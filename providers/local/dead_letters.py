"""Dead letters: events that failed their last attempt, kept as files to read, fix and replay.

`<state dir>/dead-letters/<function>/<id>.json` holds the portable event, the attempts
made and the last error, as the clouds' dead-letter queues and failure destinations
do. Replaying one queues its event again, with the same event id.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from portable import log
from portable.errors import NotFound
from providers.local import events
from providers.local.events import LocalEvent

RESOURCE = "dead letters"
_ID = re.compile(r"[0-9a-f]{32}")


class DeadLetter(NamedTuple):
    """One event one function could not handle; `id` is its delivery's id."""

    id: str
    function: str
    event: LocalEvent
    attempts: int
    error: str
    queued: datetime
    dead_lettered: datetime

    def record(self) -> dict[str, Any]:
        """The letter as JSON values, as its file holds it."""
        return {
            "id": self.id,
            "function": self.function,
            "attempts": self.attempts,
            "error": self.error,
            "queued": self.queued.isoformat(),
            "dead_lettered": self.dead_lettered.isoformat(),
            "event": events.to_record(self.event),
        }


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
            raise NotFound(RESOURCE, f"no dead letter {function}/{letter_id}; GET /__portable/dead-letters lists them")
        return _letter(path)

    def remove(self, function: str, letter_id: str) -> None:
        self._path(function, letter_id).unlink(missing_ok=True)

    def _path(self, function: str, letter_id: str) -> Path:
        if not _ID.fullmatch(letter_id) or function in ("", ".", "..") or "/" in function:
            raise NotFound(RESOURCE, f"{function}/{letter_id} is not a dead letter's name (<function>/<32 hex digits>)")
        return self.directory / function / f"{letter_id}.json"


def _letter(path: Path) -> DeadLetter:
    record = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(record, dict):
        raise ValueError("a dead letter is a JSON object")
    attempts = record.get("attempts")
    if not isinstance(attempts, int) or isinstance(attempts, bool):
        raise ValueError(f"attempts must be a whole number, not {attempts!r}")
    return DeadLetter(
        id=path.stem,
        function=path.parent.name,
        event=events.from_record(record.get("event")),
        attempts=attempts,
        error=str(record.get("error")),
        queued=datetime.fromisoformat(str(record.get("queued"))),
        dead_lettered=datetime.fromisoformat(str(record.get("dead_lettered"))),
    )
