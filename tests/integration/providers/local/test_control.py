"""The control endpoints through a real server on a loopback port, where the server's part matters: chunked
bodies, lengths that lie, the port in Host and in signed URLs. Their rules through the WSGI app are in
tests/unit/providers/local/test_control.py."""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from providers.local import signed_urls
from providers.local.clients import open_bucket
from providers.local.runner import LocalApp
from providers.local.server import InFlight, http_server
from providers.local.sqlite_files import local_dir

OBJECTS = "/__portable/objects/inbox/"


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalApp]:
    monkeypatch.setenv("PORTABLE_LOCAL_DIR", str(tmp_path / "state"))
    runner = LocalApp(package="tests.apps.conformance")
    yield runner
    runner.stop()


@contextmanager
def serving(local: LocalApp, in_flight: InFlight | None = None, timeout: float = 30) -> Iterator[int]:
    """`local` served on a free loopback port, as `python -m providers.local --port 0` serves it; the port."""
    server = http_server("127.0.0.1", 0, local, in_flight or InFlight(), timeout=timeout)
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


@pytest.mark.parametrize("path", ["/anything", f"{OBJECTS}stalled.txt"], ids=["a function's route", "the control"])
def test_a_body_that_stops_arriving_gets_408_once_the_wait_is_over(local: LocalApp, path: str) -> None:
    with serving(local, timeout=1) as port, socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 100\r\n\r\n".encode() + b"only ten b"
        )
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), reply[:300]
    assert b"the request stopped arriving" in body and b'"status": 408' in body
    assert not open_bucket("inbox").list_page("", 10, None).items, "nothing half-written"


def test_connections_reset_after_the_first_byte_never_hold_a_stop(local: LocalApp) -> None:
    """werkzeug drains the request after answering it; a reset then raises out of its clean-up, past the app's own
    close(): the count of calls in flight must drop all the same, or a stop waits its whole grace for them."""
    import struct

    in_flight = InFlight()
    with serving(local, in_flight) as port:
        for _ in range(50):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
                connection.sendall(f"GET /__portable/dead-letters HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                assert connection.recv(1)
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, not FIN
        assert in_flight.wait_idle(5), "a reset exchange still counts as in flight"


def test_an_upload_that_expects_100_continue_is_told_to_continue_once(local: LocalApp) -> None:
    with serving(local) as port:
        _, reply = raw_request(
            port,
            f"PUT {OBJECTS}photo.jpg HTTP/1.1\nHost: 127.0.0.1:{port}\nContent-Length: 4\nExpect: 100-continue\n"
            "Connection: close\n",
            b"jpeg",
        )
    assert reply.count(b"100 Continue") == 1, reply
    assert reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 ")
    assert open_bucket("inbox").get("photo.jpg") == b"jpeg"


def events(response: http.client.HTTPResponse, count: int) -> list[tuple[str, dict[str, object]]]:
    """The next `count` server-sent events with data: (id, data)."""
    import json

    found: list[tuple[str, dict[str, object]]] = []
    event_id = ""
    while len(found) < count:
        line = response.readline().decode().rstrip("\n")
        if line.startswith("id: "):
            event_id = line[4:]
        elif line.startswith("data: "):
            found.append((event_id, json.loads(line[6:])))
    return found


def test_the_dashboards_log_streams_each_invocation_and_ends_when_the_runner_stops(local: LocalApp) -> None:
    with serving(local) as port:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/text", timeout=10).read()
        stream = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        stream.request("GET", "/__portable/log/stream", headers={"Host": f"127.0.0.1:{port}"})
        response = stream.getresponse()
        assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"
        [(first_id, first)] = events(response, 1)
        assert first["function"] == "kitchen" and first["subject"] == "GET /text" and first["outcome"] == "200"
        urllib.request.urlopen(f"http://127.0.0.1:{port}/bytes", timeout=10).read()
        [(second_id, second)] = events(response, 1)
        assert second["subject"] == "GET /bytes" and second["seq"] == first["seq"] + 1, "as it happens"

        resumed = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        resumed.request("GET", "/__portable/log/stream", headers={"Last-Event-ID": first_id})
        [(resumed_id, again)] = events(resumed.getresponse(), 1)
        assert (resumed_id, again) == (second_id, second), "a page that reconnects gets what it missed, once"

        foreign = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        foreign.request("GET", "/__portable/log/stream", headers={"Sec-Fetch-Site": "cross-site"})
        assert foreign.getresponse().status == 403, "the stream has the control endpoints' caller checks"
        [(_, refusal)] = events(response, 1)
        assert refusal["subject"] == "GET /__portable/log/stream" and refusal["outcome"].startswith("403 "), refusal

        local.console.close()  # as a stopping runner does: every open stream ends, so the stop is not held up
        assert "data: " not in response.read().decode(), "the stream ended"
        stream.close()
        resumed.close()
    streamed = [line.outcome[:3] for line in local.console.since(0) if line.subject == "GET /__portable/log/stream"]
    assert streamed == ["403"], "the streams themselves leave no line in the log they stream; the refusal does"
