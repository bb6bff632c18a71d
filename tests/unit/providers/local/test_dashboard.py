"""The dashboard's side of the runner (providers/local/dashboard/): its page served with a strict policy, the App
described as the page shows it, requests sent to the App's routes as JSON, the console's lines, and the page and
the load error while the App cannot load. Through the WSGI app; the page itself runs in a browser in
tests/e2e/browser/test_dashboard.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from werkzeug.test import Client

from providers.local.access import LOOPBACK_ONLY
from providers.local.control import while_failed
from providers.local.dashboard import OWN_CALL_HEADER
from providers.local.load_failure import FailedApp, LoadFailure
from providers.local.runner import LocalApp


@pytest.fixture()
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalApp]:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    runner = LocalApp(package="tests.apps.kit", workers=0)
    yield runner
    runner.stop()


def test_the_page_and_its_assets_are_served_with_a_strict_policy(local: LocalApp) -> None:
    client = Client(local)
    page = client.get("/__portable/")
    assert page.status_code == 200 and page.content_type == "text/html; charset=utf-8"
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    html = page.get_data(as_text=True)
    assert '<script type="module" src="/__portable/assets/dashboard.js">' in html and "https://" not in html
    for asset, kind in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        served = client.get(f"/__portable/assets/{asset}")
        assert served.status_code == 200 and served.content_type.startswith(kind)
    assert client.get("/__portable/assets/__init__.py").status_code == 404, "only the page's own files"
    assert client.get("/__portable/assets/../served.py").status_code == 404
    foreign = client.get("/__portable/", headers={"Sec-Fetch-Site": "cross-site"})
    assert foreign.status_code == 403, "the control endpoints' caller checks"


def test_the_app_is_described_as_the_page_shows_it(local: LocalApp) -> None:
    described = Client(local).get("/__portable/app").get_json()
    assert [route["method"] + " " + route["path"] for route in described["routes"]][:2] == [
        "POST /drafts/{id}/upload",
        "GET /notes/{id}",
    ]
    assert described["buckets"][0] == {
        "name": "drafts",
        "triggers": [{"function": "publish", "kind": "created", "prefix": "notes/", "suffix": ".txt", "pending": 0}],
    }
    assert described["tables"] == [{"name": "audit", "triggers": []}, {"name": "notes", "triggers": []}]
    [nightly] = described["schedules"]
    assert nightly["name"] == "nightly" and nightly["timezone"] == "UTC" and len(nightly["next"]) == 5
    firings = [datetime.fromisoformat(when) for when in nightly["next"]]
    assert all(when.hour == 3 and when.minute == 0 for when in firings) and firings == sorted(firings)
    assert described["dead_letters"] == 0 and described["fast_retries"] is False
    assert {"name": "whoami", "trigger": "http", "source": described["functions"][-1]["source"]} in described[
        "functions"
    ]


def test_a_request_sent_through_the_dashboard_reaches_the_route_whole(local: LocalApp) -> None:
    client = Client(local)
    sent = client.post(
        "/__portable/requests",
        json={"method": "get", "path": "/whoami?x=1", "headers": [["Cookie", "session=abc"]], "body": ""},
    )
    answer = sent.get_json()
    assert sent.status_code == 200 and answer["status"] == 200
    assert answer["body"] == '{"cookies": {"session": "abc"}}' and answer["milliseconds"] >= 0
    assert ["Content-Type", "application/json"] in answer["headers"]
    binary = client.post("/__portable/requests", json={"method": "GET", "path": "/notes/none"}).get_json()
    assert binary["status"] == 404 and "no such note" in binary["body"]
    for wrong, fragment in (
        ({"path": "/__portable/app"}, "is not a path of the App's routes"),
        ({"path": "notes"}, "is not a path of the App's routes"),
        ({"method": "GET /x"}, "is not an HTTP method"),
        ({"path": "/whoami", "headers": [["only-a-name"]]}, "headers are [[name, value], ...]"),
        ({"path": "/whoami", "body": {"a": 1}}, "body is the request's body as text"),
    ):
        refused = client.post("/__portable/requests", json=wrong)
        assert refused.status_code == 400 and fragment in refused.get_json()["error"], wrong
    assert client.post("/__portable/requests", data=b"[1]").status_code == 400, "a JSON object"


def test_the_console_lines_are_read_after_a_number(local: LocalApp) -> None:
    client = Client(local)
    client.get("/whoami")
    client.get("/nowhere")
    own = {OWN_CALL_HEADER: "1"}
    lines = client.get("/__portable/log", headers=own).get_json()
    said = [(line["function"], line["subject"], line["level"]) for line in lines["lines"]]
    assert said == [("whoami", "GET /whoami", "ok"), ("runner", "GET /nowhere", "failed")], "the gateway's 404 too"
    assert lines["last"] == 2
    assert client.get("/__portable/log?after=2", headers=own).get_json()["lines"] == [], "its reading adds no line"


def test_a_local_404_suggests_the_nearest_route(local: LocalApp) -> None:
    client = Client(local)
    assert client.get("/note/1").get_json()["error"] == "no route for GET /note/1; did you mean 'GET /notes/{id}'?"
    assert client.put("/note/1").get_json()["error"].endswith("did you mean 'PUT /notes/{id}'?")
    assert client.get("/completely/else").get_json()["error"] == "no route for GET /completely/else"


def test_an_item_is_shown_with_its_version(local: LocalApp) -> None:
    client = Client(local)
    client.put("/notes/n1", json={"text": "hi"})
    item = client.get("/__portable/tables/notes/n1").get_json()
    assert item["key"] == "n1" and item["value"] == {"text": "hi"} and item["version"]
    assert client.get("/__portable/tables/notes/none").status_code == 404
    unknown = client.get("/__portable/tables/note/n1").get_json()["error"]
    assert unknown.startswith("no table named 'note'; did you mean 'notes'?")


def test_while_the_app_cannot_load_the_page_shows_the_error_and_the_rest_answers_it(tmp_path: Path) -> None:
    try:
        compile("def hello(:\n", str(tmp_path / "functions" / "hello.py"), "exec")
    except SyntaxError as exc:
        failure = LoadFailure.of(exc, tmp_path)
    record = failure.record()
    client = Client(FailedApp(failure, control=lambda environ: while_failed(record, LOOPBACK_ONLY, environ)))
    assert client.get("/__portable/").status_code == 200
    assert client.get("/__portable/app").get_json() == {"load_error": record}
    assert client.get("/__portable/app", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    elsewhere = client.get("/hello").get_json()
    assert elsewhere["load_error"] == record and elsewhere["error"].startswith("the app failed to load: functions/")
    assert client.get("/__portable/dead-letters").status_code == 500, "nothing else runs while it is broken"
