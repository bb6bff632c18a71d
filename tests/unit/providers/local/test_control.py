"""The control endpoints' rules: bodies read as sent, keys decoded once and checked, only this
machine's tools and the runner's own pages served, signed URLs naming the real address.

Through the WSGI app, and through a real server on a loopback port where the server's part
matters (chunked bodies, lengths that lie, the port in Host and in signed URLs).
"""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server
from werkzeug.test import Client, TestResponse

from providers.local import signed_urls
from providers.local.buckets import MAX_OBJECT_BYTES
from providers.local.clients import open_bucket
from providers.local.runner import LocalApp
from providers.local.sqlite_files import local_dir

OBJECTS = "/__portable/objects/inbox/"


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalApp]:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    runner = LocalApp(package="tests.apps.conformance")
    yield runner
    runner.stop()


@contextmanager
def serving(local: LocalApp) -> Iterator[int]:
    """`local` served on a free loopback port, as `python -m providers.local --port 0` serves it; the port."""
    server = make_server("127.0.0.1", 0, local, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with signed_urls.served_at(local_dir(), f"http://127.0.0.1:{server.port}"):
            yield int(server.port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def raw_request(port: int, head: str, body: bytes = b"") -> tuple[int, bytes]:
    """Send a request exactly as written (http.client would fix its headers); the status and the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    return int(reply.split(b" ", 2)[1]), reply


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


def test_a_chunked_body_is_stored_whole_over_a_real_connection(local: LocalApp) -> None:
    chunks = [b"first chunk, ", b"", b"x" * 100_000, b" last"]
    with serving(local) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(
            "PUT",
            f"{OBJECTS}chunked.bin",
            body=iter(chunks),
            encode_chunked=True,
            headers={"Transfer-Encoding": "chunked", "Content-Type": "application/octet-stream"},
        )
        reply = connection.getresponse()
        assert reply.status == 201, reply.read()
        connection.close()
    assert open_bucket("inbox").get("chunked.bin") == b"".join(chunks)


@pytest.mark.parametrize(
    ("length_header", "fragment"),
    [
        ("", b"needs a Content-Length"),
        ("Content-Length: -1\n", b"not a number of bytes"),
        ("Content-Length: abc\n", b"not a number of bytes"),
    ],
)
def test_a_real_server_answers_a_body_of_unknown_length_at_once(
    local: LocalApp, length_header: str, fragment: bytes
) -> None:
    with serving(local) as port:
        status, reply = raw_request(
            port, f"PUT {OBJECTS}a.txt HTTP/1.1\nHost: 127.0.0.1:{port}\n{length_header}\n", b"hello"
        )
    assert status == 400 and fragment in reply


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


def test_the_port_in_host_is_the_one_the_server_listens_on(local: LocalApp) -> None:
    with serving(local) as port:
        own, _ = raw_request(port, f"GET /__portable/dead-letters HTTP/1.1\nHost: localhost:{port}\n")
        other, reply = raw_request(port, f"GET /__portable/dead-letters HTTP/1.1\nHost: localhost:{port + 1}\n")
        rebound, _ = raw_request(port, f"GET /__portable/dead-letters HTTP/1.1\nHost: attacker.example:{port}\n")
    assert (own, other, rebound) == (200, 403, 403)
    assert f"on port {port}".encode() in reply


def test_signed_urls_name_the_address_the_runner_listens_on(local: LocalApp, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = open_bucket("inbox")
    inbox.put("shared.txt", b"shared", "text/plain", {})
    with serving(local) as port:
        url = inbox.signed_url("shared.txt", "GET", 60, None)
        assert url.startswith(f"http://127.0.0.1:{port}/__portable/buckets/inbox/shared.txt?")
        with urllib.request.urlopen(url, timeout=10) as reply:
            assert reply.read() == b"shared"
        monkeypatch.setenv("PORTABLE_LOCAL_URL", "http://portable.test:18080/")
        assert inbox.signed_url("shared.txt", "GET", 60, None).startswith("http://portable.test:18080/__portable/")
        monkeypatch.delenv("PORTABLE_LOCAL_URL")
    assert inbox.signed_url("shared.txt", "GET", 60, None).startswith(f"{signed_urls.DEFAULT_URL}/"), "none serves"


def test_signed_urls_are_served_whatever_the_host(local: LocalApp) -> None:
    from urllib.parse import urlsplit

    inbox = open_bucket("inbox")
    inbox.put("shared.txt", b"shared", "text/plain", {})
    url = urlsplit(inbox.signed_url("shared.txt", "GET", 60, None))
    reply = Client(local).get(url.path, query_string=url.query, headers={"Host": "portable.test:18080"})
    assert (reply.status_code, reply.data) == (200, b"shared")
