"""One serving process (providers/local/server.py): the start-up banner and warnings, and the calls in flight."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from portable.app import load_app
from providers.local.server import InFlight, missing_requirements


def test_the_start_up_banner_lists_routes_buckets_tables_and_schedules() -> None:
    from portable import load_app
    from providers.local.server import banner

    text = banner(load_app("functions"), "http://127.0.0.1:8080")
    assert text.splitlines() == [
        "Portable local: http://127.0.0.1:8080",
        "  routes:    POST /hello -> hello, GET /me -> me, POST /webhooks -> receive_webhook",
        "  buckets:   reports, thumbnails, uploads",
        "  tables:    greetings, name-counts, welcome-notes",
        "  schedules: nightly_report (cron '0 2 * * *' in UTC)",
        "  messages:  welcomes (queue) -> write_welcome, greeted (topic) -> count_greeting, queue_welcome",
        "  control:   http://127.0.0.1:8080/__portable/ (this machine only)",
    ]


def test_the_banner_says_when_the_control_endpoints_are_off_or_need_the_printed_token() -> None:
    from portable import load_app
    from providers.local.access import ControlAccess
    from providers.local.server import banner

    app = load_app("functions")
    off = banner(app, "http://127.0.0.1:8080", ControlAccess.for_host("0.0.0.0", expose=False))
    assert off.splitlines()[-1].startswith("  control:   off, since the runner listens beyond this machine")
    exposed = ControlAccess.for_host("0.0.0.0", expose=True)
    assert exposed.token and len(exposed.token) >= 32
    assert banner(app, "http://127.0.0.1:8080", exposed).splitlines()[-1] == (
        f"  control:   http://127.0.0.1:8080/__portable/ answers any caller sending: Authorization: Bearer "
        f"{exposed.token}"
    )


def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, **modules: str) -> Path:
    """A package `name` of the given modules (source text by module name), importable for this test."""
    folder = tmp_path / "src" / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    for module, text in modules.items():
        (folder / f"{module}.py").write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    return folder


def test_start_up_warns_about_each_requires_package_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package(
        tmp_path,
        monkeypatch,
        "needs_things",
        work="""\
        from portable import http


        @http("GET /work", requires=["Pillow>=10", "surely-not-installed-pkg>=1.2"])
        def work(request):
            return {}
        """,
    )
    [warning] = missing_requirements(load_app("needs_things"))
    assert warning.startswith("warning: function 'work' (")
    assert "needs_things/work.py" in warning
    assert "requires 'surely-not-installed-pkg>=1.2', which is not installed here" in warning
    assert warning.endswith("pip install 'surely-not-installed-pkg>=1.2'")


def test_in_flight_counts_each_exchange_until_it_ends_however_it_ends() -> None:
    counted = InFlight()
    with counted.counted():
        assert not counted.wait_idle(0.01), "still being answered"
    assert counted.wait_idle(0.01)
    with pytest.raises(ConnectionResetError), counted.counted():
        raise ConnectionResetError("the client went away")
    assert counted.wait_idle(0.01)
