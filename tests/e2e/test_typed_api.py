"""What a user of a typed API does with a running app: opens the API explorer at /__portable/api in a browser,
tries a route and signs in for an auth= route, and calls the app through the client `portable client` generates."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.support.browser import chromium
from tests.support.runner_process import running_runner


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_runner(ROOT, tmp_path_factory.mktemp("state")) as url:
        yield url


def generate_client(app: Path, out_dir: str, environment: dict[str, str]) -> None:
    """`portable client --python out_dir`, run in the app's folder as a user runs it."""
    made = subprocess.run(
        [sys.executable, "-m", "portable", "client", "--python", out_dir],
        cwd=app,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert made.returncode == 0, made.stderr


def post(url: str) -> Any:
    with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=30) as reply:
        return json.load(reply)


@pytest.mark.slow
@pytest.mark.browser
def test_the_explorer_tries_a_route_and_signs_in_for_an_auth_route(runner: str) -> None:
    with chromium() as browser:
        page = browser.new_page()
        refused: list[str] = []
        page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
        page.goto(f"{runner}/__portable/api")
        page.wait_for_selector("#operations-hello-hello")
        assert page.locator(".opblock-summary-path").all_inner_texts() == ["/hello", "/me", "/webhooks"]

        page.click("#operations-hello-hello .opblock-summary")
        page.fill("#operations-hello-hello textarea.body-param__text", '{"name": "Ada"}')
        page.click("#operations-hello-hello .execute")
        reply = page.locator("#operations-hello-hello .live-responses-table .response-col_description pre").first
        reply.wait_for()
        assert json.loads(reply.inner_text()) == {"message": "Hello, Ada!"}

        page.fill("#sign-in input[name=subject]", "grace")
        page.fill("#sign-in input[name=scope]", "notes:read")
        page.click("#sign-in button")
        page.wait_for_selector("#signed-in:has-text('signed in as grace')")
        page.click("#operations-me-me .opblock-summary")
        page.click("#operations-me-me .execute")
        answer = page.locator("#operations-me-me .live-responses-table .response-col_description pre").first
        answer.wait_for()
        assert json.loads(answer.inner_text()) == {"subject": "grace", "scopes": ["notes:read"]}
    assert not [text for text in refused if "Content Security Policy" in text], refused


@pytest.mark.slow
def test_the_generated_client_calls_the_running_app(runner: str, tmp_path: Path) -> None:
    out = tmp_path / "hello-client"
    generate_client(ROOT, str(out), dict(os.environ))
    sys.path.insert(0, str(out))
    try:
        client_package = importlib.import_module("portable_client")
        hello = importlib.import_module("portable_client.api.hello.hello")
        me = importlib.import_module("portable_client.api.me.me")
        models = importlib.import_module("portable_client.models")

        client = client_package.Client(base_url=runner)
        greeted = hello.sync(client=client, body=models.HelloIn(name="Ada"))
        assert isinstance(greeted, models.HelloOut) and greeted.message == "Hello, Ada!"

        refused = hello.sync_detailed(client=client, body=models.HelloIn.from_dict({"name": 5}))
        assert refused.status_code == 422
        assert isinstance(refused.parsed, models.ValidationError)
        assert [error.location for error in refused.parsed.errors] == ["body.name"]

        token = post(f"{runner}/__portable/token?subject=ada&scope=notes:read")["token"]
        signed_in = client_package.AuthenticatedClient(base_url=runner, token=token)
        caller = me.sync(client=signed_in)
        assert isinstance(caller, models.Caller) and (caller.subject, caller.scopes) == ("ada", ["notes:read"])
        assert me.sync_detailed(client=client).status_code == 401
    finally:
        sys.path.remove(str(out))
        for name in [name for name in sys.modules if name.split(".")[0] == "portable_client"]:
            del sys.modules[name]


@pytest.mark.slow
def test_the_typed_pages_client_script_runs_against_the_app(tmp_path: Path) -> None:
    """docs/examples/typed/scripts/call_client.py, as the page says to run it: in an app holding the page's
    functions, after `portable client --python notes-client`, with `portable dev` serving."""
    app = tmp_path / "notes"
    shutil.copytree(ROOT / "docs" / "examples" / "typed" / "functions", app / "functions")
    shutil.copy(ROOT / "main.py", app / "main.py")
    (app / "Pulumi.yaml").write_text("name: notes\nruntime: python\n")
    environment = {**os.environ, "PYTHONPATH": f"{app}:{ROOT}"}
    generate_client(app, "notes-client", environment)
    with running_runner(app, tmp_path / "state") as url:
        ran = subprocess.run(
            [sys.executable, str(ROOT / "docs" / "examples" / "typed" / "scripts" / "call_client.py"), url],
            cwd=app,
            env={**environment, "PYTHONPATH": f"{app / 'notes-client'}:{app}:{ROOT}"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == ["7 Groceries ['home']", "Groceries", "tea-pot 12.5", "422 ['body.title']"]
