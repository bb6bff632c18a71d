"""`portable dead-letters` (providers/cli/dead_letters.py): list, show (a message's body decoded), replay (with an
edited body) and discard the dead letters in a state folder, whether or not a runner serves it."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portable.message_trigger import Message
from portable.object_trigger import ObjectEvent
from providers.cli.main import main
from providers.local.dead_letters import DeadLetter, DeadLetters
from providers.local.delivery_queue import DeliveryQueue

WHEN = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
MESSAGE_ID, OBJECT_ID = "a" * 32, "b" * 32
TRACEBACK = (
    "Traceback (most recent call last):\n  File \"functions/moderate.py\", line 9, in moderate\nKeyError: 'name'\n"
)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    letters = DeadLetters(tmp_path)
    poison = Message("m-1", b'{"nam": "Ada"}', {"origin": "web"}, 5, WHEN, "moderation")
    letters.write(
        DeadLetter(
            MESSAGE_ID, "moderate", poison, 5, "KeyError: 'name'", WHEN, WHEN,
            {"type": "KeyError", "message": "'name'", "traceback": TRACEBACK},
        )
    )  # fmt: skip
    upload = ObjectEvent("uploads", "cat.jpg", "created", "e-1", WHEN, 3, None, "image/jpeg")
    letters.write(DeadLetter(OBJECT_ID, "make_thumbnail", upload, 3, "HTTP 500: gone", WHEN, WHEN.replace(hour=3)))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_names_each_letter_with_its_event_and_error(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "dead-letters", "list", "--state", str(state))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2, "oldest first"
    assert lines[0].startswith(f"moderate/{MESSAGE_ID}  ") and lines[0].endswith(
        "  message m-1 from moderation  5 attempts  KeyError: 'name'"
    )
    assert lines[1].endswith("  object created uploads/cat.jpg  3 attempts  HTTP 500: gone")
    code, out, _ = run(capsys, "dead-letters", "list", "make_thumbnail", "--json", "--state", str(state))
    [letter] = map(json.loads, out.splitlines())
    assert letter["id"] == OBJECT_ID and letter["event"]["key"] == "cat.jpg"
    assert run(capsys, "dead-letters", "list", "--state", str(state / "empty"))[1].startswith("no dead letters in ")


def test_show_decodes_a_messages_body_and_gives_the_traceback(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "dead-letters", "show", f"moderate/{MESSAGE_ID}", "--state", str(state))
    assert code == 0
    assert "  event:          message m-1 from moderation (id m-1)\n" in out
    assert "  error:          KeyError: 'name'\n" in out
    assert '  body (JSON):\n    {\n      "nam": "Ada"\n    }\n' in out, "decoded, not base64"
    traceback = ["  traceback:", "    Traceback (most recent call last):", '      File "functions/moderate.py", line 9']
    assert out.endswith("\n".join(traceback) + ", in moderate\n    KeyError: 'name'\n")
    code, out, _ = run(capsys, "dead-letters", "show", f"moderate/{MESSAGE_ID}", "--json", "--state", str(state))
    shown = json.loads(out)
    assert shown["body_json"] == {"nam": "Ada"} and shown["exception"]["type"] == "KeyError"


def test_replay_queues_the_event_again_with_an_edited_body(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "dead-letters", "replay", f"moderate/{MESSAGE_ID}", "--body", '{"name": "Ada"}', "--state", str(state)
    )
    assert code == 0
    assert out == (
        f"moderate/{MESSAGE_ID}: queued again with the edited body as event m-1; `portable dev` delivers it when "
        f"it serves {state}\n"
    )
    queued = DeliveryQueue(state, lambda function: 60).take(time.time() + 1)
    assert queued is not None and queued.function == "moderate"
    assert isinstance(queued.event, Message) and queued.event.body == b'{"name": "Ada"}'
    assert (queued.event.id, queued.event.attributes) == ("m-1", {"origin": "web"}), "the same message, edited"
    assert [letter.function for letter in DeadLetters(state).all()] == ["make_thumbnail"]


def test_replay_takes_a_body_from_a_file_and_refuses_one_for_an_object_event(
    state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "fixed.json"
    body.write_bytes(b'{"name": "Grace"}')
    name = f"moderate/{MESSAGE_ID}"
    assert run(capsys, "dead-letters", "replay", name, "--body-file", str(body), "--state", str(state))[0] == 0
    code, _, err = run(
        capsys, "dead-letters", "replay", f"make_thumbnail/{OBJECT_ID}", "--body", "x", "--state", str(state)
    )
    assert code == 1 and "only a message's body can be edited, and this letter holds an object event" in err
    code, out, _ = run(capsys, "dead-letters", "replay", f"make_thumbnail/{OBJECT_ID}", "--state", str(state))
    assert code == 0 and "queued again as event e-1" in out


def test_discard_removes_a_letter_and_a_wrong_name_says_how_to_name_one(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "dead-letters", "discard", f"make_thumbnail/{OBJECT_ID}", "--state", str(state))
    assert code == 0 and out == f"make_thumbnail/{OBJECT_ID}: discarded\n"
    assert [letter.id for letter in DeadLetters(state).all()] == [MESSAGE_ID]
    code, _, err = run(capsys, "dead-letters", "discard", f"make_thumbnail/{OBJECT_ID}", "--state", str(state))
    assert code == 1 and f"no dead letter make_thumbnail/{OBJECT_ID}; `portable dead-letters list` lists them" in err
    code, _, err = run(capsys, "dead-letters", "show", "moderate", "--state", str(state))
    assert code == 1 and "name a dead letter as FUNCTION/ID" in err
