"""An App that cannot load (providers/local/load_failure.py): the error placed at its file and line, and the error
app that answers every call with it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from werkzeug.test import Client

from portable.loading import load_app
from providers.local.load_failure import FailedApp, LoadFailure


def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, **modules: str) -> Path:
    """A package `name` of the given modules (source text by module name), importable for this test."""
    folder = tmp_path / "src" / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    for module, text in modules.items():
        (folder / f"{module}.py").write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    return folder


def test_a_syntax_error_is_placed_at_its_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = package(tmp_path, monkeypatch, "broken_syntax", hello="x = 1\ndef hello(:\n    pass\n")
    with pytest.raises(SyntaxError) as raised:
        load_app("broken_syntax")
    failure = LoadFailure.of(raised.value, tmp_path)
    assert (failure.file, failure.line, failure.type) == ("src/broken_syntax/hello.py", 2, "SyntaxError")
    assert failure.summary() == "src/broken_syntax/hello.py, line 2: SyntaxError: invalid syntax"
    assert str(folder / "hello.py") in failure.traceback


def test_an_import_error_is_placed_in_the_apps_own_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package(tmp_path, monkeypatch, "broken_import", hello="import json\n\nimport no_such_module_here\n")
    with pytest.raises(ModuleNotFoundError) as raised:
        load_app("broken_import")
    failure = LoadFailure.of(raised.value, tmp_path)
    assert (failure.file, failure.line) == ("src/broken_import/hello.py", 3)
    assert failure.message == "No module named 'no_such_module_here'"


def test_a_refused_declaration_is_placed_at_the_declaration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package(
        tmp_path,
        monkeypatch,
        "broken_route",
        notes="""\
        from portable import http


        @http("GET /notes/:id")
        def note(request):
            return {}
        """,
    )
    with pytest.raises(Exception) as raised:  # whatever the refusal's type, it is placed
        load_app("broken_route")
    failure = LoadFailure.of(raised.value, tmp_path)
    assert (failure.file, failure.line) == ("src/broken_route/notes.py", 4)
    assert "{id}" in failure.message, "the refusal's own words, with its fix"


def test_the_failed_app_answers_every_call_with_the_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package(tmp_path, monkeypatch, "broken_again", hello="def hello(:\n")
    with pytest.raises(SyntaxError) as raised:
        load_app("broken_again")
    app = FailedApp(LoadFailure.of(raised.value, tmp_path))
    for method, path in (("POST", "/hello"), ("GET", "/__portable/dead-letters"), ("GET", "/")):
        reply = Client(app).open(path, method=method)
        body = reply.json
        assert reply.status_code == 500 and body is not None
        assert body["error"].startswith("the app failed to load: src/broken_again/hello.py, line 1: SyntaxError: ")
        assert body["load_error"]["file"] == "src/broken_again/hello.py" and body["load_error"]["line"] == 1


def test_while_the_app_cannot_load_a_page_of_an_allowed_origin_can_read_the_error(tmp_path: Path) -> None:
    from portable.cors_policy import Cors
    from providers.local.load_failure import remember_cors, remembered_cors

    policy = Cors(("https://app.example.com",), ("GET", "POST"), ("content-type",), (), 600, False)
    assert remembered_cors(tmp_path) is None, "no App has loaded here yet"
    remember_cors(tmp_path, policy)
    assert remembered_cors(tmp_path) == policy
    client = Client(FailedApp(LoadFailure("SyntaxError", "bad", "functions/a.py", 3, ""), remembered_cors(tmp_path)))
    preflight = client.options(
        "/hello", headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    failed = client.post("/hello", headers={"Origin": "https://app.example.com"})
    assert failed.status_code == 500 and failed.json["load_error"]["file"] == "functions/a.py"
    assert failed.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert failed.headers["Vary"] == "Origin"
    elsewhere = client.post("/hello", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in elsewhere.headers
    remember_cors(tmp_path, None)
    assert remembered_cors(tmp_path) is None, "an App without CORS forgets the last one's"
