"""The control endpoints' rules (providers/local/control.py), through the WSGI app: objects put and fired from
outside, schedules fired on demand, bodies read as sent, keys decoded once and checked, and only this machine's tools
served. Through a real server on a loopback port: tests/integration/providers/local/test_control.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client, TestResponse

from providers.local.buckets import MAX_OBJECT_BYTES
from providers.local.clients import open_bucket
from providers.local.runner import LocalApp
from tests.support.recording import recorded_lines, recording


def test_fire_on_demand_over_http(local: LocalApp, tmp_path: Path) -> None:
    client = Client(local)
    with recording(tmp_path) as seen:
        response = client.post("/__portable/schedules/every_five")
        missing = client.post("/__portable/schedules/kitchen")
    body = response.get_json()
    assert response.status_code == 200
    assert body == {"fired": "every_five", "event_id": body["event_id"], "outcome": "delivered", "status": 204}
    assert body["event_id"].startswith("every_five@")
    assert missing.status_code == 404 and "schedules: every_five" in missing.get_json()["error"]
    assert [record["name"] for record in seen] == ["every_five"]


def test_objects_put_from_outside_fire_the_bucket_events(
    local: LocalApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(local)
    target = tmp_path / "recorded.jsonl"
    monkeypatch.setenv("PORTABLE_TEST_RECORD", str(target))
    local.start(schedules=False)
    put = client.put(
        "/__portable/objects/inbox/in/hello%20world.txt", data=b"hi", headers={"Content-Type": "text/plain"}
    )
    records = recorded_lines(target, 2)
    got = client.get("/__portable/objects/inbox/in/hello%20world.txt")
    deleted = client.delete("/__portable/objects/inbox/in/hello%20world.txt")
    after = recorded_lines(target, 3)
    assert put.status_code == 201 and put.get_json()["size"] == 2
    assert sorted((r["key"], r["kind"]) for r in records[:2]) == [("in/hello world.txt", "created")] * 2
    assert records[0]["content_type"] == "text/plain"
    assert got.status_code == 200 and got.data == b"hi"
    assert deleted.status_code == 204
    assert (after[2]["key"], after[2]["kind"]) == ("in/hello world.txt", "deleted")
    missing = client.get("/__portable/objects/inbox/in/hello%20world.txt")
    assert missing.status_code == 404


def test_control_paths_refuse_what_they_do_not_know(local: LocalApp) -> None:
    client = Client(local)
    unknown_bucket = client.put("/__portable/objects/nope/a.txt", data=b"x")
    assert unknown_bucket.status_code == 404 and "the App declares: inbox" in unknown_bucket.get_json()["error"]
    unknown_path = client.get("/__portable/whatever")
    assert unknown_path.status_code == 404 and "POST /__portable/schedules/<name>" in unknown_path.get_json()["error"]
    wrong_method = client.post("/__portable/objects/inbox/a.txt", data=b"x")
    assert wrong_method.status_code == 405


OBJECTS = "/__portable/objects/inbox/"


def assert_portable_error(response: TestResponse, status: int, fragment: str) -> None:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["status"] == status and body["request_id"] and fragment in body["error"], body


def test_keys_are_decoded_once_as_utf8(local: LocalApp) -> None:
    client = Client(local)
    put = client.put(f"{OBJECTS}caf%C3%A9", data=b"coffee")
    assert put.status_code == 201 and put.get_json()["key"] == "café"
    assert client.put(f"{OBJECTS}100%2525", data=b"percent").get_json()["key"] == "100%25"
    assert [info.key for info in open_bucket("inbox").list_page("", 10, None).items] == ["100%25", "café"]
    assert client.get(f"{OBJECTS}caf%C3%A9").data == b"coffee"
    not_utf8 = client.get("/", environ_overrides={"PATH_INFO": f"{OBJECTS}caf\xe9"})  # raw bytes, as gunicorn passes
    assert_portable_error(not_utf8, 400, "not UTF-8")


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("%2E%2E", "refused by Cloud Storage"),
        ("a%00b", "control character"),
        ("a%0Ab", "control character"),
        ("k" * 60_000, "60000 bytes of UTF-8"),
    ],
)
def test_keys_follow_the_rules_of_bucket_handles(local: LocalApp, key: str, fragment: str) -> None:
    client = Client(local)
    for method in ("PUT", "GET", "DELETE"):
        assert_portable_error(client.open(OBJECTS + key, method=method, data=b"x"), 400, fragment)
    assert open_bucket("inbox").list_page("", 10, None).items == []


@pytest.mark.parametrize(
    ("length", "status", "fragment"),
    [
        ("", 400, "needs a Content-Length"),
        ("abc", 400, "not a number of bytes"),
        ("-1", 400, "not a number of bytes"),
        ("10", 400, "ended after 3 of its 10 bytes"),
        (str(MAX_OBJECT_BYTES + 1), 413, "1,000,000,000 bytes"),
        ("9" * 30, 413, "1,000,000,000 bytes"),
    ],
)
def test_a_body_must_say_how_long_it_is_and_be_so_long(
    local: LocalApp, length: str, status: int, fragment: str
) -> None:
    reply = Client(local).put(f"{OBJECTS}a.txt", data=b"abc", environ_overrides={"CONTENT_LENGTH": length})
    assert_portable_error(reply, status, fragment)
    assert open_bucket("inbox").list_page("", 10, None).items == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example"},
        {"Host": "evil.example:80"},
        {"Host": "127.0.0.1:9999"},
        {"Host": "localhost.evil.example"},
        {"Host": "localhost", "Origin": "http://evil.example"},
        {"Host": "localhost", "Origin": "null"},
        {"Host": "localhost", "Origin": "http://localhost:3000"},
        {"Host": "localhost", "Sec-Fetch-Site": "cross-site"},
        {"Host": "localhost", "Sec-Fetch-Site": "same-site"},
    ],
)
def test_control_endpoints_refuse_other_sites_and_other_hosts(local: LocalApp, headers: dict[str, str]) -> None:
    client = Client(local)
    assert_portable_error(client.put(f"{OBJECTS}a.txt", data=b"x", headers=headers), 403, "")
    assert_portable_error(client.post("/__portable/schedules/every_five", headers=headers), 403, "")
    assert_portable_error(client.get("/__portable/dead-letters", headers=headers), 403, "")
    assert open_bucket("inbox").list_page("", 10, None).items == []
    assert client.get("/text", headers=headers).data == b"plain text", "user routes are the App's business"


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "localhost"},
        {"Host": "LOCALHOST:80"},
        {"Host": "127.0.0.1"},
        {"Host": "[::1]:80"},
        {"Host": "localhost", "Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
        {"Host": "127.0.0.1", "Sec-Fetch-Site": "none"},
    ],
)
def test_control_endpoints_serve_this_machine(local: LocalApp, headers: dict[str, str]) -> None:
    assert Client(local).put(f"{OBJECTS}a.txt", data=b"x", headers=headers).status_code == 201
