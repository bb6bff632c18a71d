"""`portable dead-letters`: list, show, replay and discard the local dead letters, read from the state folder.

The same letters the dashboard and `/__portable/dead-letters` show (providers/local/dead_letters.py); a
replayed event waits in the delivery queue until a runner serving the folder delivers it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from portable.errors import ConfigurationError
from providers.local.dead_letters import DeadLetter, DeadLetters
from providers.local.delivery_queue import DeliveryQueue
from providers.local.signed_urls import runner_url


def list_letters(root: Path, function: str | None, as_json: bool, out: TextIO) -> int:
    found = DeadLetters(root).all(function)
    if as_json:
        out.writelines(json.dumps(letter.view(), ensure_ascii=False) + "\n" for letter in found)
        return 0
    if not found:
        out.write(f"no dead letters{f' of {function}' if function else ''} in {root}\n")
        return 0
    for letter in found:
        when = letter.dead_lettered.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        out.write(f"{letter.name}  {when}  {letter.about}  {letter.attempts} attempts  {_first_line(letter.error)}\n")
    return 0


def show(root: Path, name: str, as_json: bool, out: TextIO) -> int:
    letter = _read(root, name)
    view = letter.view()
    if as_json:
        out.write(json.dumps(view, indent=2, ensure_ascii=False) + "\n")
        return 0
    when = "%Y-%m-%d %H:%M:%S %Z"
    lines = [
        letter.name,
        f"  event:          {letter.about} (id {letter.event.id})",
        f"  attempts:       {letter.attempts}",
        f"  queued:         {letter.queued.astimezone().strftime(when)}",
        f"  dead-lettered:  {letter.dead_lettered.astimezone().strftime(when)}",
        f"  error:          {letter.error}",
    ]
    if "body_json" in view:
        lines += ["  body (JSON):", _indented(json.dumps(view["body_json"], indent=2, ensure_ascii=False))]
    elif "body_text" in view:
        lines += ["  body (text):", _indented(view["body_text"])]
    elif "body" in view["event"]:
        lines += [f"  body (base64, not text): {view['event']['body']}"]
    if letter.exception is not None:
        lines += ["  traceback:", _indented(letter.exception["traceback"].rstrip("\n"))]
    out.write("\n".join(lines) + "\n")
    return 0


def replay(root: Path, name: str, body: bytes | None, out: TextIO) -> int:
    function, letter_id = _parts(name)
    try:
        letter = DeadLetters(root).replay(function, letter_id, DeliveryQueue(root, lambda function: 0), body)
    except ValueError as exc:
        raise ConfigurationError(f"dead letter {name} is unreadable: {exc}; fix or discard it") from None
    edited = " with the edited body" if body is not None else ""
    served = runner_url(root)
    then = f"the runner at {served} delivers it now" if served else f"`portable dev` delivers it when it serves {root}"
    out.write(f"{letter.name}: queued again{edited} as event {letter.event.id}; {then}\n")
    return 0


def discard(root: Path, name: str, out: TextIO) -> int:
    function, letter_id = _parts(name)
    try:
        letter = DeadLetters(root).discard(function, letter_id)
    except ValueError as exc:  # an unreadable letter is discarded all the same
        DeadLetters(root).remove(function, letter_id)
        out.write(f"{name}: discarded (it was unreadable: {exc})\n")
        return 0
    out.write(f"{letter.name}: discarded\n")
    return 0


def _read(root: Path, name: str) -> DeadLetter:
    function, letter_id = _parts(name)
    try:
        return DeadLetters(root).read(function, letter_id)
    except ValueError as exc:
        raise ConfigurationError(f"dead letter {name} is unreadable: {exc}; fix or discard it") from None


def _parts(name: str) -> tuple[str, str]:
    function, sep, letter_id = name.partition("/")
    if not sep:
        raise ConfigurationError(
            f"name a dead letter as FUNCTION/ID, as `portable dead-letters list` does; got {name!r}"
        )
    return function, letter_id


def _first_line(text: str, limit: int = 120) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[:limit] + "..."


def _indented(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())
