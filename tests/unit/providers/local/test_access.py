"""Who may call the control endpoints (providers/local/access.py): loopback peers by default, nobody while the runner
listens beyond this machine, the printed token's holders with --expose-control; and a web page never."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from providers.local.access import LOOPBACK_ONLY, ControlAccess, is_loopback
from providers.local.runner import LocalApp
from providers.local.sqlite_files import using_local_dir

TOKEN = "t0ken-printed-at-start"


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    with using_local_dir(tmp_path / "state"):
        yield tmp_path / "state"


def client(access: ControlAccess = LOOPBACK_ONLY) -> Client:
    return Client(LocalApp(package="tests.apps.conformance", control=access, workers=0))


def put(client: Client, peer: str, host: str = "127.0.0.1:8080", **headers: str) -> tuple[int, str]:
    reply = client.put(
        "/__portable/objects/inbox/a.txt",
        data=b"a",
        base_url=f"http://{host}",
        headers=headers,
        environ_base={"REMOTE_ADDR": peer},
    )
    return reply.status_code, (reply.get_json() or {}).get("error", "")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("my-laptop.local", False),
        ("", False),
    ],
)
def test_loopback_addresses_and_names(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_a_loopback_peer_may_call_by_default(state: Path, peer: str) -> None:
    assert put(client(), peer)[0] == 201


@pytest.mark.parametrize("peer", ["192.168.1.20", "10.0.0.7", "2001:db8::1"])
def test_another_machine_is_refused_even_with_a_loopback_host_header(state: Path, peer: str) -> None:
    status, error = put(client(), peer, host="localhost:8080")
    assert status == 403 and "callers on this machine only" in error and "--expose-control" in error


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"Origin": "https://evil.example"}, "may not drive the runner"),
        ({"Sec-Fetch-Site": "cross-site"}, "another site"),
        ({"Host": "rebound.example:8080"}, "not at Host"),
    ],
)
def test_pages_and_rebound_names_are_refused_even_from_this_machine(
    state: Path, headers: dict[str, str], named: str
) -> None:
    host = headers.pop("Host", "127.0.0.1:8080")
    status, error = put(client(), "127.0.0.1", host, **headers)
    assert status == 403 and named in error


def test_listening_beyond_this_machine_turns_the_control_endpoints_off(state: Path) -> None:
    off = client(ControlAccess.for_host("0.0.0.0", expose=False))
    status, error = put(off, "127.0.0.1")
    assert status == 404 and "--expose-control" in error


def test_exposed_control_answers_any_peer_with_the_token_and_no_one_without(state: Path) -> None:
    exposed = client(ControlAccess.for_host("0.0.0.0", expose=True, token=TOKEN))
    assert put(exposed, "192.168.1.20", host="192.168.1.5:8080", Authorization=f"Bearer {TOKEN}")[0] == 201
    for sent in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        status, error = put(exposed, "192.168.1.20", host="192.168.1.5:8080", **sent)
        assert status == 403 and "the token the runner printed" in error, sent
    status, _ = put(exposed, "127.0.0.1", Origin="https://evil.example", Authorization=f"Bearer {TOKEN}")
    assert status == 403


def test_signed_urls_carry_their_own_authority_whatever_the_access(state: Path) -> None:
    from providers.local.clients import open_bucket

    url = open_bucket("inbox").signed_url("a.txt", "PUT", 60, None)
    off = client(ControlAccess.for_host("0.0.0.0", expose=False))
    reply = off.put(url, data=b"a", environ_base={"REMOTE_ADDR": "192.168.1.20"})
    assert reply.status_code == 200


@pytest.mark.parametrize("path", ["", "app", "log", "log/stream", "api"])
def test_the_dashboard_follows_the_same_rules(state: Path, path: str) -> None:
    """The dashboard's page, what it reads and its live log answer whom the control endpoints answer."""
    url = f"/__portable/{path}"
    loopback = LocalApp(package="tests.apps.conformance", workers=0)
    loopback.console.close()  # a stream that is let in ends at once
    remote = {"REMOTE_ADDR": "192.168.1.20"}
    assert Client(loopback).get(url, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    assert Client(loopback).get(url, environ_base=remote).status_code == 403
    assert Client(loopback).get(url, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client(ControlAccess.for_host("0.0.0.0", expose=False)).get(url).status_code == 404
    exposed = LocalApp(package="tests.apps.conformance", workers=0, control=ControlAccess(True, TOKEN))
    exposed.console.close()
    elsewhere = {"base_url": "http://192.168.1.5:8080", "environ_base": remote}
    assert Client(exposed).get(url, **elsewhere).status_code == 403
    assert Client(exposed).get(url, headers={"Authorization": f"Bearer {TOKEN}"}, **elsewhere).status_code == 200


def test_the_dashboard_of_an_app_that_failed_to_load_follows_the_same_rules(state: Path) -> None:
    from providers.local.control import while_failed
    from providers.local.load_failure import FailedApp, LoadFailure

    failure = LoadFailure("SyntaxError", "invalid syntax", "functions/hello.py", 3, "")

    def failed(access: ControlAccess) -> Client:
        return Client(FailedApp(failure, control=lambda environ: while_failed(failure.record(), access, environ)))

    remote = {"REMOTE_ADDR": "192.168.1.20"}
    assert failed(LOOPBACK_ONLY).get("/__portable/app").get_json() == {"load_error": failure.record()}
    assert failed(LOOPBACK_ONLY).get("/__portable/app", environ_base=remote).status_code == 403
    assert failed(ControlAccess.for_host("0.0.0.0", expose=False)).get("/__portable/app").status_code == 404
    exposed = failed(ControlAccess(True, TOKEN))
    assert exposed.get("/__portable/app", environ_base=remote).status_code == 403
    with_token = exposed.get("/__portable/app", headers={"Authorization": f"Bearer {TOKEN}"}, environ_base=remote)
    assert with_token.status_code == 200


def test_a_browser_opens_the_exposed_dashboard_with_the_printed_link_and_keeps_the_token_in_a_cookie(
    state: Path,
) -> None:
    exposed = LocalApp(package="tests.apps.conformance", workers=0, control=ControlAccess(True, TOKEN))
    browser = Client(exposed)
    elsewhere: dict[str, Any] = {"base_url": "http://192.168.1.5:8080", "environ_base": {"REMOTE_ADDR": "10.0.0.7"}}
    assert browser.get("/__portable/app", **elsewhere).status_code == 403
    assert browser.get("/__portable/?token=guess", **elsewhere).status_code == 403
    assert browser.get("/__portable/app", **elsewhere).status_code == 403, "no cookie for a wrong token"
    foreign = browser.get(f"/__portable/?token={TOKEN}", headers={"Sec-Fetch-Site": "cross-site"}, **elsewhere)
    assert foreign.status_code == 403, "a page of another site cannot sign a browser in"
    signing_in = browser.get(f"/__portable/?token={TOKEN}", **elsewhere)
    assert signing_in.status_code == 303 and signing_in.headers["Location"] == "/__portable/"
    cookie = signing_in.headers["Set-Cookie"]
    assert cookie.startswith(f"portable-control={TOKEN};") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/__portable/" in cookie
    assert browser.get("/__portable/app", **elsewhere).status_code == 200, "the page's own calls carry the cookie"
    assert browser.get("/__portable/app", headers={"Origin": "https://evil.example"}, **elsewhere).status_code == 403
    forged = Client(exposed)
    forged.set_cookie("portable-control", "guess", domain="192.168.1.5")
    assert forged.get("/__portable/app", **elsewhere).status_code == 403


def test_without_a_token_to_give_the_link_signs_no_one_in(state: Path) -> None:
    page = client().get(f"/__portable/?token={TOKEN}")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers, "loopback-only: nothing to sign in to"
