"""The API explorer at /__portable/api (providers/local/api_explorer.py), through the runner's WSGI app: its page,
Swagger UI's shipped files and the runner's document, behind the control endpoints' caller checks. A real browser
drives it in tests/e2e/test_typed_api.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from werkzeug.test import Client

from providers.local.api_explorer import ASSETS, FILES
from providers.local.runner import LocalApp

OWN = {"Host": "127.0.0.1:8080"}
PORT = {"SERVER_PORT": "8080"}


@pytest.fixture()
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    runner = LocalApp(package="tests.apps.typed")
    yield Client(runner)
    runner.stop()


def test_the_page_loads_only_what_ships_in_the_wheel(client: Client) -> None:
    page = client.get("/__portable/api", headers=OWN, environ_overrides=PORT)
    assert page.status_code == 200 and page.content_type == "text/html; charset=utf-8"
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    html = page.get_data(as_text=True)
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "explorer.js", "explorer.css"):
        assert f'"/__portable/api/{name}"' in html
    assert "://" not in html  # nothing from elsewhere
    for name, content_type in ASSETS.items():
        served = client.get(f"/__portable/api/{name}", headers=OWN, environ_overrides=PORT)
        assert (served.status_code, served.content_type) == (200, content_type), name
        assert served.data == (FILES / name).read_bytes()
    assert (FILES / "SWAGGER_UI_VERSION").read_text().strip().startswith("5.")


def test_the_document_is_the_apps_with_this_runner_as_server(client: Client) -> None:
    document = client.get("/__portable/api/openapi.json", headers={"Host": "localhost:8080"}, environ_overrides=PORT)
    assert document.status_code == 200
    body = document.get_json()
    validate(body)
    assert body["servers"] == [{"url": "http://localhost:8080"}]
    assert {"/notes", "/notes/{note_id}", "/items", "/owners/{owner}"} <= set(body["paths"])


@pytest.mark.parametrize(
    ("headers", "says"),
    [
        ({"Host": "evil.example:8080"}, "answer only at 127.0.0.1, localhost or [::1]"),
        ({**OWN, "Sec-Fetch-Site": "cross-site"}, "a page from another site may not drive the runner"),
        ({**OWN, "Origin": "https://evil.example"}, "may not drive the runner"),
    ],
)
def test_only_this_machine_and_the_runners_own_pages_get_it(client: Client, headers: dict[str, str], says: str) -> None:
    for path in ("/__portable/api", "/__portable/api/openapi.json", "/__portable/api/explorer.js"):
        refused = client.get(path, headers=headers, environ_overrides=PORT)
        assert refused.status_code == 403 and says in refused.get_json()["error"], path


def test_other_methods_and_names_are_refused(client: Client) -> None:
    assert client.post("/__portable/api", headers=OWN, environ_overrides=PORT).status_code == 405
    missing = client.get("/__portable/api/../../etc/passwd", headers=OWN, environ_overrides=PORT)
    assert missing.status_code == 404
    assert client.get("/__portable/api/LICENSE", headers=OWN, environ_overrides=PORT).status_code == 404
