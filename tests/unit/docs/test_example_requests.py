"""Every example request the documentation shows fits the OpenAPI document of the app it calls: the curl commands
in the pages, and the calls the pages' example tests and scripts make through the test kit. A call the app answers
with a 2xx must fit the document, and one it refuses with a 422 must not: the document and the validators agree."""

from __future__ import annotations

import importlib
import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from portable.loading import load_app
from portable.openapi import openapi_document
from portable.testing import Kit
from tests.support.openapi_requests import request_problems
from tests.unit.docs.test_examples import DOCS, ROOT, USER_TESTS, package

# The app each page's curl commands call: the reference app (functions/), unless the page has an app of its own.
PAGE_APPS = {"typed-apis.md": "docs.examples.typed.functions"}
LOCAL_URL = re.compile(r"^(?:https?://)?(?:localhost|127\.0\.0\.1):8080(/.*)$")


def document_of(app_package: str) -> dict[str, Any]:
    return openapi_document(load_app(app_package, str(ROOT)), "docs")


# A curl command in a console block, with the output the page shows for it (up to the next command or the block's end).
CONSOLE_COMMAND = re.compile(r"^(?:\$ )?(curl [^\n]*)\n((?:(?!\$ |```)[^\n]*\n)*)", flags=re.M)
INLINE_COMMAND = re.compile(r"`(curl [^`\n]*)`")


def curl_commands() -> Iterator[Any]:
    """(page, the command's words, the path it calls, whether the page shows it refused with 422)."""
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text()
        shown = [(match[1], match[2]) for match in CONSOLE_COMMAND.finditer(text)]
        shown += [(match[1], "") for match in INLINE_COMMAND.finditer(text)]
        for line, output in shown:
            words = shlex.split(line.replace("\\", ""), comments=True)
            url = next((LOCAL_URL.match(word) for word in words if LOCAL_URL.match(word)), None)
            if url is None or url.group(1).startswith("/__portable/"):
                continue
            name = str(page.relative_to(DOCS))
            refused = '"status": 422' in output
            yield pytest.param(name, words, url.group(1), refused, id=f"{name}: {line[:60]}")


def test_the_pages_show_curl_commands_to_check() -> None:
    found = list(curl_commands())
    assert len(found) >= 6
    assert [param.values[0] for param in found if param.values[3]] == ["typed-apis.md"]


@pytest.mark.parametrize(("page", "words", "target", "refused"), list(curl_commands()))
def test_every_curl_command_in_the_pages_fits_the_apps_document_unless_shown_refused(
    page: str, words: list[str], target: str, refused: bool
) -> None:
    method = words[words.index("-X") + 1] if "-X" in words else ("POST" if "-d" in words else "GET")
    body = words[words.index("-d") + 1].encode() if "-d" in words else b""
    problems = request_problems(document_of(PAGE_APPS.get(page, "functions")), method, target, body)
    assert bool(problems) == refused, problems


REUSED_KEY = -422


def recording(kit: Kit, calls: list[tuple[str, str, bytes, int]]) -> Callable[..., Any]:
    sent = kit.http

    def http(method: str, path: str, **options: Any) -> Any:
        reply = sent(method, path, **options)
        body = options.get("body", b"")
        if options.get("json") is not None:
            import json

            body = json.dumps(options["json"])
        # A 422 of the validators lists its errors; an Idempotency-Key sent with another request is 422 too.
        status = reply.status if reply.status != 422 or "errors" in reply.json() else REUSED_KEY
        calls.append((method, path, body.encode() if isinstance(body, str) else body, status))
        return reply

    return http


def kit_calls(topic: str, run: Callable[[Kit], None], tmp_path: Path) -> list[tuple[str, str, bytes, int]]:
    calls: list[tuple[str, str, bytes, int]] = []
    with Kit("aws", package=package(topic), state=tmp_path / topic) as kit:
        kit.http = recording(kit, calls)  # type: ignore[method-assign]
        run(kit)
    return calls


@pytest.mark.parametrize("topic", sorted(USER_TESTS))
def test_the_pages_test_calls_fit_the_document_or_are_refused_with_422(topic: str, tmp_path: Path) -> None:
    module = importlib.import_module(USER_TESTS[topic])
    tests = [test for name, test in vars(module).items() if name.startswith("test_") and callable(test)]
    calls = [call for index, test in enumerate(tests) for call in kit_calls(topic, test, tmp_path / str(index))]
    assert calls
    document = document_of(package(topic))
    for method, path, body, status in calls:
        problems = request_problems(document, method, path, body)
        if 200 <= status < 300:
            assert problems == [], (method, path, body)
        if status == 422:
            assert problems, f"{method} {path} {body!r} was refused with 422, but fits the document"


def test_the_kit_script_fits_the_reference_apps_document(tmp_path: Path) -> None:
    from docs.examples.testing.scripts import try_hello

    calls: list[tuple[str, str, bytes, int]] = []
    original = Kit.__enter__

    def entered(kit: Kit) -> Kit:
        opened = original(kit)
        opened.http = recording(opened, calls)  # type: ignore[method-assign]
        return opened

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path))
        patch.setattr(Kit, "__enter__", entered)
        try_hello.main()
    document = document_of("functions")
    assert [(method, path, request_problems(document, method, path, body)) for method, path, body, _ in calls] == [
        ("POST", "/hello", [])
    ]


def test_a_request_that_does_not_fit_is_caught() -> None:
    """The checks above mean something."""
    document = document_of(PAGE_APPS["typed-apis.md"])
    assert request_problems(document, "PUT", "/notes/7", b'{"title": "a"}') == []
    assert sorted(request_problems(document, "PUT", "/notes/seven", b'{"tags": "x"}')) == [
        "body: 'title' is a required property",
        "body: 'x' is not of type 'array'",
        "path.note_id: 'seven' is not of type 'integer'",
    ]
    assert request_problems(document, "GET", "/notes?limit=many") == ["query.limit: 'many' is not of type 'integer'"]
    assert request_problems(document, "DELETE", "/notes/7") == ["DELETE is not an operation of /notes/{note_id}"]
    assert request_problems(document, "GET", "/nowhere") == ["no route of the document takes /nowhere"]
